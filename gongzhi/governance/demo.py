"""The demo subdistrict's governance-loop history (`gongzhi demo load` calls `load_demo`): one
neighborhood's emergency of last month and a subdistrict-wide risk watch, both over, so the
timelines show the loop while every workbench starts in daily work. Safe to run again."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.governance.models import GovernanceMode
from gongzhi.governance.selectors import place_key
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import RoleAssignment, Subdistrict

HISTORY = [
    # (days ago it began, days it lasted, kind, reason, the neighborhood's turn or None)
    (40, 2, "emergency", "暴雨红色预警：地下车库进水，疏散 3 个楼组，应急突击队到岗", 0),
    (25, 7, "risk", "汛期与高温风险排查：独居老人每日走访，燃气和电动车充电隐患排查", None),
]


def load_demo() -> str:
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if subdistrict is None:
        return "governance: no demo subdistrict (run `gongzhi demo load` first)"
    if GovernanceMode.objects.filter(subdistrict=subdistrict).exists():
        return "governance: history already loaded"
    admin = (
        RoleAssignment.objects.filter(subdistrict=subdistrict, role="subdistrict_admin")
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    neighborhoods = list(subdistrict.neighborhoods.order_by("pk")[:1])
    if admin is None or not neighborhoods:
        return "governance: no subdistrict admin or neighborhood in the demo"
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for ago, lasted, kind, reason, turn in HISTORY:
        neighborhood = neighborhoods[turn] if turn is not None else None
        key = place_key(subdistrict.pk, neighborhood.pk if neighborhood else None)
        start, end = now - timedelta(days=ago, hours=3), now - timedelta(days=ago - lasted, hours=3)
        common = {"subdistrict": subdistrict, "neighborhood": neighborhood, "place_key": key}
        rows.append(
            GovernanceMode(
                **common,
                seq=1,
                kind=kind,
                reason=reason,
                switched_by_id=admin,
                started_at=start,
                ended_at=end,
            )
        )
        rows.append(
            GovernanceMode(
                **common,
                seq=2,
                kind="daily",
                reason="险情解除，恢复日常工作",
                switched_by_id=admin,
                started_at=end,
            )
        )
    GovernanceMode.objects.bulk_create(rows)
    return f"governance: {len(rows)} mode switches in {subdistrict.name}, all back in daily work"
