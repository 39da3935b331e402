"""Every role × every list, detail and write endpoint × own area / other area (pages, API, admin).

A record outside the caller's area must look absent: 404, never its data, by page and by API.
"""

import json

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import AREA_ROLES, ROLES

pytestmark = pytest.mark.django_db

ROLE_CODES = AREA_ROLES  # the three duty roles are refused everywhere (accounts tests)
# Which of the world's households a role's unit covers (see gongzhi/org/testing.py).
UNIT_COVERS = {
    "subdistrict": {"household_a", "household_a2", "household_b"},
    "neighborhood": {"household_a", "household_a2"},
    "block": {"household_a", "household_a2"},  # 共和街区 holds 杨泰一村
    "micro_grid": {"household_a"},
    "compound": {"household_a"},
    "stairwell": {"household_a"},
    "partner_unit": set(),
    "department": set(),
}
HOUSEHOLD_NAMES = ["household_a", "household_a2", "household_b", "household_far"]


def expected_households(role_code: str) -> set[str]:
    role = ROLES[role_code]
    return UNIT_COVERS[role.unit_kind] if "household" in role.read else set()


def expected_residents(role_code: str) -> set[str]:
    role = ROLES[role_code]
    return UNIT_COVERS[role.unit_kind] if "resident" in role.read else set()


def client_for(client, world, role_code):
    client.force_login(world.users[role_code])
    return client


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_household_list_page_shows_only_own_area(client, world, role_code):
    page = client_for(client, world, role_code).get(reverse("org:households")).content.decode()
    for name in HOUSEHOLD_NAMES:
        link = reverse("org:household", args=[getattr(world, name).pk])
        assert (link in page) == (name in expected_households(role_code)), name


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_household_detail_page_is_404_outside_area(client, world, role_code):
    c = client_for(client, world, role_code)
    for name in HOUSEHOLD_NAMES:
        response = c.get(reverse("org:household", args=[getattr(world, name).pk]))
        assert response.status_code == (200 if name in expected_households(role_code) else 404), name


@pytest.mark.parametrize("role_code", [r for r in ROLE_CODES if expected_households(r)])
def test_household_detail_shows_residents_only_to_roles_that_read_them(client, world, role_code):
    page = client_for(client, world, role_code).get(reverse("org:household", args=[world.household_a.pk]))
    text = page.content.decode()
    assert (world.resident_a.name in text) == ("household_a" in expected_residents(role_code))
    assert world.resident_a.id_number not in text and world.resident_a.phone not in text
    sees_tags = "sensitive" in ROLES[role_code].read
    assert ("独居老人" in text) == sees_tags


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_api_household_list_and_detail_respect_area(client, world, role_code):
    c = client_for(client, world, role_code)
    listed = {h["id"] for h in c.get("/api/v1/households?limit=500").json()}
    for name in HOUSEHOLD_NAMES:
        pk = getattr(world, name).pk
        visible = name in expected_households(role_code)
        assert (pk in listed) == visible, name
        assert c.get(f"/api/v1/households/{pk}").status_code == (200 if visible else 404), name


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_api_resident_list_and_detail_respect_area(client, world, role_code):
    c = client_for(client, world, role_code)
    listed = {r["id"] for r in c.get("/api/v1/residents?limit=500").json()}
    for name in HOUSEHOLD_NAMES:
        resident = getattr(world, name.replace("household", "resident"))
        visible = name in expected_residents(role_code)
        assert (resident.pk in listed) == visible, name
        response = c.get(f"/api/v1/residents/{resident.pk}")
        assert response.status_code == (200 if visible else 404), name
        if visible:
            body = response.json()
            assert body["id_number"] != resident.id_number and "*" in body["id_number"]
            assert body["phone"] != resident.phone and "*" in body["phone"]


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_api_household_write_respects_area_and_role(client, world, role_code):
    c = client_for(client, world, role_code)
    for name in HOUSEHOLD_NAMES:
        household = getattr(world, name)
        response = c.patch(
            f"/api/v1/households/{household.pk}",
            data=json.dumps({"floor_area": "77.70"}),
            content_type="application/json",
        )
        if name not in expected_households(role_code):
            assert response.status_code == 404, name
        elif "household" in ROLES[role_code].write:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name
        household.refresh_from_db()
        assert (str(household.floor_area) == "77.70") == (response.status_code == 200)


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_unmask_needs_area_and_capability(client, world, role_code):
    c = client_for(client, world, role_code)
    for name in HOUSEHOLD_NAMES:
        resident = getattr(world, name.replace("household", "resident"))
        before = AuditRecord.objects.filter(action="unmask").count()
        response = c.post(
            f"/api/v1/residents/{resident.pk}/unmask",
            data={"reason": "入户核对身份"},
            content_type="application/json",
        )
        visible = name in expected_residents(role_code)
        if not visible:
            assert response.status_code == 404, name
        elif ROLES[role_code].unmask:
            assert response.status_code == 200 and response.json()["id_number"] == resident.id_number
        else:
            assert response.status_code == 403, name
        audited = AuditRecord.objects.filter(action="unmask").count() - before
        assert audited == (1 if response.status_code == 200 else 0)


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_neighborhood_page_is_404_outside_area(client, world, role_code):
    c = client_for(client, world, role_code)
    far = c.get(reverse("org:neighborhood", args=[world.neighborhood_far.pk]))
    assert far.status_code == 404
    own = c.get(reverse("org:neighborhood", args=[world.neighborhood_a.pk]))
    reaches_a = ROLES[role_code].unit_kind in {
        "subdistrict",
        "block",
        "neighborhood",
        "micro_grid",
        "compound",
        "stairwell",
    }
    assert own.status_code == (200 if reaches_a and "place" in ROLES[role_code].read else 404)


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_admin_lists_and_change_pages_respect_area(client, world, role_code):
    c = client_for(client, world, role_code)
    changelist = c.get(reverse("admin:org_household_changelist"))
    if not expected_households(role_code):
        assert changelist.status_code == 403
        return
    text = changelist.content.decode()
    for name in HOUSEHOLD_NAMES:
        url = reverse("admin:org_household_change", args=[getattr(world, name).pk])
        assert (url in text) == (name in expected_households(role_code)), name
    far = c.get(reverse("admin:org_household_change", args=[world.household_far.pk]))
    # The admin's "no such object" answer: a redirect to its index, carrying no data.
    assert far.status_code == 302 and far.url == reverse("admin:index")


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_workbench_counts_only_own_area(client, world, role_code):
    c = client_for(client, world, role_code)
    summary = c.get("/api/v1/summary").json()
    assert summary["households"] == len(expected_households(role_code))
    assert c.get(reverse("core:workbench")).status_code == 200


def test_anonymous_gets_login_page_and_api_401(client, world):
    assert client.get(reverse("core:workbench")).status_code == 302
    assert client.get(reverse("org:household", args=[world.household_a.pk])).status_code == 302
    assert client.get("/api/v1/households").status_code == 401
    assert client.get(f"/api/v1/residents/{world.resident_a.pk}").status_code == 401


def test_api_token_gives_the_same_scope(client, world):
    from gongzhi.core.tokens import create_token

    _item, token = create_token(actor=None, user=world.users["grid_worker"], name="phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = {h["id"] for h in client.get("/api/v1/households?limit=500", **auth).json()}
    assert listed == {world.household_a.pk}
    assert client.get(f"/api/v1/households/{world.household_far.pk}", **auth).status_code == 404
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_api_token_can_write_without_a_csrf_cookie(world):
    from django.test import Client

    from gongzhi.core.tokens import create_token

    _item, token = create_token(actor=None, user=world.users["neighborhood_secretary"], name="app")
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        f"/api/v1/households/{world.household_a.pk}",
        data=json.dumps({"floor_area": "71.00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    anonymous = client.patch(
        f"/api/v1/households/{world.household_a.pk}", data="{}", content_type="application/json"
    )
    assert anonymous.status_code in (401, 403)  # no token, no session: refused (CSRF answers first)
