"""Hot issues and notices of the demo subdistrict (`gongzhi demo load` calls `load_demo`).

The demo's concerns come from `gongzhi.concerns.demo` (real citizen messages placed in the demo
town); this groups them. Safe to run again: recomputing the same concerns changes nothing, and the
notices are written once (a town that has any notice keeps them).

The notices: one from `admin` to the town, one from `secretary` to the first neighborhood, one to
a compound, one to the stairwell of the first demo resident with a phone sign-in (accounts.demo
opens the first three residents with phones of that neighborhood), one from `stairwellchief` to
their stairwell, and a closed concern's progress published to its building, de-identified.
"""

import importlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.concerns.models import Concern
from gongzhi.insights import services
from gongzhi.insights.models import Notice
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Resident, RoleAssignment, Subdistrict

NOTICES = [
    (
        "subdistrict",
        "admin",
        "冬季用电用气安全提示",
        "入冬以来，请各户注意：不私拉电线给电动车充电，电动车一律到集中充电点充电；"
        "使用燃气后及时关阀，发现燃气异味请开窗通风，切勿开关电器，到室外拨打燃气抢修电话。",
    ),
    (
        "neighborhood",
        "secretary",
        "居民议事会十二月议题征集",
        "本月居民议事会定于第三周周四晚七点在居委会二楼召开。"
        "请居民通过楼组长或“我要报事”提出议题，本月重点议题：非机动车停放与加装电梯意向摸底。",
    ),
    (
        "compound",
        "secretary",
        "小区消防通道整治",
        "下周一至周三，物业与居委会联合清理小区消防通道内停放的车辆和堆物。"
        "请车主将车辆停入车位，逾期未移的将张贴提示并通知车主。",
    ),
    (
        "stairwell",
        "secretary",
        "楼道堆物清理",
        "本周六上午九点起，楼组长和志愿者清理楼道堆物，请各户提前将自家物品搬回室内。"
        "需要帮助搬运的老人请联系楼组长。",
    ),
]


def load_demo() -> str:
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if subdistrict is None:
        return "insights: no demo subdistrict (run `gongzhi demo load` first)"
    try:  # the concerns must be there first; their loader does nothing when already loaded
        concerns_demo = importlib.import_module("gongzhi.concerns.demo")
    except ModuleNotFoundError:
        concerns_demo = None
    if concerns_demo is not None and hasattr(concerns_demo, "load_demo"):
        concerns_demo.load_demo()
    result = services.refresh_hot_issues(subdistrict)
    load_notices(subdistrict)
    current = subdistrict.hot_issues.filter(current=True)
    top = current.filter(neighborhood=None).order_by("rank").first()
    notices = Notice.objects.filter(subdistrict=subdistrict).count()
    return (
        f"insights: {current.count()} hot issues in {subdistrict.name} from {result.concerns} concerns"
        + (f"; hottest: {top.title}" if top else "")
        + f"; {notices} notices"
    )


def _place(level: str, subdistrict: Subdistrict, secretary_role: RoleAssignment):
    """The demo place of each level, inside the secretary's neighborhood below the town."""
    if level == "subdistrict":
        return subdistrict
    if level == "neighborhood":
        return secretary_role.neighborhood
    resident = (
        Resident.objects.filter(household__neighborhood_id=secretary_role.neighborhood_id)
        .exclude(phone_digest="")
        .select_related("household__building__compound", "household__stairwell")
        .order_by("pk")
        .first()
    )
    if resident is None:
        return None
    household = resident.household
    if level == "compound":
        return household.building.compound
    return household.stairwell or household.building


def load_notices(subdistrict: Subdistrict) -> int:
    """A few notices at every level, published; a concern's progress to its building. The number
    written (none when the town has notices already)."""
    if Notice.objects.filter(subdistrict=subdistrict).exists():
        return 0
    secretary_role = (
        RoleAssignment.objects.filter(role="neighborhood_secretary", user__username="secretary")
        .select_related("user", "neighborhood")
        .first()
    )
    if secretary_role is None:
        return 0
    users = {
        u.username: u for u in User.objects.filter(username__in=["admin", "secretary", "stairwellchief"])
    }
    made = 0
    with transaction.atomic():
        for level, username, title, body in NOTICES:
            place, actor = _place(level, subdistrict, secretary_role), users.get(username)
            if place is None or actor is None:
                continue
            level = place._meta.model_name  # a stairwell notice goes to the building if it has none
            expires = timezone.now() + timedelta(days=30)
            notice = services.notice_create(
                actor=actor, level=level, place=place, title=title, body=body, expires_at=expires
            )
            services.notice_publish(actor=actor, notice=notice)
            made += 1
        chief = users.get("stairwellchief")
        chief_role = (
            RoleAssignment.objects.filter(user=chief, role="stairwell_chief").first() if chief else None
        )
        if chief_role is not None:
            notice = services.notice_create(
                actor=chief,
                level="stairwell",
                place=chief_role.stairwell,
                title="本楼组本周值班安排",
                body="本周楼道卫生和巡查由三楼、四楼各户轮值，值班表贴在一楼信箱旁。",
            )
            services.notice_publish(actor=chief, notice=notice)
            made += 1
        closed = (
            Concern.objects.filter(neighborhood=secretary_role.neighborhood, state="closed")
            .exclude(building=None)
            .order_by("-closed_at", "pk")
            .first()
        )
        if closed is not None:
            services.concern_progress_publish(actor=secretary_role.user, concern=closed)
            made += 1
    return made
