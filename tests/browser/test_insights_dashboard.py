"""A neighborhood secretary goes from the workbench to the dashboard, picks last month, checks a
figure against the KPI page's and downloads the monthly report; at desk and phone width."""

import pytest

from gongzhi.concerns.selectors import kpi_report
from gongzhi.core.models import AuditRecord
from gongzhi.insights import figures, services
from gongzhi.insights.tests.month_data import build_month, last_month
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    build_month(world)
    services.refresh_hot_issues(world.subdistrict)
    # The map draws the grids' stored outlines; the test world has none of its own.
    square = [[121.40, 31.30], [121.41, 31.30], [121.41, 31.31], [121.40, 31.31], [121.40, 31.30]]
    world.grid_a.boundary = {"type": "Polygon", "coordinates": [square]}
    world.grid_a.save(update_fields=["boundary"])
    return live_server


def _context(browser, width):
    return browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True, is_mobile=width < 500
    )


def _secretary_line(world):
    rows, _total = kpi_report(world.users["neighborhood_secretary"], month=last_month(), by="neighborhood")
    return next(r for r in rows if r.key == world.neighborhood_a.pk)


@pytest.mark.parametrize("width", [1366, 420])
def test_secretary_opens_the_dashboard_and_downloads_the_report(browser, live, world, width):
    context = _context(browser, width)
    page = context.new_page()
    month = f"{last_month():%Y-%m}"
    sign_in(page, live, "neighborhood_secretary")
    assert page.url.rstrip("/") == live.url  # the workbench
    # The dashboard sits in the menu's 今日 group: behind the menu button on a phone, on hover at a desk.
    if width < 720:
        page.click("#menu-toggle")
        page.click('[data-group="today"] .navgroup-title')
    else:
        page.hover('[data-group="today"] .navgroup-title')
    page.click("a[data-nav=dashboard]")
    page.wait_for_url("**/insights/")
    page.fill("input[name=month]", month)
    page.click("form.toolbar button")
    page.wait_for_url(f"**month={month}")
    page.wait_for_selector("#trend-chart svg")
    page.wait_for_selector("#grid-map path")
    line = _secretary_line(world)
    assert page.locator('[data-figure="collected"]').inner_text() == str(line.collected)
    assert (
        page.locator('[data-figure="resolution_rate"]').inner_text()
        == f"{figures.percent(line.resolution_rate)}%"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.select_option("[data-map-metric]", "overdue")
    assert page.locator("#grid-map").get_attribute("data-metric") == "overdue"
    screenshot(page, f"insights-dashboard-{width}")
    kind = "pdf" if width > 500 else "xlsx"
    with page.expect_download() as info:
        page.click(f"a[data-report={kind}]")
    download = info.value
    assert download.suggested_filename == f"monthly-report-{world.neighborhood_a.code}-{month}.{kind}"
    head = open(download.path(), "rb").read(4)
    assert head == (b"%PDF" if kind == "pdf" else b"PK\x03\x04")
    page.click("text=月报（打印版）")
    page.wait_for_selector('tr[data-figure="collected"]')
    assert page.locator('tr[data-figure="collected"] td').nth(1).inner_text() == str(line.collected)
    context.close()
    # The download is on the record, for the secretary's neighborhood.
    record = AuditRecord.objects.filter(
        action="export",
        summary__startswith="monthly report",
        actor_id=world.users["neighborhood_secretary"].pk,
    ).get()
    assert record.neighborhood_id == world.neighborhood_a.pk and kind in record.summary
