"""Every grid page × every role × own area / other area; the draw form's errors; adopt and discard.

Out of area → 404 (never the data); may read the area but not change its places → 403.
"""

import pytest
from django.urls import include, path, reverse

from gongzhi import urls as root_urls
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import AREA_ROLES, ROLES
from gongzhi.grids import services
from gongzhi.grids.models import GridPlan
from gongzhi.grids.tests.test_services import SMALL, add_row
from gongzhi.org.testing import far_admin

# The project URLconf includes the grids pages at "grids/"; until it does, this module serves them.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "grids" for p in urlpatterns):
    urlpatterns.append(path("grids/", include("gongzhi.grids.urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ROLE_CODES = AREA_ROLES  # the three duty roles are refused everywhere (accounts tests)
REACHES_A = {"subdistrict", "block", "neighborhood", "micro_grid", "compound", "stairwell"}


def reads_area_a(code: str) -> bool:
    role = ROLES[code]
    return "place" in role.read and role.unit_kind in REACHES_A


def writes_neighborhood(code: str) -> bool:
    role = ROLES[code]
    return "place" in role.write and role.unit_kind in {"subdistrict", "neighborhood"}


def writes_subdistrict(code: str) -> bool:
    role = ROLES[code]
    return "place" in role.write and role.unit_kind == "subdistrict"


def expected(code: str, write: bool = False, area_write=writes_neighborhood) -> int:
    if not reads_area_a(code):
        return 404
    if write and not area_write(code):
        return 403
    return 200


@pytest.fixture
def plans(world):
    """A proposed plan in neighborhood A and one in the far subdistrict."""
    add_row(world.neighborhood_a, 6, 2)
    add_row(world.neighborhood_far, 4, 2)
    own = services.propose_plan(
        actor=world.users["subdistrict_admin"], neighborhood=world.neighborhood_a, **SMALL
    )
    far = services.propose_plan(actor=far_admin(world), neighborhood=world.neighborhood_far, **SMALL)
    return own, far


def login(client, world, code):
    client.force_login(world.users[code])
    return client


@pytest.mark.parametrize("code", ROLE_CODES)
def test_grid_maps_need_the_area(client, world, plans, code):
    c = login(client, world, code)
    assert c.get(reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk])).status_code == expected(
        code
    )
    assert c.get(reverse("grids:neighborhood_map", args=[world.neighborhood_far.pk])).status_code == 404
    assert c.get(reverse("grids:subdistrict_map", args=[world.subdistrict.pk])).status_code == expected(code)
    assert c.get(reverse("grids:subdistrict_map", args=[world.subdistrict_far.pk])).status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_draw_forms_need_write_on_places_of_the_area(client, world, plans, code):
    c = login(client, world, code)
    own = c.get(reverse("grids:neighborhood_draw", args=[world.neighborhood_a.pk]))
    assert own.status_code == expected(code, write=True)
    assert c.get(reverse("grids:neighborhood_draw", args=[world.neighborhood_far.pk])).status_code == 404
    whole = c.get(reverse("grids:subdistrict_draw", args=[world.subdistrict.pk]))
    assert whole.status_code == expected(code, write=True, area_write=writes_subdistrict)
    assert c.get(reverse("grids:subdistrict_draw", args=[world.subdistrict_far.pk])).status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_posting_the_draw_form_needs_write_too(client, world, plans, code):
    c = login(client, world, code)
    before = GridPlan.objects.count()
    form = {"min_households": 3, "max_households": 5, "gap_m": 30, "mode": "least"}
    response = c.post(reverse("grids:neighborhood_draw", args=[world.neighborhood_a.pk]), form)
    status = expected(code, write=True)
    assert response.status_code == (302 if status == 200 else status)
    assert GridPlan.objects.count() == before + (1 if status == 200 else 0)
    far = c.post(reverse("grids:neighborhood_draw", args=[world.neighborhood_far.pk]), form)
    assert far.status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_plan_review_and_list_show_only_own_area(client, world, plans, code):
    own, far = plans
    c = login(client, world, code)
    page = c.get(reverse("grids:plan", args=[own.pk]))
    assert page.status_code == expected(code)
    assert c.get(reverse("grids:plan", args=[far.pk])).status_code == 404
    listing = c.get(reverse("grids:plans")).content.decode()
    assert (reverse("grids:plan", args=[own.pk]) in listing) == reads_area_a(code)
    assert reverse("grids:plan", args=[far.pk]) not in listing
    if page.status_code == 200:
        shows_buttons = 'data-action="adopt"' in page.content.decode()
        assert shows_buttons == writes_neighborhood(code)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_adopt_needs_write_and_area(client, world, plans, code):
    own, far = plans
    c = login(client, world, code)
    response = c.post(reverse("grids:plan_adopt", args=[own.pk]))
    status = expected(code, write=True)
    assert response.status_code == (302 if status == 200 else status)
    own.refresh_from_db()
    assert (own.status == GridPlan.Status.ADOPTED) == (status == 200)
    assert AuditRecord.objects.filter(action="adopt").count() == (1 if status == 200 else 0)
    assert c.post(reverse("grids:plan_adopt", args=[far.pk])).status_code == 404
    assert GridPlan.objects.get(pk=far.pk).status == GridPlan.Status.PROPOSED


@pytest.mark.parametrize("code", ROLE_CODES)
def test_discard_needs_write_and_area(client, world, plans, code):
    own, far = plans
    c = login(client, world, code)
    response = c.post(reverse("grids:plan_discard", args=[own.pk]))
    status = expected(code, write=True)
    assert response.status_code == (302 if status == 200 else status)
    own.refresh_from_db()
    assert (own.status == GridPlan.Status.DISCARDED) == (status == 200)
    assert c.post(reverse("grids:plan_discard", args=[far.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in_everywhere(client, world, plans):
    own, _far = plans
    urls = [
        reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk]),
        reverse("grids:subdistrict_map", args=[world.subdistrict.pk]),
        reverse("grids:neighborhood_draw", args=[world.neighborhood_a.pk]),
        reverse("grids:subdistrict_draw", args=[world.subdistrict.pk]),
        reverse("grids:plans"),
        reverse("grids:plan", args=[own.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    for name in ("grids:plan_adopt", "grids:plan_discard"):
        response = client.post(reverse(name, args=[own.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert GridPlan.objects.get(pk=own.pk).status == GridPlan.Status.PROPOSED


def test_adopt_and_discard_answer_get_with_405(client, world, plans):
    own, _far = plans
    c = login(client, world, "neighborhood_secretary")
    assert c.get(reverse("grids:plan_adopt", args=[own.pk])).status_code == 405
    assert c.get(reverse("grids:plan_discard", args=[own.pk])).status_code == 405


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"min_households": 600, "max_households": 500, "gap_m": 30}, "max_households"),
        ({"min_households": 300, "max_households": 500, "gap_m": -1}, "gap_m"),
        ({"min_households": "abc", "max_households": 500, "gap_m": 30}, "min_households"),
        ({"min_households": 300, "max_households": "", "gap_m": 30}, "max_households"),
        ({"min_households": 300, "max_households": 500, "gap_m": "far"}, "gap_m"),
    ],
)
def test_bad_draw_input_names_the_field_and_changes_nothing(client, world, plans, form, field):
    c = login(client, world, "neighborhood_secretary")
    before = GridPlan.objects.count()
    response = c.post(
        reverse("grids:neighborhood_draw", args=[world.neighborhood_a.pk]), {**form, "mode": "full"}
    )
    assert response.status_code == 400
    assert f'data-error="{field}"' in response.content.decode()
    assert GridPlan.objects.count() == before


def test_review_page_lists_grids_flags_and_changes(client, world, plans):
    own, _far = plans
    page = login(client, world, "neighborhood_secretary").get(reverse("grids:plan", args=[own.pk]))
    text = page.content.decode()
    for code in set(own.proposed.values()):
        assert f'data-grid="{code}"' in text
    assert 'id="map-data"' in text and 'id="changed-data"' in text
    assert page.context["figures"]["buildings_changed"] == 6


def test_second_adopt_by_page_shows_a_clear_error(client, world, plans):
    own, _far = plans
    c = login(client, world, "neighborhood_secretary")
    c.post(reverse("grids:plan_adopt", args=[own.pk]))
    response = c.post(reverse("grids:plan_adopt", args=[own.pk]), follow=True)
    assert response.status_code == 200
    assert any("adopted" in str(m) or "采纳" in str(m) for m in response.context["messages"])
    assert AuditRecord.objects.filter(action="adopt").count() == 1


def test_grid_map_shows_adopted_grids_with_counts(client, world, plans):
    own, _far = plans
    secretary = world.users["neighborhood_secretary"]
    services.adopt_plan(actor=secretary, plan=own)
    page = login(client, world, "neighborhood_secretary").get(
        reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk])
    )
    names = {f["properties"]["name"] for f in page.context["map_data"]["features"]}
    assert names >= set(own.grid_names.values())
    assert page.context["totals"]["households"] == 14  # 12 in the row, 2 in the world's grids
