"""The roles a staff account can hold, as data: where each sits and what it may read and change.

Data classes: place (areas, buildings, grids, service points), household, resident, sensitive
(tags such as elderly living alone), party, partner (partner units, departments), audit, staff
(role assignments). `unmask` shows ID numbers and phones in full; `export` produces ledgers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ALL_DATA = frozenset({"place", "household", "resident", "sensitive", "party", "partner", "audit", "staff"})
PEOPLE = frozenset({"place", "household", "resident", "sensitive"})


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    unit_kind: str
    read: frozenset
    write: frozenset = frozenset()
    unmask: bool = False
    export: bool = False


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role(
            "subdistrict_admin",
            _("subdistrict admin"),
            "subdistrict",
            ALL_DATA,
            ALL_DATA - {"audit"},
            True,
            True,
        ),
        Role(
            "neighborhood_secretary",
            _("neighborhood secretary"),
            "neighborhood",
            ALL_DATA,
            ALL_DATA - {"audit", "staff"},
            True,
            True,
        ),
        Role("social_worker", _("social worker"), "neighborhood", PEOPLE | {"party", "partner"}, PEOPLE),
        Role("grid_chief", _("grid chief"), "micro_grid", PEOPLE | {"party"}, PEOPLE),
        Role("grid_worker", _("grid worker"), "micro_grid", PEOPLE, PEOPLE),
        Role(
            "stairwell_chief",
            _("stairwell chief"),
            "stairwell",
            frozenset({"place", "household", "resident"}),
        ),
        Role(
            "party_group_chief",
            _("party group chief"),
            "stairwell",
            frozenset({"place", "household", "party"}),
        ),
        Role("volunteer_team_chief", _("volunteer team chief"), "neighborhood", frozenset({"place"})),
        Role("property_staff", _("property company staff"), "compound", frozenset({"place", "household"})),
        Role(
            "owners_committee_member",
            _("owners' committee member"),
            "compound",
            frozenset({"place", "household"}),
        ),
        Role("partner_liaison", _("partner-unit liaison"), "partner_unit", frozenset({"partner"})),
        Role("department_handler", _("department handler"), "department", frozenset({"partner"})),
    ]
}

POST_LEVELS = {
    "novice": _("novice (初任)"),
    "regular": _("regular (普通)"),
    "team_lead": _("team lead (队长/副队长)"),
    "secretary": _("secretary (书记/副书记)"),
}

# How deep each unit kind sits; a role's assignment stores every ancestor above its unit.
UNIT_ANCESTORS = {
    "subdistrict": (),
    "neighborhood": ("subdistrict",),
    "micro_grid": ("subdistrict", "neighborhood"),
    "compound": ("subdistrict", "neighborhood"),
    "building": ("subdistrict", "neighborhood", "compound"),
    "stairwell": ("subdistrict", "neighborhood", "compound", "building"),
    "partner_unit": ("subdistrict",),
    "department": ("subdistrict",),
}


def role_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in ROLES.values()]
