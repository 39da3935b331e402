"""A neighborhood secretary draws micro-grids, reviews the proposal on the map and adopts it."""

import math

import pytest

from gongzhi.grids import services
from gongzhi.grids.models import GridPlan
from gongzhi.grids.tests.test_services import add_row
from tests.browser.conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("gongzhi.grids.tests.test_views"),
]


@pytest.fixture
def live(live_server, world):
    """Neighborhood A gets 4 compounds of 3 rows × 6 buildings of 24 households (1,728 in all),
    already drawn once into grids of 200–300 households."""
    for block in range(4):
        for row in range(3):
            lat = 31.30 + (row * 25 + (block // 2) * 110) / 111_320
            add_row(world.neighborhood_a, 6, 24, lat=lat, first=(block % 2) * 7)
    plan = services.propose_plan(
        actor=world.users["neighborhood_secretary"],
        neighborhood=world.neighborhood_a,
        min_households=200,
        max_households=300,
    )
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    assert math.isfinite(plan.seconds)
    return live_server


def test_secretary_draws_reviews_and_adopts_grids(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    page.wait_for_selector("#grid-chart svg")
    assert page.locator("#grid-map path.leaflet-interactive").count() >= 6
    page.click(f'a[href="/grids/neighborhoods/{world.neighborhood_a.pk}/draw/"]')
    page.fill("#id_min_households", "300")
    page.fill("#id_max_households", "500")
    page.check("input[name=mode][value=full]")
    page.click("button[type=submit]")
    page.wait_for_url("**/grids/plans/*/")
    page.wait_for_selector("#plan-map path.leaflet-interactive")
    plan = GridPlan.objects.latest("id")
    assert page.locator("#plan-map path.leaflet-interactive").count() >= len(set(plan.proposed.values()))
    assert page.locator("tr[data-grid]").count() == len(set(plan.proposed.values()))
    page.locator("#plan-map path.leaflet-interactive").first.hover()
    page.wait_for_selector(".leaflet-tooltip")
    screenshot(page, "grid-proposal")
    page.click("button[data-action=adopt]")
    page.wait_for_selector("[data-status=adopted]")
    plan.refresh_from_db()
    assert plan.status == GridPlan.Status.ADOPTED
    page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    page.wait_for_selector("#grid-chart svg")
    screenshot(page, "grid-map")


def test_draw_form_shows_drawing_note_and_field_errors(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/draw/")
    assert page.locator("#drawing").is_hidden()
    page.fill("#id_min_households", "600")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-error=max_households]")
    assert GridPlan.objects.filter(status=GridPlan.Status.PROPOSED).count() == 0


def test_grid_map_on_a_phone(phone_page, live, world):
    sign_in(phone_page, live, "neighborhood_secretary")
    phone_page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/")
    phone_page.wait_for_selector("#grid-map path.leaflet-interactive")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone_page, "grid-map-phone")
