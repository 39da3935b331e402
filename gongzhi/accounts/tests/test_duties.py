"""Separation of duties: system admin, security admin and auditor are dedicated accounts that each
reach only their own pages (403 elsewhere) and no residents' data; a superuser flag does not
reach residents' data outside role scope either."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.accounts import services
from gongzhi.accounts.models import LoginThrottle
from gongzhi.core.permissions import scoped
from gongzhi.org import services as org_services
from gongzhi.org.factories import UserFactory
from gongzhi.org.models import Household, Resident

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/org/households/", "/concerns/", "/volunteers/", "/deliberation/votes/", "/grids/"]
HOMES = {"auditor": "/audit/", "security_admin": "/accounts/security/", "system_admin": "/admin/"}


def as_role(client, world, code):
    client.force_login(world.users[code])
    return client


@pytest.mark.parametrize("code", sorted(HOMES))
def test_each_duty_reaches_only_its_own_pages(client, world, code):
    c = as_role(client, world, code)
    assert c.get("/").url == HOMES[code]
    assert c.get(HOMES[code]).status_code == 200
    others = [h for k, h in HOMES.items() if k != code] + STAFF_PAGES + [reverse("accounts:requests")]
    for url in others:
        assert c.get(url).status_code == 403, url


def test_the_auditor_reads_the_audit_trail_of_their_area(client, world):
    org_services.update_resident(
        actor=world.users["neighborhood_secretary"], resident=world.resident_a, name="改名"
    )
    page = as_role(client, world, "auditor").get("/audit/").content.decode()
    assert world.resident_a.household.neighborhood.subdistrict_id == world.subdistrict.pk
    assert "改名" in page or "更新" in page
    assert client.get("/api/v1/org/households").status_code == 403


def test_no_duty_reads_residents_in_the_admin_or_through_scope(client, world):
    for code in HOMES:
        user = world.users[code]
        assert not scoped(user, Resident.objects.all()).exists()
        assert not scoped(user, Household.objects.all()).exists()
    c = as_role(client, world, "system_admin")
    assert c.get("/admin/org/resident/").status_code == 403
    assert c.get("/admin/org/household/").status_code == 403


def test_the_system_admin_keeps_staff_accounts_but_not_residents_accounts(client, world):
    resident_user = UserFactory(username="r-resident", kind="resident")
    c = as_role(client, world, "system_admin")
    page = c.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "neighborhood_secretary" in page and "r-resident" not in page
    assert c.get(reverse("admin:accounts_user_change", args=[resident_user.pk])).status_code == 302
    change = c.get(reverse("admin:accounts_user_change", args=[world.users["grid_worker"].pk]))
    assert change.status_code == 200 and 'name="is_superuser"' not in change.content.decode()


def test_a_superuser_without_roles_sees_no_residents_in_the_admin(client, world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    page = client.get("/admin/org/resident/")
    assert page.status_code == 200
    for r in (world.resident_a, world.resident_b, world.resident_far):
        assert f"/admin/org/resident/{r.pk}/change/" not in page.content.decode()
    assert not scoped(root, Resident.objects.all()).exists()


def test_a_superuser_with_a_role_sees_only_that_area(world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    org_services.assign_role(actor=None, user=root, role="neighborhood_secretary", unit=world.neighborhood_a)
    seen = set(scoped(root, Resident.objects.all()).values_list("pk", flat=True))
    assert (
        world.resident_a.pk in seen and world.resident_b.pk not in seen and world.resident_far.pk not in seen
    )


@pytest.mark.parametrize("first,second", [("auditor", "security_admin"), ("system_admin", "auditor"),
                                          ("auditor", "neighborhood_secretary"), ("social_worker", "system_admin")])  # fmt: skip
def test_one_account_holds_no_duty_role_with_another_role(world, first, second):
    user = UserFactory(username="dual", is_staff=True)
    unit = {"neighborhood_secretary": world.neighborhood_a, "social_worker": world.neighborhood_a}
    org_services.assign_role(actor=None, user=user, role=first, unit=unit.get(first, world.subdistrict))
    with pytest.raises(ValidationError):
        org_services.assign_role(actor=None, user=user, role=second, unit=unit.get(second, world.subdistrict))
    assert user.role_assignments.count() == 1


def test_a_duty_on_two_towns_is_still_one_duty(world):
    org_services.assign_role(
        actor=None, user=world.users["auditor"], role="auditor", unit=world.subdistrict_far
    )
    assert world.users["auditor"].role_assignments.count() == 2


def test_the_security_admin_lifts_a_lockout_and_ends_sessions(client, world):
    for _ in range(services.PAIR_LIMIT):
        services.record_failed_sign_in("grid_worker", "10.1.1.1")
    assert services.locked_until("grid_worker", "10.1.1.1") is not None
    c = as_role(client, world, "security_admin")
    page = c.get("/accounts/security/").content.decode()
    assert "pair:grid_worker|10.1.1.1" in page
    c.post("/accounts/security/", {"action": "unlock", "key": "pair:grid_worker|10.1.1.1"})
    assert services.locked_until("grid_worker", "10.1.1.1") is None
    epoch = world.users["grid_worker"].session_epoch
    c.post("/accounts/security/", {"action": "end_sessions", "key": "grid_worker"})
    world.users["grid_worker"].refresh_from_db()
    assert world.users["grid_worker"].session_epoch == epoch + 1
    assert not LoginThrottle.objects.filter(key="pair:grid_worker|10.1.1.1").exists()
    # The auditor of the town reads what its security admin did.
    client.force_login(world.users["auditor"])
    trail = client.get("/audit/").content.decode()
    assert "lock lifted: pair:grid_worker|10.1.1.1" in trail and "grid_worker: all sessions ended" in trail


def test_only_the_security_admin_uses_the_security_page(client, world):
    for code in ("subdistrict_admin", "neighborhood_secretary", "auditor"):
        client.force_login(world.users[code])
        assert client.get("/accounts/security/").status_code == 403
    client.logout()
    assert client.get("/accounts/security/").status_code == 302
    with pytest.raises(PermissionDenied):
        services.lift_lock(actor=world.users["subdistrict_admin"], key="x")


@pytest.mark.django_db(transaction=True)
def test_two_duties_given_to_one_account_at_once_leave_one(world):
    from django.db import connection

    from gongzhi.core.testing import run_together

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    user = UserFactory(username="dual", is_staff=True)
    outcomes = run_together(
        lambda: org_services.assign_role(actor=None, user=user, role="auditor", unit=world.subdistrict),
        lambda: org_services.assign_role(actor=None, user=user, role="system_admin", unit=world.subdistrict),
    )
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert user.role_assignments.count() == 1


def test_the_auditor_reads_sign_ins_of_staff_and_residents_of_their_town(client, world):
    from gongzhi.accounts.tests.residents import sign_in_by_phone

    client.post(reverse("accounts:login"), {"username": "grid_worker", "password": "gongzhi-test-pass"})
    client.logout()
    sign_in_by_phone(client, world.resident_a.phone)
    client.logout()
    records = as_role(client, world, "auditor").get("/audit/?action=login").content.decode()
    assert "grid_worker" in records and "phone code" in records
