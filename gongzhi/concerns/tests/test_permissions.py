"""Every role × every concern page and endpoint × own and other area: 404 outside, 403 without the
right, 401 or the login page for anonymous callers."""

import json

import pytest
from django.urls import reverse

from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.roles import DUTY_ROLES, ROLES

pytestmark = pytest.mark.django_db
ROLE_CODES = list(ROLES)
AREA = {
    "subdistrict_admin",
    "neighborhood_secretary",
    "social_worker",
    "grid_chief",
    "grid_worker",
    "block_chief",
}
CONCERN_READERS = AREA | {
    "property_staff",
    "owners_committee_member",
    "partner_liaison",
    "department_handler",
}
EXPORTERS = {"subdistrict_admin", "neighborhood_secretary"}


def duty_refused(client, world, role, concerns=None) -> bool:
    """System and security admins and auditors (三员) get 403 on every concern page and endpoint."""
    if role not in DUTY_ROLES:
        return False
    client.force_login(world.users[role])
    pk = next(iter(concerns.values())).pk if concerns else 1
    for url in (reverse("concerns:queue"), reverse("concerns:detail", args=[pk]), "/api/v1/concerns"):
        assert client.get(url).status_code == 403, url
    return True


@pytest.fixture
def concerns(world):
    """One concern per handler kind in area A, one in neighborhood B, one in another subdistrict."""
    parking = category()
    admin = world.users["subdistrict_admin"]
    department = world.users["department_handler"].role_assignments.get().department
    partner = world.users["partner_liaison"].role_assignments.get().partner_unit
    made = {
        "prop": concern_for(world, category=parking),
        "dept": concern_for(world, category=parking),
        "partner": concern_for(world, category=parking),
        "b": concern_for(world, actor=admin, household=world.household_b, category=parking),
    }
    Concern.objects.filter(pk=made["prop"].pk).update(
        handler_kind="property_company", handler_compound=world.household_a.building.compound
    )
    Concern.objects.filter(pk=made["dept"].pk).update(
        handler_kind="department", handler_department=department
    )
    Concern.objects.filter(pk=made["partner"].pk).update(
        handler_kind="partner_unit", handler_partner_unit=partner
    )
    far_admin = _far_admin(world)
    made["far"] = concern_for(world, actor=far_admin, household=world.household_far, category=parking)
    return made


def _far_admin(world):
    from gongzhi.org import factories as f
    from gongzhi.org import services

    user = f.UserFactory(username="far_admin", is_staff=True)
    services.assign_role(actor=None, user=user, role="subdistrict_admin", unit=world.subdistrict_far)
    return user


def visible(role: str) -> set[str]:
    if role == "subdistrict_admin":
        return {"prop", "dept", "partner", "b"}
    if role in AREA:
        return {"prop", "dept", "partner"}
    return {
        "property_staff": {"prop"},
        "owners_committee_member": {"prop"},
        "department_handler": {"dept"},
        "partner_liaison": {"partner"},
    }.get(role, set())


@pytest.mark.parametrize("role", ROLE_CODES)
def test_queue_and_detail_pages_show_only_own_area(client, world, concerns, role):
    if duty_refused(client, world, role, concerns):
        return
    client.force_login(world.users[role])
    queue = client.get(reverse("concerns:queue"))
    assert queue.status_code == (200 if role in CONCERN_READERS else 403)
    for name, concern in concerns.items():
        seen = name in visible(role)
        if queue.status_code == 200:
            assert (f'data-concern="{concern.pk}"' in queue.content.decode()) == seen, name
        assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == (
            200 if seen else 404
        ), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_dispatch_by_page_needs_area_staff(client, world, concerns, role):
    if duty_refused(client, world, role, concerns):
        return
    client.force_login(world.users[role])
    concern = concerns["prop"]
    response = client.post(
        reverse("concerns:transition", args=[concern.pk]), {"action": "dispatch", "version": concern.version}
    )
    if "prop" not in visible(role):
        expected = 404
    else:
        expected = 302 if role in AREA else 403
    assert response.status_code == expected
    concern.refresh_from_db()
    assert (concern.state == "dispatched") == (expected == 302)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_other_pages_open_to_concern_roles_only_and_export_needs_the_capability(
    client, world, concerns, role
):
    client.force_login(world.users[role])
    pages = (
        "supervision",
        "kpi",
        "intake",
        "concerns:visit_new",
        "visits:coverage",
        "concerns:visit_households",
    )
    for name in pages:
        assert client.get(reverse(name if ":" in name else f"concerns:{name}")).status_code == (
            200 if role in CONCERN_READERS else 403
        ), name
    export = client.get(reverse("concerns:kpi_export"))  # on to the approval request (core.exports)
    assert export.status_code == (302 if role in EXPORTERS else 403)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_api_list_detail_and_transition_respect_area_and_role(client, world, concerns, role):
    if duty_refused(client, world, role, concerns):
        return
    client.force_login(world.users[role])
    listed = {c["id"] for c in client.get("/api/v1/concerns?limit=500").json()}
    for name, concern in concerns.items():
        seen = name in visible(role)
        assert (concern.pk in listed) == seen, name
        assert client.get(f"/api/v1/concerns/{concern.pk}").status_code == (200 if seen else 404), name
    response = client.post(
        f"/api/v1/concerns/{concerns['dept'].pk}/transitions",
        data=json.dumps({"action": "dispatch", "version": 1}),
        content_type="application/json",
    )
    expected = 404 if "dept" not in visible(role) else (200 if role in AREA else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLE_CODES)
def test_api_intake_needs_the_household_in_area_and_concern_write(client, world, role):
    if duty_refused(client, world, role):
        return
    category()
    client.force_login(world.users[role])
    response = client.post(
        "/api/v1/concerns",
        data=json.dumps(
            {"category": "parking", "description": "车棚漏雨", "household_id": world.household_a.pk}
        ),
        content_type="application/json",
    )
    reads_household = "household" in ROLES[role].read and ROLES[role].unit_kind not in {
        "partner_unit",
        "department",
    }
    if role in AREA and reads_household:  # a block chief reads no households: none to report from
        assert response.status_code == 201
    elif reads_household and role != "volunteer_team_chief":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    far = client.post(
        "/api/v1/concerns",
        data=json.dumps({"category": "parking", "description": "x", "household_id": world.household_far.pk}),
        content_type="application/json",
    )
    assert far.status_code == 404


def test_anonymous_gets_the_login_page_and_api_401(client, world, concerns):
    for name in (
        "queue",
        "supervision",
        "kpi",
        "intake",
        "concerns:visit_new",
        "visits:coverage",
        "kpi_export",
    ):
        response = client.get(reverse(name if ":" in name else f"concerns:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name
    assert client.get(reverse("concerns:detail", args=[concerns["prop"].pk])).status_code == 302
    assert client.get("/api/v1/concerns").status_code == 401
    assert client.get(f"/api/v1/concerns/{concerns['prop'].pk}").status_code == 401
    assert client.post("/api/v1/concerns", data="{}", content_type="application/json").status_code == 401


def test_api_stale_version_is_409_with_a_reason(client, world, concerns):
    client.force_login(world.users["social_worker"])
    url = f"/api/v1/concerns/{concerns['prop'].pk}/transitions"
    body = json.dumps({"action": "dispatch", "version": 1})
    assert client.post(url, data=body, content_type="application/json").status_code == 200
    again = client.post(url, data=body, content_type="application/json")
    assert again.status_code == 409 and "social_worker" in again.json()["detail"]


def test_api_retry_with_idempotency_key_returns_the_first_concern(client, world):
    category()
    client.force_login(world.users["grid_worker"])
    body = json.dumps(
        {"category": "parking", "description": "楼道堆物", "household_id": world.household_a.pk}
    )
    first = client.post(
        "/api/v1/concerns", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        "/api/v1/concerns", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Concern.objects.count() == 1


def test_api_bad_input_names_the_field(client, world):
    category()
    client.force_login(world.users["grid_worker"])
    response = client.post(
        "/api/v1/concerns",
        data=json.dumps({"category": "nope", "description": "x", "household_id": world.household_a.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "category" in response.json()["errors"]
    response = client.post(
        "/api/v1/concerns",
        data=json.dumps({"category": "parking", "description": " ", "household_id": world.household_a.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "description" in response.json()["errors"]
    assert Concern.objects.count() == 0


def test_bearer_token_posts_without_csrf_and_keeps_the_scope(world):
    from django.test import Client

    from gongzhi.core.tokens import create_token

    category()
    _item, token = create_token(actor=None, user=world.users["grid_worker"], name="field app")
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = json.dumps(
        {"category": "parking", "description": "路灯坏了", "household_id": world.household_a.pk}
    )
    assert (
        client.post("/api/v1/concerns", data=body, content_type="application/json", **auth).status_code == 201
    )
    far = json.dumps({"category": "parking", "description": "x", "household_id": world.household_far.pk})
    assert (
        client.post("/api/v1/concerns", data=far, content_type="application/json", **auth).status_code == 404
    )
    bad = {"HTTP_AUTHORIZATION": "Bearer wrong"}
    assert client.post("/api/v1/concerns", data=body, content_type="application/json", **bad).status_code in (
        401,
        403,
    )
