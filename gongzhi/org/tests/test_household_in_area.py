"""household_in_area builds its SQL once per scope shape and reuses it with other unit ids: it must
still answer exactly what the scope rules (permissions.scoped) answer, for every role and user."""

import pytest

from gongzhi.accounts.models import User
from gongzhi.concerns import services as concern_services
from gongzhi.core.permissions import scoped
from gongzhi.core.roles import ROLES
from gongzhi.org import factories as f
from gongzhi.org import selectors, services
from gongzhi.org.models import Household, RoleAssignment

pytestmark = pytest.mark.django_db


def _households(world):
    return [world.household_a, world.household_a2, world.household_b, world.household_far]


def test_every_role_finds_exactly_the_households_its_scope_allows(world):
    for code in ROLES:
        user = world.users[code]
        for household in _households(world):
            expected = scoped(user, Household.objects.filter(pk=household.pk)).exists()
            for _ in range(2):  # the second call reuses the SQL built by the first
                found = selectors.household_in_area(User.objects.get(pk=user.pk), household.pk)
                assert (found is not None) == expected, (code, household.pk)
                assert found is None or found.pk == household.pk


def test_the_same_shape_with_another_unit_finds_that_units_households(world):
    selectors.household_in_area(world.users["grid_worker"], world.household_a.pk)  # shape compiled
    other = f.UserFactory(username="grid_worker_far", is_staff=True)
    far_grid = world.household_far.micro_grid or world.household_far.building.micro_grid
    if far_grid is None:
        far_grid = f.MicroGridFactory(neighborhood=world.neighborhood_far)
        Household.objects.filter(pk=world.household_far.pk).update(micro_grid=far_grid)
    services.assign_role(actor=None, user=other, role="grid_worker", unit=far_grid)
    assert selectors.household_in_area(other, world.household_a.pk) is None
    assert selectors.household_in_area(other, world.household_far.pk).pk == world.household_far.pk


def test_the_place_is_what_the_orm_loads(world):
    found = selectors.household_in_area(world.users["neighborhood_secretary"], world.household_a.pk)
    household = Household.objects.select_related("building__compound", "building__neighborhood").get(
        pk=world.household_a.pk
    )
    assert (
        found.room,
        found.building_id,
        found.neighborhood_id,
        found.micro_grid_id,
        found.stairwell_id,
    ) == (
        household.room,
        household.building_id,
        household.neighborhood_id,
        household.micro_grid_id,
        household.stairwell_id,
    )
    assert str(found) == str(household)
    assert found.building.neighborhood.subdistrict_id == household.building.neighborhood.subdistrict_id
    assert found.building.micro_grid_id == household.building.micro_grid_id


def test_intake_needs_no_further_query_for_the_place(world, django_assert_num_queries):
    found = selectors.household_in_area(world.users["grid_worker"], world.household_a.pk)
    with django_assert_num_queries(0):
        place = concern_services.place_of(household=found)
        assert place.path()["subdistrict"] == world.subdistrict.pk
        assert str(found).startswith(found.building.compound.name)


def test_a_withdrawn_role_finds_nothing_at_once(world):
    user = world.users["grid_worker"]
    assert selectors.household_in_area(User.objects.get(pk=user.pk), world.household_a.pk) is not None
    services.revoke_role(actor=None, assignment=RoleAssignment.objects.get(user=user))
    assert selectors.household_in_area(User.objects.get(pk=user.pk), world.household_a.pk) is None
