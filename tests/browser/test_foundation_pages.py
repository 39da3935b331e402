"""A person's view of the foundation pages: sign in, workbench, neighborhood, household, admin."""

import pytest

from gongzhi.core.models import ApiToken, AuditRecord
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

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


@pytest.mark.parametrize("width", WIDTHS)
def test_subdistrict_admin_reads_the_api_docs_offline(browser, live, world, width):
    """From the workbench to the API reference: Swagger UI from the site's own static files, so
    its operations render (not a blank page) with no network beyond the site. Reading changes
    nothing: no token issued, nothing written to the audit trail."""
    context = context_at(browser, width)
    page = context.new_page()
    outside = []
    page.on("request", lambda r: None if r.url.startswith(live.url) else outside.append(r.url))
    sign_in(page, live, "subdistrict_admin")
    assert page.locator("h1").inner_text() == "工作台"
    fits(page, width)
    audited, tokens = AuditRecord.objects.count(), ApiToken.objects.count()
    open_menu(page, "records", "接口文档", width)
    page.wait_for_url("**/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/households" in paths and len(paths) >= 5, paths
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("gongzhi API")
    page.locator(".opblock-summary-path", has_text="/api/v1/households").first.click()
    page.wait_for_selector(".opblock.is-open .parameters")
    fits(page, width)
    screenshot(page, f"api-docs-{width}")
    context.close()
    assert not outside, outside  # offline: no CDN
    assert (AuditRecord.objects.count(), ApiToken.objects.count()) == (audited, tokens)
