"""A person's view of the foundation pages: sign in, workbench, neighborhood, household, admin."""

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    return live_server


def test_secretary_signs_in_and_sees_workbench_in_chinese(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    assert page.locator("h1").inner_text() == "工作台"
    assert page.locator("[data-count=households]").inner_text() == "2"
    page.wait_for_selector("#households-chart svg")
    screenshot(page, "workbench")


def test_neighborhood_page_draws_map_and_chart(page, live, world):
    world.neighborhood_a.compounds.update(lng=121.42, lat=31.35)
    sign_in(page, live, "neighborhood_secretary")
    page.click(f'table a:text("{world.neighborhood_a.name}")')
    page.wait_for_selector("#compound-chart svg")
    page.wait_for_selector("#compound-map .leaflet-interactive")
    assert "小区分布图" in page.content()
    screenshot(page, "neighborhood")


def test_unmask_on_household_page_asks_reason_and_shows_full_numbers(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/org/households/{world.household_a.pk}/")
    row = page.locator(f"#resident-{world.resident_a.pk}")
    assert world.resident_a.phone not in row.inner_text()
    row.locator("input[name=reason]").fill("入户核对身份")
    row.locator("button").click()
    page.wait_for_selector("[data-full=phone]")
    assert page.locator("[data-full=phone]").inner_text() == world.resident_a.phone


def test_grid_worker_on_phone_cannot_open_other_area(phone_page, live, world):
    sign_in(phone_page, live, "grid_worker")
    response = phone_page.goto(f"{live.url}/org/households/{world.household_far.pk}/")
    assert response.status == 404
    phone_page.goto(f"{live.url}/org/households/")
    assert phone_page.locator("tbody tr").count() == 1
    screenshot(phone_page, "households-phone")


def test_admin_is_chinese_and_scoped(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/admin/org/household/")
    assert "共治平台管理后台" in page.content()
    assert page.locator("#result_list tbody tr").count() == 2
    screenshot(page, "admin")


def test_english_can_be_chosen(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.click("button[value=en]")
    page.wait_for_selector("h1:text('Workbench')")
