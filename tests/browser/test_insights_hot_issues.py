"""Staff open the hot issues of their neighborhood, see the top one and turn it into a project."""

import pytest

from gongzhi.insights import services
from gongzhi.insights.models import HotIssue
from gongzhi.insights.tests.conftest import make_concerns, sample_rows
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    make_concerns(world, sample_rows())
    services.refresh_hot_issues(world.subdistrict)
    return live_server


def test_secretary_turns_the_top_hot_issue_into_a_project(page, live, world):
    top = HotIssue.objects.get(neighborhood=world.neighborhood_a, rank=1)
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/insights/hot/")
    page.wait_for_selector("#heat-chart svg")
    assert page.locator("h1").inner_text().startswith("热点问题")
    first = page.locator("li.hot").first
    assert top.title in first.inner_text()
    screenshot(page, "insights-hot-issues")
    first.locator("a.hot-title").click()
    page.wait_for_url(f"**/insights/hot/{top.pk}/")
    assert page.locator("tr[data-member]").count() == top.concerns_count
    assert "张**" in page.locator("table").inner_text()
    page.click("#make-project")
    page.wait_for_url("**/projects/*/")
    top.refresh_from_db()
    assert top.project is not None and page.url.endswith(f"/projects/{top.project_id}/")
    page.goto(f"{live.url}/insights/hot/{top.pk}/")
    assert page.locator("#project-link").count() == 1
    # The dashboard: concerns by category and month, the top issues.
    page.goto(f"{live.url}/insights/")
    page.wait_for_selector("#monthly-chart svg")
    assert top.title in page.locator(".top-hot").inner_text()
    screenshot(page, "insights-dashboard")


def test_phone_sees_the_list(phone_page, live, world):
    sign_in(phone_page, live, "subdistrict_admin")
    phone_page.goto(f"{live.url}/insights/hot/")
    phone_page.wait_for_selector("li.hot")
    assert (
        phone_page.locator("li.hot").count()
        == HotIssue.objects.filter(subdistrict=world.subdistrict, neighborhood=None).count()
    )
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone_page, "insights-hot-issues-phone")
