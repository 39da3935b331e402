"""Coverage in the browser: the secretary sees the plan, the month's figures and the trend chart,
turns on the grid map's layer of households due for a visit and taps a building, and prints the
contact cards of a grid (A6 cards on A4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.org.models import Building
from gongzhi.visits import services
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    for i, building in enumerate(Building.objects.all()):
        Building.objects.filter(pk=building.pk).update(lat=31.35 + i / 500, lng=121.42 + i / 500)
    admin = world.users["subdistrict_admin"]
    services.seed_default_rules(actor=admin, subdistrict=world.subdistrict)
    services.save_hotline(actor=admin, subdistrict=world.subdistrict, name="市民服务热线", number="12345")
    secretary = world.users["neighborhood_secretary"]
    services.record_visit(actor=secretary, household=world.household_a, visited_at=timezone.now())
    services.record_visit(
        actor=secretary, household=world.household_a2, visited_at=timezone.now() - timedelta(days=70)
    )
    return live_server


def test_coverage_map_layer_and_cards(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/concerns/visits/coverage/")
    assert page.locator("[data-total=total]").inner_text() == "2"
    assert page.locator("[data-total=visited]").inner_text() == "1"
    assert page.locator("[data-total=overdue]").inner_text() == "1"
    page.wait_for_selector("#trend-chart svg")  # ECharts drew the trend
    assert page.locator(f"tr[data-unvisited='{world.household_a2.pk}'] .badge.overdue").count() == 1
    screenshot(page, "visit-coverage")

    page.click("main a[href$='#visits']")  # 在网格地图上查看 (the menu has a 网格地图 link too)
    page.wait_for_selector("#grid-map.leaflet-container")
    page.check("#visit-layer-toggle")
    status = page.locator("#visit-layer-status")
    # A selector wait, not wait_for_function: the page's CSP forbids the eval that polling uses.
    page.wait_for_selector("#visit-layer-status[data-buildings]", state="attached")
    assert (status.get_attribute("data-due"), status.get_attribute("data-overdue")) == ("1", "1")
    markers = page.locator("#grid-map path.leaflet-interactive[stroke='#c0392b']")
    assert markers.count() >= 1
    markers.last.dispatch_event("click")  # a tooltip may lie over the marker
    page.wait_for_selector(f".leaflet-popup [data-due='{world.household_a2.pk}']")
    screenshot(page, "visit-map-layer")

    page.goto(f"{live.url}/concerns/visits/cards/grids/{world.grid_a.pk}/")
    card = page.locator(f"[data-card='{world.household_a.pk}']")
    assert "12345" in card.inner_text() and card.locator("svg").count() == 1
    page.emulate_media(media="print")
    box = card.bounding_box()
    # A6 is 105 mm wide: about 397 CSS pixels at 96 dpi.
    assert 390 < box["width"] < 405
    assert not page.locator(".topbar").is_visible()
    screenshot(page, "visit-cards-print")


def test_admin_changes_the_plan_on_the_page(page, live, world):
    sign_in(page, live, "subdistrict_admin")
    page.goto(f"{live.url}/concerns/visits/rules/")
    page.select_option("#id_kind", "household")
    page.fill("#id_every", "2")
    page.fill("#id_note", "每两个月走访一遍")
    page.click("#rule-form button.btn")
    page.wait_for_selector(".messages li")
    assert page.locator("tr[data-rule='household'] td.n").inner_text() == "2"
    page.fill("#hotline-form input[name=name]", "城运中心")
    page.fill("#hotline-form input[name=number]", "021-5680 0000")
    page.click("#hotline-form button.btn")
    page.wait_for_selector("text=021-5680 0000")
    screenshot(page, "visit-rules")
    page.goto(f"{live.url}/concerns/visits/coverage/")
    assert "每 2 个月" in page.locator("#plan").inner_text()
