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
    assert client.get("/admin/org/resident/").status_code == 403
    for r in (world.resident_a, world.resident_b, world.resident_far):
        assert client.get(f"/admin/org/resident/{r.pk}/change/").status_code in (302, 403)
    assert not scoped(root, Resident.objects.all()).exists()


def test_a_superuser_with_a_role_sees_only_that_area(world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    org_services.assign_role(actor=None, user=root, role="neighborhood_secretary", unit=world.neighborhood_a)
    seen = set(scoped(root, Resident.objects.all()).values_list("pk", flat=True))
    assert (
        world.resident_a.pk in seen and world.resident_b.pk not in seen and world.resident_far.pk not in seen
    )


@pytest.mark.parametrize(
    "first,second",
    [
        ("auditor", "security_admin"),
        ("system_admin", "auditor"),
        ("auditor", "neighborhood_secretary"),
        ("social_worker", "system_admin"),
    ],
)
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
    assert "解除锁定: pair:grid_worker|10.1.1.1" in trail and "grid_worker: 全部会话已结束" in trail


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
    assert "grid_worker" in records and "手机验证码登录" in records


# --- A superuser is a technical account: the flag grants no data ------------------------------


@pytest.fixture
def root(world):
    """A Django superuser with no role assignment."""
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_a_superuser_without_roles_reads_no_residents_concerns_or_audit(world, root):
    from gongzhi.concerns.selectors import concerns_visible_to
    from gongzhi.concerns.tests.conftest import concern_for
    from gongzhi.core import minors, permissions
    from gongzhi.core.selectors import audit_records_visible_to

    concern_for(world)
    assert concerns_visible_to(world.users["grid_worker"]).exists()
    assert not concerns_visible_to(root).exists()
    assert not audit_records_visible_to(root).exists()
    assert audit_records_visible_to(world.users["auditor"]).exists()
    assert not minors.may_see(root, world.resident_a)
    for data_class in ("resident", "concern", "audit", "volunteer", "minor"):
        assert not permissions.may_read_class(root, data_class), data_class
    assert not permissions.has_capability(root, "export")
    assert not permissions.has_capability(root, "unmask")


def test_a_superuser_without_roles_creates_no_residents_and_imports_no_ledger(world, root):
    from gongzhi.core import permissions
    from gongzhi.org.ledger import may_import

    path = permissions.household_path(world.household_a)
    assert not permissions.can_create(root, Household, path)
    assert not permissions.can_create(root, Resident, path)
    assert not may_import(root)
    assert permissions.can_create(world.users["neighborhood_secretary"], Household, path)


def test_a_superuser_without_roles_reads_no_stored_file(world, root, settings, tmp_path, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.core import uploads
    from gongzhi.core.tests.test_uploads import PNG

    settings.MEDIA_ROOT = tmp_path
    nb = world.neighborhood_a
    item = uploads.store(
        SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        "photo",
        actor=world.users["grid_worker"],
        data_class="concern",
        area=(nb.subdistrict_id, nb.pk),
    )
    assert uploads.may_read(world.users["social_worker"], item)
    assert not uploads.may_read(root, item)
    client.force_login(root)
    assert client.get(reverse("core:stored_file", args=[item.name])).status_code in (403, 404)


def test_a_superuser_without_roles_neither_requests_nor_approves_nor_sees_exports(
    world, root, settings, tmp_path
):
    from gongzhi.core import exports
    from gongzhi.core.errors import NotInScope

    settings.VAR_DIR = tmp_path
    params = {"neighborhood": str(world.neighborhood_a.pk)}
    with pytest.raises(PermissionDenied):
        exports.request_export(root, "org.households", params, "年度民政核对")
    item = exports.request_export(
        world.users["neighborhood_secretary"], "org.households", params, "年度民政核对"
    )
    assert not exports.may_decide(root, item)
    with pytest.raises(NotInScope):
        exports.decide(root, item, approve=True)
    assert not exports.requests_visible_to(root).exists()
    assert exports.requests_visible_to(world.users["subdistrict_admin"]).filter(pk=item.pk).exists()


def test_no_one_reads_sign_in_codes_or_answer_links_in_the_admin(client, world, root):
    from gongzhi.accounts.tests.residents import last_code, send_code
    from gongzhi.notifications.models import Message

    assert send_code(client, world.resident_a.phone).status_code == 200
    code = last_code(world.resident_a.phone)
    Message.objects.filter(channel="sms").update(link="/volunteers/answer/secret-token/")
    message = Message.objects.filter(channel="sms").latest("pk")
    for user in (root, world.users["system_admin"]):
        client.force_login(user)
        listing = client.get(reverse("admin:notifications_message_changelist"))
        detail = client.get(reverse("admin:notifications_message_change", args=[message.pk]))
        assert listing.status_code == 200 and detail.status_code == 200
        for page in (listing, detail):
            text = page.content.decode()
            assert code not in text and "secret-token" not in text and world.resident_a.phone not in text
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("admin:notifications_message_changelist")).status_code == 403


def test_a_superuser_without_roles_opens_no_data_page_in_the_admin(client, world, root):
    from gongzhi.concerns.tests.conftest import concern_for

    concern_for(world)
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" in index  # accounts: the technical duty
    for url in ("/admin/org/household/", "/admin/core/auditrecord/", "/admin/insights/hotissue/"):
        assert client.get(url).status_code == 403, url
        assert url not in index, url
    for url in ("/concerns/", "/volunteers/", "/org/households/", "/audit/"):
        response = client.get(url)
        assert response.status_code in (403, 404) or world.resident_a.name not in response.content.decode(), (
            url
        )


def test_the_system_admin_keeps_accounts_and_roles_in_the_admin(client, world):
    c = as_role(client, world, "system_admin")
    assert c.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert c.get(reverse("admin:org_roleassignment_changelist")).status_code == 200
    assert c.get(reverse("admin:org_roleassignment_add")).status_code == 200
    assert c.get(reverse("admin:notifications_message_changelist")).status_code == 200
    assert c.get("/admin/core/auditrecord/").status_code == 403
