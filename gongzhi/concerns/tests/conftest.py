"""Shared pieces of the concern tests: a category and a concern in area A of the `world`."""

import pytest

from gongzhi.concerns import services
from gongzhi.concerns.models import Category


def category(code: str = "parking", name: str = "停车", tier: str = "minor") -> Category:
    # Transactional tests flush the seeded taxonomy, so tests make what they use.
    item, _ = Category.objects.get_or_create(
        subdistrict=None, code=code, defaults={"name": name, "tier": tier}
    )
    return item


def concern_for(world, actor=None, household=None, **fields):
    actor = actor or world.users["grid_worker"]
    household = household or world.household_a
    fields.setdefault("description", "楼下非机动车乱停，消防通道被堵")
    return services.submit_concern(
        actor=actor,
        channel=fields.pop("channel", "hotline"),
        category=fields.pop("category", None) or category(),
        place=services.place_of(household=household),
        **fields,
    )


@pytest.fixture
def parking(db):
    return category()


def joint_team(world):
    """The block of area A with a joint team of two departments, each with its handler: the world's
    department (`department_handler`) and a second one, 城管中队 (`city_handler`)."""
    from gongzhi.org import factories
    from gongzhi.org import services as org_services
    from gongzhi.org.models import Department

    dep_a = Department.objects.get(subdistrict=world.subdistrict)
    dep_b = factories.DepartmentFactory(
        subdistrict=world.subdistrict, name="城管中队", code="city_management"
    )
    user_b = factories.UserFactory(username="city_handler", is_staff=True)
    org_services.assign_role(actor=None, user=user_b, role="department_handler", unit=dep_b)
    admin = world.users["subdistrict_admin"]
    for dep, user in ((dep_a, world.users["department_handler"]), (dep_b, user_b)):
        org_services.add_team_member(actor=admin, block=world.block, department=dep, user=user)
    return dep_a, world.users["department_handler"], dep_b, user_b
