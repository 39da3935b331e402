"""assignments_of runs a query compiled once per database: it must load what the ORM loads, read
the rows anew for every request's user object, and need no query for the assignment's user."""

import pytest

from gongzhi.accounts.models import User
from gongzhi.core import permissions
from gongzhi.org import services
from gongzhi.org.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _fields(assignment):
    return {f.attname: getattr(assignment, f.attname) for f in RoleAssignment._meta.concrete_fields}


def test_the_assignments_are_those_the_orm_loads(world):
    user = world.users["grid_worker"]
    services.assign_role(actor=None, user=user, role="volunteer_team_chief", unit=world.neighborhood_a)
    loaded = permissions.assignments_of(User.objects.get(pk=user.pk))
    expected = list(RoleAssignment.objects.filter(user=user))
    assert sorted(map(_fields, loaded), key=lambda d: d["id"]) == sorted(
        map(_fields, expected), key=lambda d: d["id"]
    )
    assert len(loaded) == 2


def test_a_role_given_or_withdrawn_counts_for_the_next_request(world, django_assert_num_queries):
    user = world.users["grid_worker"]
    assert [a.role for a in permissions.assignments_of(User.objects.get(pk=user.pk))] == ["grid_worker"]
    services.revoke_role(actor=None, assignment=RoleAssignment.objects.get(user=user))
    assert permissions.assignments_of(User.objects.get(pk=user.pk)) == []
    services.assign_role(actor=None, user=user, role="grid_worker", unit=world.grid_a)
    request_user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        (assignment,) = permissions.assignments_of(request_user)
        assert assignment.user is request_user and assignment.unit_id == world.grid_a.pk
