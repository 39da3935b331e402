"""Demo data of core: export requests in the demo subdistrict, one waiting for approval.

`load_demo()` is idempotent: it does nothing when the demo's requests are there already.
"""

from gongzhi.accounts.models import User
from gongzhi.core import exports
from gongzhi.core.models import ExportRequest
from gongzhi.org.models import Neighborhood

PURPOSE = "演示：年度民政救助对象数据核对"
REFUSED_PURPOSE = "演示：提供给物业公司核对业主名单"


def load_demo() -> str:
    if ExportRequest.objects.filter(purpose=PURPOSE).exists():
        return "core demo: export requests already loaded; nothing changed"
    secretary = User.objects.filter(username="secretary").first()
    admin = User.objects.filter(username="admin").first()
    if secretary is None or admin is None:
        return "core demo: no demo town (run `gongzhi demo load` first)"
    neighborhood = Neighborhood.objects.filter(
        pk__in=secretary.role_assignments.values("neighborhood_id")
    ).first()
    params = {"neighborhood": str(neighborhood.pk)} if neighborhood else {}
    exports.request_export(secretary, "org.households", params, PURPOSE)
    refused = exports.request_export(secretary, "org.households", params, REFUSED_PURPOSE)
    exports.decide(admin, refused, approve=False, note="不属于履行法定职责所必需，且未取得居民同意")
    return "core demo: 2 export requests (1 awaiting the subdistrict admin's approval, 1 refused)"
