"""Households due and overdue for a visit on the grid map: counts per building (server-side
aggregate), a popup per building with names masked, only inside the user's area."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.org import factories as f
from gongzhi.org.models import Building
from gongzhi.visits import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world):
    """Coordinates for area A's buildings, a third household in building_a, visits."""
    for i, building in enumerate(Building.objects.all()):
        Building.objects.filter(pk=building.pk).update(lat=31.35 + i / 1000, lng=121.42 + i / 1000)
    building_a = world.household_a.building
    extra = f.HouseholdFactory(
        building=building_a, micro_grid=world.grid_a, neighborhood=building_a.neighborhood
    )
    f.ResidentFactory(household=extra, name="欧阳娜娜")
    secretary = world.users["neighborhood_secretary"]
    services.record_visit(actor=secretary, household=world.household_a, visited_at=timezone.now())
    # The middle of last month only: due this month, not overdue.
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=15)
    noon = timezone.make_aware(datetime.combine(last_month, time(12)))
    services.record_visit(actor=secretary, household=extra, visited_at=noon)
    return extra


def _layer(client, world, kind="neighborhood", pk=None):
    pk = pk or world.neighborhood_a.pk
    return client.get(reverse("visits:map_layer", args=[kind, pk]))


def test_layer_counts_due_and_overdue_households_per_building(client, world, placed):
    client.force_login(world.users["neighborhood_secretary"])
    response = _layer(client, world)
    assert response.status_code == 200
    by_building = {feat["properties"]["id"]: feat["properties"] for feat in response.json()["features"]}
    a = by_building[world.household_a.building_id]
    # household_a visited this month; the extra household last month (due, not overdue).
    assert (a["households"], a["due"], a["overdue"]) == (2, 1, 0) and a["colour"] == "#f1c40f"
    a2 = by_building[world.household_a2.building_id]
    assert (a2["households"], a2["due"], a2["overdue"]) == (1, 1, 1) and a2["colour"] == "#c0392b"
    assert a2["tagged_overdue"] == 1  # the secretary reads sensitive tags
    assert world.household_b.building_id not in by_building  # other neighborhood
    whole = _layer(client, world, "subdistrict", world.subdistrict.pk).json()
    assert len(whole["features"]) == 2  # the secretary's households only


def test_layer_of_a_grid_worker_holds_only_their_grid(client, world, placed):
    client.force_login(world.users["grid_worker"])
    features = _layer(client, world).json()["features"]
    assert [feat["properties"]["id"] for feat in features] == [world.household_a.building_id]
    assert features[0]["properties"]["tagged_overdue"] == 0  # household_a (tagged) was visited today


def test_layer_outside_the_area_is_404_and_anonymous_is_redirected(client, world, placed):
    client.force_login(world.users["neighborhood_secretary"])
    assert _layer(client, world, "neighborhood", world.neighborhood_far.pk).status_code == 404
    assert _layer(client, world, "subdistrict", world.subdistrict_far.pk).status_code == 404
    assert _layer(client, world, "block", world.neighborhood_a.pk).status_code == 404
    client.force_login(world.users["stairwell_chief"])  # no concerns
    assert _layer(client, world).status_code == 403
    client.force_login(world.users["property_staff"])  # concerns routed to them, no visits
    assert _layer(client, world).json()["features"] == []
    client.logout()
    assert _layer(client, world).status_code == 302


def test_popup_lists_the_buildings_due_households_masked(client, world, placed):
    client.force_login(world.users["grid_worker"])
    url = reverse("visits:map_building", args=[world.household_a.building_id])
    html = client.get(url).content.decode()
    assert f'data-due="{placed.pk}"' in html and "欧***" in html and "欧阳娜娜" not in html
    assert f'data-due="{world.household_a.pk}"' not in html  # visited this month
    far = reverse("visits:map_building", args=[world.household_a2.building_id])
    assert client.get(far).status_code == 404  # another grid's building


def test_grid_map_page_offers_the_layer_to_those_who_read_visits(client, world, placed):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk])).content.decode()
    assert "visit-layer-toggle" in page and "visits/visit_map.js" in page
    client.force_login(world.users["stairwell_chief"])
    page = client.get(reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk])).content.decode()
    assert "visit-layer-toggle" not in page
