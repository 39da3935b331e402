"""The field page, its data for the phone, the service worker and manifest, and sign-out's wipe."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.org import factories as f
from gongzhi.org.models import Household, Resident

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(world):
    for url in (reverse("field:home"), reverse("field:data")):
        answer = Client().get(url)
        assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_the_grid_worker_keeps_their_own_grid_masked(world):
    answer = signed_in(world.users["grid_worker"]).get(reverse("field:data"))
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    data = answer.json()
    assert [h["id"] for h in data["households"]] == [world.household_a.pk]
    name = world.resident_a.name
    assert data["households"][0]["name"] == name[0] + "*" * (len(name) - 1)
    assert name not in answer.content.decode()
    assert world.resident_a.phone not in answer.content.decode()
    assert data["user"] == world.users["grid_worker"].pk and data["expires_at"] > data["fetched_at"]


def test_roles_without_visits_keep_no_households(world):
    for role in ("volunteer_team_chief", "department_handler", "stairwell_chief"):
        data = signed_in(world.users[role]).get(reverse("field:data")).json()
        assert data["households"] == [] and data["buildings"] == [], role


def test_500_households_stay_well_under_5_mb(world):
    grid = world.grid_a
    building = world.household_a.building
    Household.objects.bulk_create(
        Household(building=building, neighborhood=building.neighborhood, micro_grid=grid, room=f"{1000 + n}")
        for n in range(499)
    )
    Resident.objects.bulk_create(
        Resident(household=h, name="欧阳某某") for h in Household.objects.filter(micro_grid=grid)
    )
    answer = signed_in(world.users["grid_worker"]).get(reverse("field:data"))
    data = answer.json()
    assert len(data["households"]) == 500
    size = len(answer.content)
    print(f"field data for 500 households: {size} bytes")
    assert size < 5 * 1024 * 1024 and size < 200 * 1024


def test_the_page_shows_the_queue_and_its_forms(world):
    answer = signed_in(world.users["grid_worker"]).get(reverse("field:home"))
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="form-visit"' in page and 'id="field-pending"' in page and "manifest" in page
    assert "待上传" in page
    assert answer.cookies.get("csrftoken") is not None


def test_a_volunteer_gets_check_in_but_no_visit_form(world):
    user = f.UserFactory(username="vol-only")
    page = signed_in(user).get(reverse("field:home")).content.decode()
    assert 'id="form-visit"' not in page and 'id="form-check_in"' in page


def test_service_worker_at_the_root_with_its_headers(world):
    answer = Client().get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/" and "no-cache" in answer["Cache-Control"]
    body = answer.content.decode()
    assert 'const STATIC = "/static/";' in body and 'const FIELD = "/field/";' in body
    assert "Content-Security-Policy" in answer  # the site's CSP, which lets it fetch only from here


def test_manifest(world):
    answer = Client().get(reverse("field:manifest"))
    assert answer["Content-Type"] == "application/manifest+json"
    data = json.loads(answer.content)
    assert data["start_url"] == "/field/" and data["icons"]


def test_sign_out_tells_the_browser_to_wipe_the_site_data(world):
    client = signed_in(world.users["grid_worker"])
    answer = client.post(reverse("accounts:logout"))
    assert answer.status_code == 302
    assert answer["Clear-Site-Data"] == '"cache", "storage"'
