"""Demo logins: one per role, able to sign in, each seeing only its own area."""

from functools import cache

import pytest

from gongzhi.core.permissions import scoped
from gongzhi.core.roles import AREA_ROLES, ROLES
from gongzhi.org.demo import accounts, catalog, loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Department, Household, Neighborhood, PartnerUnit, RoleAssignment

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=3000, seed=11)


@pytest.fixture
def loaded():
    return loader.load_town(small_town(), progress=None)


def test_there_is_one_demo_account_per_role(loaded):
    roles = RoleAssignment.objects.filter(user__username__in=[a[0] for a in catalog.DEMO_ACCOUNTS])
    assert sorted(roles.values_list("role", flat=True)) == sorted(
        AREA_ROLES
    )  # duty accounts come from accounts.demo
    assert {login.username for login in loaded.logins} >= {
        "admin",
        "admin2",
        "secretary",
        "gridworker",
        "sysadmin",
    }


def test_every_demo_account_signs_in_with_the_demo_password(loaded, client):
    for username, *_rest in [*catalog.DEMO_ACCOUNTS, catalog.SYSTEM_ADMIN, catalog.SUBDISTRICT_COLLEAGUE]:
        assert client.login(username=username, password=accounts.DEFAULT_PASSWORD), username
        client.logout()


def test_demo_staff_may_use_the_admin_and_sysadmin_is_the_system_admin(loaded, django_user_model):
    staff = django_user_model.objects.filter(username__in=[a[0] for a in catalog.DEMO_ACCOUNTS])
    assert staff.count() == len(AREA_ROLES) and all(u.is_staff and not u.is_superuser for u in staff)
    sysadmin = django_user_model.objects.get(username="sysadmin")
    assert sysadmin.is_staff and not sysadmin.is_superuser
    assert list(sysadmin.role_assignments.values_list("role", flat=True)) == ["system_admin"]
    assert not scoped(sysadmin, Household.objects.all()).exists()


def _user(django_user_model, username):
    return django_user_model.objects.get(username=username)


def test_each_role_sees_only_the_households_of_its_own_unit(loaded, django_user_model):
    everyone = Household.objects.count()
    for username, _name, role, _level in catalog.DEMO_ACCOUNTS:
        user = _user(django_user_model, username)
        seen = scoped(user, Household.objects.all())
        assignment = user.role_assignments.get()
        if "household" not in ROLES[role].read:
            assert not seen.exists(), username
            continue
        kind = ROLES[role].unit_kind
        path = Household.scope_paths[kind]
        assert seen.count() == Household.objects.filter(**{path: assignment.unit_id}).count() > 0, username
        if kind != "subdistrict":
            assert seen.count() < everyone, username


def test_neighborhood_roles_do_not_see_another_neighborhood(loaded, django_user_model):
    secretary = _user(django_user_model, "secretary")
    own = secretary.role_assignments.get().neighborhood_id
    other = Neighborhood.objects.exclude(pk=own).first()
    assert not scoped(secretary, Household.objects.filter(neighborhood=other)).exists()


def test_partner_and_department_roles_see_only_their_own_unit(loaded, django_user_model):
    partner = _user(django_user_model, "partner")
    assert list(scoped(partner, PartnerUnit.objects.all()).values_list("name", flat=True)) == ["上海大学"]
    department = _user(django_user_model, "department")
    assert scoped(department, Department.objects.all()).count() == 1


def test_running_again_neither_adds_accounts_nor_roles(loaded):
    before = RoleAssignment.objects.count()
    again = loader.load_town(small_town(), progress=None)
    assert not again.loaded and RoleAssignment.objects.count() == before
    assert [login.username for login in again.logins] == [login.username for login in loaded.logins]
