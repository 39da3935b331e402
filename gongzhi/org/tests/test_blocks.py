"""Blocks (街区): an optional level between subdistrict and neighborhood. A block chief sees what lies
in the block's neighborhoods and nothing else; the subdistrict makes blocks, fills them, names
their chief and their joint team; bad input changes nothing and retries add nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.concerns import selectors as concern_selectors
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core import permissions
from gongzhi.org import factories, selectors, services
from gongzhi.org.models import Block, JointTeamMember, Neighborhood, RoleAssignment

pytestmark = pytest.mark.django_db


def test_a_block_chief_sees_the_concerns_and_places_of_the_blocks_neighborhoods_only(world):
    chief = world.users["block_chief"]
    inside = concern_for(world)
    outside = concern_for(world, actor=world.users["subdistrict_admin"], household=world.household_b)
    seen = set(concern_selectors.concerns_visible_to(chief).values_list("pk", flat=True))
    assert inside.pk in seen and outside.pk not in seen
    assert list(selectors.neighborhoods_visible_to(chief)) == [world.neighborhood_a]
    assert list(selectors.blocks_visible_to(chief)) == [world.block]
    assert not selectors.households_visible_to(chief).exists()  # a coordinator, not a resident register
    assert not selectors.residents_visible_to(chief).exists()
    assert permissions.can(chief, inside, permissions.WRITE)
    assert not permissions.can(chief, outside)


def test_moving_a_neighborhood_out_of_the_block_moves_the_chiefs_scope_with_it(world):
    chief = world.users["block_chief"]
    inside = concern_for(world)
    services.set_block_neighborhoods(
        actor=world.users["subdistrict_admin"], block=world.block, neighborhood_ids=[world.neighborhood_b.pk]
    )
    chief._gongzhi_assignments = None
    assert not permissions.can(chief, inside)
    assert list(selectors.neighborhoods_visible_to(chief)) == [world.neighborhood_b]


def test_the_subdistrict_creates_a_block_and_a_name_twice_is_refused(world):
    admin = world.users["subdistrict_admin"]
    block = services.create_block(actor=admin, subdistrict=world.subdistrict, name=" 友谊路街区 ")
    assert block.name == "友谊路街区"
    for bad in ("友谊路街区", "", "长" * 65):
        with pytest.raises(ValidationError) as caught:
            services.create_block(actor=admin, subdistrict=world.subdistrict, name=bad)
        assert "name" in caught.value.message_dict
    assert Block.objects.filter(subdistrict=world.subdistrict).count() == 2


@pytest.mark.parametrize("role", ["neighborhood_secretary", "block_chief", "department_handler"])
def test_only_the_subdistrict_creates_or_changes_blocks(world, role):
    actor = world.users[role]
    with pytest.raises(PermissionDenied):
        services.create_block(actor=actor, subdistrict=world.subdistrict, name="新街区")
    with pytest.raises(PermissionDenied):
        services.set_block_neighborhoods(actor=actor, block=world.block, neighborhood_ids=[])
    assert Neighborhood.objects.get(pk=world.neighborhood_a.pk).block == world.block


def test_a_neighborhood_of_another_subdistrict_is_refused_and_nothing_moves(world):
    with pytest.raises(ValidationError) as caught:
        services.set_block_neighborhoods(
            actor=world.users["subdistrict_admin"],
            block=world.block,
            neighborhood_ids=[world.neighborhood_b.pk, world.neighborhood_far.pk],
        )
    assert "neighborhoods" in caught.value.message_dict
    assert list(world.block.neighborhoods.all()) == [world.neighborhood_a]


def test_naming_a_block_chief_gives_the_role_and_takes_it_from_the_previous_chief(world):
    admin = world.users["subdistrict_admin"]
    first, second = factories.UserFactory(), factories.UserFactory()
    services.name_block_chief(actor=admin, block=world.block, user=first)
    services.name_block_chief(actor=admin, block=world.block, user=second)
    services.name_block_chief(actor=admin, block=world.block, user=second)
    chiefs = RoleAssignment.objects.filter(role="block_chief", block=world.block)
    assert set(chiefs.values_list("user", flat=True)) == {second.pk}
    assert Block.objects.get(pk=world.block.pk).block_chief == second


def test_a_team_member_must_handle_for_the_department_and_is_added_once(world):
    admin = world.users["subdistrict_admin"]
    department = world.users["department_handler"].role_assignments.get().department
    with pytest.raises(ValidationError) as caught:
        services.add_team_member(
            actor=admin, block=world.block, department=department, user=world.users["social_worker"]
        )
    assert "user" in caught.value.message_dict
    for _ in range(2):
        services.add_team_member(
            actor=admin, block=world.block, department=department, user=world.users["department_handler"]
        )
    assert JointTeamMember.objects.count() == 1
    assert list(selectors.block_departments(world.block)) == [department]
