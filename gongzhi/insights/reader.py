"""The reader the command line reads a subdistrict as (`gongzhi reports`, `gongzhi opendata`).

A command has no signed-in user, yet its figures must come through the same scoped selectors as
the pages, or the report could count what the dashboard does not. It reads as a subdistrict admin
of the one subdistrict named on the command line: the operator of the server could read the
database anyway, and the scope keeps a report of one subdistrict from counting another's rows.
"""

from dataclasses import dataclass

from gongzhi.insights.selectors import Area
from gongzhi.org.models import Neighborhood, Subdistrict

READER_ROLE = "subdistrict_admin"


@dataclass(frozen=True)
class _Assignment:
    role: str
    unit_id: int
    subdistrict_id: int
    neighborhood_id: None = None
    micro_grid_id: None = None
    compound_id: None = None
    building_id: None = None
    stairwell_id: None = None


class SubdistrictReader:
    """Quacks like a staff user with one subdistrict-wide role and no account (pk None)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = True
    is_superuser = False
    kind = "staff"
    pk = id = None

    def __init__(self, subdistrict: Subdistrict):
        self.subdistrict = subdistrict
        self._gongzhi_assignments = [_Assignment(READER_ROLE, subdistrict.pk, subdistrict.pk)]

    def __int__(self) -> int:
        # Selectors also ask "or rows linked to this user" (`Q(panels__members__user=user)`); the
        # ORM turns the reader into a user id, and 0 is the id of no account: such rows are none.
        return 0

    def __str__(self) -> str:
        return f"command line ({self.subdistrict.code})"


def area_for(subdistrict_code: str, neighborhood_code: str = "") -> Area:
    """The area named on the command line; ValueError names the option that is wrong."""
    subdistrict = Subdistrict.objects.filter(code=subdistrict_code).first()
    if subdistrict is None:
        raise ValueError(f"--subdistrict: no subdistrict with code {subdistrict_code!r}")
    if not neighborhood_code:
        return Area(subdistrict, None)
    neighborhood = Neighborhood.objects.filter(subdistrict=subdistrict, code=neighborhood_code).first()
    if neighborhood is None:
        raise ValueError(
            f"--neighborhood: no neighborhood with code {neighborhood_code!r} in {subdistrict.name}"
        )
    return Area(subdistrict, neighborhood)
