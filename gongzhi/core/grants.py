"""Whether a user's roles grant a data class over an area given by ids (not by a record).

Export requests and stored files lie in an area (subdistrict, maybe neighborhood) but carry no
data class of their own: what they hold decides who may approve or read them.
"""

from gongzhi.core.permissions import assignments_of
from gongzhi.core.roles import ROLES


def grants_in_area(
    user, data_class: str, subdistrict_id: int | None, neighborhood_id: int | None, *, capability: str = ""
) -> bool:
    """True when a role of `user` reads `data_class` (and holds `capability`, e.g. "export") on a
    unit covering the area: the subdistrict itself, or the neighborhood when one is given."""
    for assignment in assignments_of(user):
        role = ROLES.get(assignment.role)
        if role is None or data_class not in role.read:
            continue
        if capability and not getattr(role, capability, False):
            continue
        if role.unit_kind == "subdistrict" and subdistrict_id and assignment.unit_id == subdistrict_id:
            return True
        if role.unit_kind == "neighborhood" and neighborhood_id and assignment.unit_id == neighborhood_id:
            return True
    return False
