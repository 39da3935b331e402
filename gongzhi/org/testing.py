"""The test cast: a small two-area world for permission tests (the `world` fixture, conftest.py).

Places. Subdistrict 杨行镇 holds neighborhood 杨泰一村 (area A) and 杨泰二村; 大场镇 is another
subdistrict with neighborhood 康城. In 杨泰一村: micro-grid `grid_a` with compound A, building
`building_a` and its stairwell; micro-grid `grid_a2` with a second compound and building. One
household with one resident each (every resident tagged "elderly living alone", a sensitive tag):

- `household_a` / `resident_a`: building_a, in the stairwell, grid_a, compound A (everyone's own)
- `household_a2` / `resident_a2`: 杨泰一村 but outside grid_a, compound A and the stairwell
- `household_b` / `resident_b`: 杨泰二村, same subdistrict
- `household_far` / `resident_far`: 康城 in 大场镇, out of everyone's reach (`far_admin(world)` writes there)

Party: a stairwell party group in 杨泰一村 (on grid_a) with one member; one in 康城. Partner unit of
杨行镇 pledging 义诊 to 杨泰一村; a department of 杨行镇.

The cast. `world.users[code]` is a staff user named after the role code it holds, on one unit
(core/roles.py decides what the role reads and writes; these are its own households):

| user | unit | reads | writes | households |
|---|---|---|---|---|
| subdistrict_admin | 杨行镇 | every data class (minors masked) | all but audit; unmask, export | a, a2, b |
| neighborhood_secretary | 杨泰一村 | every data class, minors in full | all but audit, staff; unmask, export | a, a2 |
| social_worker | 杨泰一村 | people, party, partner, concerns, minors | people, concerns, meetings, volunteers, surveys, projects | a, a2 |
| grid_chief | grid_a | people, party, concerns | people, concerns | a |
| grid_worker | grid_a | people, concerns | people, concerns | a |
| stairwell_chief | the stairwell | places, households, residents (no tags), notices | notices to the stairwell | a |
| party_group_chief | the stairwell | places, households, party | nothing | a (no residents) |
| volunteer_team_chief | 杨泰一村 | places, volunteers | volunteers | none |
| property_staff | compound A | places, households, concerns routed to it | those concerns | a (no residents) |
| owners_committee_member | compound A | places, households, concerns routed to it, votes | those concerns | a (no residents) |
| partner_liaison | the partner unit | partner, concerns routed to it, projects | those concerns | none |
| department_handler | the department | partner, concerns routed to it, projects | those concerns | none |
| block_chief | block 共和街区 (holding 杨泰一村) | places, partner, concerns of the block's neighborhoods | those concerns, joint cases | none |
| system_admin | 杨行镇 | places, staff (Django admin) | role assignments | none |
| security_admin | 杨行镇 | nothing (security settings, sessions) | nothing | none |
| auditor | 杨行镇 | the audit trail | nothing | none |

One more account stands beside the table (which names each role once): `subdistrict_colleague(world)`
makes, once, a second subdistrict_admin of 杨行镇, reading and writing as subdistrict_admin, for
the four-eyes steps where the subdistrict checks its own work (core/separation.py: a fund
allocation is adopted by a colleague of the account that previewed it).
"people" is places, households, residents and sensitive tags. The three duty roles (三员) reach no
resident data; residents' own accounts are made by the tests that need them
(accounts/tests/residents.py). docs/architecture.md ("Test cast") repeats this table.
"""

from dataclasses import dataclass, field

from gongzhi.core.roles import ROLES
from gongzhi.org import factories as f
from gongzhi.org import services
from gongzhi.org.models import Block, SensitiveTag

PASSWORD = "gongzhi-test-pass"


@dataclass
class World:
    subdistrict: object
    subdistrict_far: object
    neighborhood_a: object
    neighborhood_b: object
    neighborhood_far: object
    grid_a: object
    household_a: object
    household_a2: object
    household_b: object
    household_far: object
    resident_a: object
    resident_a2: object
    resident_b: object
    resident_far: object
    users: dict = field(default_factory=dict)
    block: object = None


def _household_with_resident(building, stairwell=None):
    household = f.HouseholdFactory(building=building, stairwell=stairwell)
    resident = f.ResidentFactory(household=household)
    return household, resident


def build_world() -> World:
    sub = f.SubdistrictFactory(name="杨行镇")
    far = f.SubdistrictFactory(name="大场镇")
    nb_a = f.NeighborhoodFactory(subdistrict=sub, name="杨泰一村")
    nb_b = f.NeighborhoodFactory(subdistrict=sub, name="杨泰二村")
    nb_far = f.NeighborhoodFactory(subdistrict=far, name="康城")
    grid_a = f.MicroGridFactory(neighborhood=nb_a)
    grid_a2 = f.MicroGridFactory(neighborhood=nb_a)
    compound_a = f.CompoundFactory(neighborhood=nb_a)
    building_a = f.BuildingFactory(compound=compound_a, micro_grid=grid_a)
    stairwell_a = f.StairwellFactory(building=building_a)
    building_a2 = f.BuildingFactory(compound=f.CompoundFactory(neighborhood=nb_a), micro_grid=grid_a2)
    building_b = f.BuildingFactory(compound=f.CompoundFactory(neighborhood=nb_b))
    building_far = f.BuildingFactory(compound=f.CompoundFactory(neighborhood=nb_far))
    household_a, resident_a = _household_with_resident(building_a, stairwell_a)
    household_a2, resident_a2 = _household_with_resident(building_a2)
    household_b, resident_b = _household_with_resident(building_b)
    household_far, resident_far = _household_with_resident(building_far)
    for r in (resident_a, resident_a2, resident_b, resident_far):
        r.tags.create(tag=SensitiveTag.ELDERLY_ALONE)
    party_a = f.PartyOrgFactory(neighborhood=nb_a, stairwell=stairwell_a, micro_grid=grid_a)
    f.PartyMemberFactory(party_org=party_a)
    f.PartyMemberFactory(party_org=f.PartyOrgFactory(neighborhood=nb_far))
    partner = f.PartnerUnitFactory(subdistrict=sub)
    partner.pledges.create(neighborhood=nb_a, offering="义诊")
    department = f.DepartmentFactory(subdistrict=sub)
    block = Block.objects.create(subdistrict=sub, name="共和街区")
    nb_a.block = block
    nb_a.save(update_fields=["block"])
    units = {
        "block": block,
        "subdistrict": sub,
        "neighborhood": nb_a,
        "micro_grid": grid_a,
        "compound": compound_a,
        "stairwell": stairwell_a,
        "partner_unit": partner,
        "department": department,
    }
    places = {"subdistrict": sub, "subdistrict_far": far, "grid_a": grid_a}
    places |= {"neighborhood_a": nb_a, "neighborhood_b": nb_b, "neighborhood_far": nb_far}
    people = {"household_a": household_a, "household_a2": household_a2, "household_b": household_b}
    people |= {"household_far": household_far, "resident_a": resident_a, "resident_a2": resident_a2}
    people |= {"resident_b": resident_b, "resident_far": resident_far}
    world = World(**places, **people, block=block)
    for code, role in ROLES.items():
        user = f.UserFactory(username=code, is_staff=True)
        services.assign_role(actor=None, user=user, role=code, unit=units[role.unit_kind])
        world.users[code] = user
    return world


def far_admin(world: World):
    """The subdistrict admin of the far subdistrict (made once): who writes there in tests. A
    superuser cannot stand in: the flag grants no data (separation of duties)."""
    from gongzhi.accounts.models import User

    user = User.objects.filter(username="far_admin").first()
    if user is None:
        user = f.UserFactory(username="far_admin", is_staff=True)
        services.assign_role(actor=None, user=user, role="subdistrict_admin", unit=world.subdistrict_far)
    return user


def subdistrict_colleague(world: World):
    """A second subdistrict admin of 杨行镇 (made once): the second person of a check where both
    halves belong to the subdistrict (core/separation.py), such as adopting an allocation."""
    from gongzhi.accounts.models import User

    user = User.objects.filter(username="subdistrict_colleague").first()
    if user is None:
        user = f.UserFactory(username="subdistrict_colleague", is_staff=True)
        services.assign_role(actor=None, user=user, role="subdistrict_admin", unit=world.subdistrict)
    return user
