"""The roles a staff account can hold, as data: where each sits and what it may read and change.

Data classes: place (areas, buildings, grids, service points), household, resident, sensitive
(tags such as elderly living alone), party, partner (partner units, departments), audit, staff
(role assignments), concern (residents' concerns, their history and visits). `unmask` shows ID numbers and phones in full; `export` produces ledgers.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

ALL_DATA = frozenset(
    {"place", "household", "resident", "sensitive", "party", "partner", "audit", "staff", "concern"}
)
PEOPLE = frozenset({"place", "household", "resident", "sensitive"})
# Handlers (property company, owners' committee, partner unit, department) work the concerns routed
# to them; Concern.scope_paths reaches their unit only through the concern's handler.
CONCERN = frozenset({"concern"})


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
        Role(
            "social_worker",
            _("social worker"),
            "neighborhood",
            PEOPLE | {"party", "partner"} | CONCERN,
            PEOPLE | CONCERN,
        ),
        Role("grid_chief", _("grid chief"), "micro_grid", PEOPLE | {"party"} | CONCERN, PEOPLE | CONCERN),
        Role("grid_worker", _("grid worker"), "micro_grid", PEOPLE | CONCERN, PEOPLE | CONCERN),
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
        Role(
            "property_staff",
            _("property company staff"),
            "compound",
            frozenset({"place", "household"}) | CONCERN,
            CONCERN,
        ),
        Role(
            "owners_committee_member",
            _("owners' committee member"),
            "compound",
            frozenset({"place", "household"}) | CONCERN,
            CONCERN,
        ),
        Role(
            "partner_liaison",
            _("partner-unit liaison"),
            "partner_unit",
            frozenset({"partner"}) | CONCERN,
            CONCERN,
        ),
        # 街长: coordinates the block's neighborhoods and its joint team; reads their places and
        # concerns (not households or residents) and opens joint cases there.
        Role(
            "block_chief",
            _("block chief"),
            "block",
            frozenset({"place", "partner"}) | CONCERN,
            CONCERN,
        ),
        Role(
            "department_handler",
            _("department handler"),
            "department",
            frozenset({"partner"}) | CONCERN,
            CONCERN,
        ),
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
    "block": ("subdistrict",),
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


def _grant(code: str, data_class: str, *, write: bool) -> None:
    role = ROLES[code]
    ROLES[code] = replace(
        role, read=role.read | {data_class}, write=role.write | ({data_class} if write else frozenset())
    )


# deliberation (meetings, votes, duties; gongzhi.deliberation): run by the neighborhood's staff,
# read by the owners' committee of the compound a vote or meeting belongs to.
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker"):
    _grant(_code, "deliberation", write=True)
_grant("owners_committee_member", "deliberation", write=False)

# volunteer (volunteers, teams, activities, points ledger; gongzhi.volunteers): kept by the
# neighborhood's staff and the volunteer team chief, who confirms service hours.
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker", "volunteer_team_chief"):
    _grant(_code, "volunteer", write=True)

# wish (micro-wishes, 微心愿; gongzhi.volunteers): posted and followed by the neighborhood's staff,
# the grid chief in the grid and the party group chief in the stairwell; a partner unit reads its
# subdistrict's wishes and claims and fulfils them as itself (checked in the service).
for _code in (
    "subdistrict_admin",
    "neighborhood_secretary",
    "social_worker",
    "grid_chief",
    "party_group_chief",
):
    _grant(_code, "wish", write=True)
_grant("partner_liaison", "wish", write=False)

# survey (questionnaires, respondents and their answers; gongzhi.surveys): run by the
# neighborhood's staff; respondents answer through their own link and need no role.
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker"):
    _grant(_code, "survey", write=True)

# project (projects, reviews, budgets, expenses, disclosures; gongzhi.projects): run by the
# neighborhood's staff and the subdistrict; partner units and departments read the projects they
# take part in. Review-panel members score only what their panel reviews (checked in the service).
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker"):
    _grant(_code, "project", write=True)
for _code in ("partner_liaison", "department_handler"):
    _grant(_code, "project", write=False)

# subject_request (residents' requests to correct or delete their data, PIPL arts. 44-50;
# gongzhi.accounts): handled by the neighborhood secretary, overseen by the subdistrict admin.
for _code in ("subdistrict_admin", "neighborhood_secretary"):
    _grant(_code, "subject_request", write=True)

# property (companies, contracts, fees, owners' committees, joint committees, score rules,
# stairwell self-governance; gongzhi.property): kept by the neighborhood's staff and the subdistrict,
# read by the compound's owners' committee and property company, and by stairwell chiefs for their
# stairwell. property_figures (a compound's monthly fee and incident figures): also entered by the
# company.
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker"):
    _grant(_code, "property", write=True)
    _grant(_code, "property_figures", write=True)
for _code in ("property_staff", "owners_committee_member"):
    _grant(_code, "property", write=False)
    # The projects (works, micro-renewals) of their compound and their public notices (公示).
    _grant(_code, "project", write=False)
_grant("property_staff", "property_figures", write=True)
_grant("owners_committee_member", "property_figures", write=False)
for _code in ("stairwell_chief", "party_group_chief"):
    _grant(_code, "property", write=False)

# workforce (worker profiles, training plans and hours, mentoring pairs, forums, the three chiefs;
# gongzhi.workforce): kept by the subdistrict and the neighborhood secretary, read by the
# neighborhood's social workers. personnel (assessment rounds, scores, bonuses, promotion lists): the
# subdistrict's personnel role only; a worker sees their own results and a rater their own scores
# through the selectors.
for _code in ("subdistrict_admin", "neighborhood_secretary"):
    _grant(_code, "workforce", write=True)
_grant("social_worker", "workforce", write=False)
_grant("subdistrict_admin", "personnel", write=True)

# governance (the governance loop's modes, 治理环; gongzhi.governance): the subdistrict switches
# itself or any neighborhood, the neighborhood secretary their own neighborhood (an emergency does
# not wait for the subdistrict; the whole subdistrict's mode stays the subdistrict's); the area's
# other staff read the mode and its timeline.
for _code in ("subdistrict_admin", "neighborhood_secretary"):
    _grant(_code, "governance", write=True)
for _code in ("social_worker", "grid_chief", "grid_worker"):
    _grant(_code, "governance", write=False)
# notice (公告 to a subdistrict, neighborhood, compound, building or stairwell; gongzhi.insights):
# written by the area's staff; a stairwell chief writes to their own stairwell (the scope of the
# role's unit); residents read the notices of the places they live in through their own pages.
for _code in ("subdistrict_admin", "neighborhood_secretary", "social_worker", "stairwell_chief"):
    _grant(_code, "notice", write=True)

# Separation of duties (等保 2.0 三员管理): the system admin keeps accounts and configuration, the
# security admin the security settings, the auditor reads the audit trail; none reads resident
# data, and one account holds at most one of the three (gongzhi.accounts.duties).
ROLES["system_admin"] = Role(
    "system_admin", _("system admin"), "subdistrict", frozenset({"place", "staff"}), frozenset({"staff"})
)
ROLES["security_admin"] = Role("security_admin", _("security admin"), "subdistrict", frozenset())
ROLES["auditor"] = Role("auditor", _("auditor"), "subdistrict", frozenset({"audit"}))
DUTY_ROLES = frozenset({"system_admin", "security_admin", "auditor"})

# minor (residents under 14, PIPL art. 31; gongzhi.core.minors): seen in full only by the
# neighborhood's secretary and social workers, each access audited; everyone else sees them masked.
for _code in ("neighborhood_secretary", "social_worker"):
    _grant(_code, "minor", write=False)

# The roles that work on an area's data: every role but the three duties (whose accounts get 403
# on area pages). Role-parametrised page tests iterate over these.
AREA_ROLES = [code for code in ROLES if code not in DUTY_ROLES]
