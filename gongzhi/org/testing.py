"""A small two-area world for permission tests: every role sits in area A; area B is elsewhere.

Area A: neighborhood `a` with two grids (`grid_a` holding building `building_a`, `grid_a2`) and a
stairwell; area B: another neighborhood of the same subdistrict plus a second subdistrict. Every
role's "own" household is `household_a`; `household_a2` lies in A's neighborhood but outside the
units of grid, compound and stairwell roles; `household_far` lies in another subdistrict.
"""

from dataclasses import dataclass, field

from gongzhi.org import factories as f
from gongzhi.org import services
from gongzhi.org.models import SensitiveTag
from gongzhi.org.roles import ROLES

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
    units = {
        "subdistrict": sub,
        "neighborhood": nb_a,
        "micro_grid": grid_a,
        "compound": compound_a,
        "stairwell": stairwell_a,
        "partner_unit": partner,
        "department": department,
    }
    world = World(
        sub, far, nb_a, nb_b, nb_far, grid_a, household_a, household_a2, household_b, household_far,
        resident_a, resident_a2, resident_b, resident_far,
    )  # fmt: skip
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
