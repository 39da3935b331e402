"""From a hot issue to a funded, disclosed project: the secretary drafts and submits it, the
subdistrict puts it under review with a panel, a panel member scores, the subdistrict admin previews
the allocation and a subdistrict colleague adopts it (four eyes), the admin approves the budget, and a resident sees the budget on the public notice."""

import pytest

from gongzhi.insights import services as insights
from gongzhi.insights.models import HotIssue
from gongzhi.insights.tests.conftest import make_concerns, sample_rows
from gongzhi.org.testing import subdistrict_colleague
from gongzhi.projects import testing as t
from gongzhi.projects.models import Allocation, Project
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live, username, *, width=1366):
    page = context_at(browser, width).new_page()
    if username:
        sign_in(page, live, username)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_hot_issue_to_project_review_allocation_and_disclosure(browser, live_server, world, width):
    live = live_server
    make_concerns(world, sample_rows())
    insights.refresh_hot_issues(world.subdistrict)
    issue = HotIssue.objects.get(neighborhood=world.neighborhood_a, rank=1)
    # the allocation ranks owner organisations: the rival belongs to another neighborhood's
    rival = t.project(
        world, "社区花园", state="under_review", budget="8000", neighborhood=world.neighborhood_b
    )

    # 1. from the workbench the secretary opens the hot issues, turns the first into a draft,
    # fills it in and submits it
    secretary = _as(browser, live, "neighborhood_secretary", width=width)
    open_menu(secretary, "concerns", "热点问题", width)
    secretary.click(f'[data-hot-issue="{issue.pk}"] a.hot-title')
    secretary.wait_for_url(f"**/insights/hot/{issue.pk}/")
    fits(secretary, width)
    secretary.click("#make-project")
    secretary.wait_for_url("**/projects/*/")
    project = Project.objects.get(origin="hot_issue")
    assert "问题清单" in secretary.locator("main").inner_text()
    secretary.click("#edit-project")
    secretary.fill("#id_goals", "三个月内解决居民反映最集中的问题")
    secretary.fill("#id_beneficiaries", "杨泰一村居民")
    secretary.click("#project-form button")
    secretary.wait_for_url(f"**/projects/{project.pk}/")
    secretary.select_option("#line-form select[name=category]", "works")
    secretary.fill("#line-form input[name=item]", "整治施工")
    secretary.fill("#line-form input[name=amount]", "20000")
    secretary.click("#line-form button")
    secretary.click("button[data-to=submitted]")
    assert secretary.locator("#project-state").inner_text() == "已提交"

    # 2. the subdistrict puts it under review, sets a rule and a round with one panel member
    admin = _as(browser, live, "subdistrict_admin", width=width)
    admin.goto(f"{live.url}/projects/{project.pk}/")
    admin.click("button[data-to=under_review]")
    assert admin.locator("#project-state").inner_text() == "评审中"
    admin.goto(f"{live.url}/projects/rounds/new/")
    admin.fill("#rule-form input[name=name]", "第一名增 10%，末位减 10%")
    admin.fill("#rule-form input[name=top]", "1")
    admin.fill("#rule-form input[name=bottom]", "1")
    admin.click("#rule-form button")
    admin.fill("#id_name", "2026 年度实事项目评审")
    admin.select_option("#id_rule", label="第一名增 10%，末位减 10%")
    admin.check(f"input[name=projects][value='{project.pk}']")
    admin.check(f"input[name=projects][value='{rival.pk}']")
    admin.select_option("#id_judges", value=[str(world.users["social_worker"].pk)])
    admin.click("#round-form button")
    admin.wait_for_url("**/projects/rounds/*/")
    round_url = admin.url

    # 3. the panel member scores both projects on a phone
    judge = _as(browser, live, "social_worker", width=420)
    for title, value in ((project.title, "92"), ("社区花园", "75")):
        judge.goto(round_url)
        judge.click(f"a.score-link:has-text('{title}')")
        # locator.all() does not wait: on a busy machine it read a page with no score inputs
        # yet, filled nothing and the empty scores were refused, so wait for the score page first
        judge.wait_for_url("**/score/*/")
        fields = judge.locator(".score-input").all()
        assert fields
        for field in fields:
            field.fill(value)
        judge.click("#score-form button")
        judge.wait_for_url(round_url)
    assert judge.locator("#to-score .tag").count() == 2

    # 4. the subdistrict admin previews the allocation and is told a colleague adopts it (four
    # eyes); the colleague adopts it; the admin approves the new budget
    admin.goto(round_url)
    admin.click("#preview-form button")
    assert "另一位同事采纳" in admin.locator(".allocation .second-person").inner_text()
    assert admin.locator("button[data-adopt]").count() == 0
    fits(admin, width)
    colleague = _as(browser, live, subdistrict_colleague(world).username, width=width)
    colleague.goto(round_url)
    colleague.click("button[data-adopt]")
    fits(colleague, width)
    screenshot(colleague, f"projects-round-{width}")
    adopted = Allocation.objects.get(status="adopted")
    assert (adopted.created_by, adopted.adopted_by) == (
        world.users["subdistrict_admin"],
        subdistrict_colleague(world),
    )
    line = adopted.lines.get(org=project.owner)
    assert str(line.new) == "22000.00"
    assert "22000.00" in colleague.locator(".allocation[data-status=adopted]").inner_text()
    admin.goto(f"{live.url}/projects/{project.pk}/")
    # pre-filled from the owner organisation's next-round budget (its only project awaiting approval)
    assert admin.input_value("input[name=approved_budget]") == "22000.00"
    assert admin.locator("#allocated-budget").inner_text() == "22000.00"
    admin.click("button[data-to=approved]")
    assert admin.locator("#approved-budget").inner_text() == "22000.00"
    fits(admin, width)
    screenshot(admin, f"projects-detail-{width}")

    # 5. the secretary publishes the notice; a resident reads it without signing in
    secretary.goto(f"{live.url}/projects/{project.pk}/")
    secretary.click("#disclosures summary")
    secretary.click("#disclose-form button")
    href = secretary.locator("a.public-link").get_attribute("href")
    admin.goto(f"{live.url}/projects/")
    admin.wait_for_selector("#state-chart svg")
    fits(admin, width)
    screenshot(admin, f"projects-dashboard-{width}")
    resident = _as(browser, live, None, width=420)
    resident.goto(f"{live.url}{href}")
    assert resident.locator("#public-approved").inner_text() == "22000.00"
    assert "公示" in resident.locator("h1").inner_text()
    resident.check("input[name=kind][value=objection]")
    resident.fill("textarea[name=body]", "施工时间请避开午休")
    resident.click("#comment-form button")
    assert "施工时间请避开午休" in resident.locator("#comments").inner_text()
    fits(resident, 420)
    screenshot(resident, "projects-disclosure-phone")
    project.refresh_from_db()
    assert (project.state, str(project.approved_budget)) == ("approved", "22000.00")
    comment = project.disclosures.get().comments.get()
    assert (comment.kind, comment.body) == ("objection", "施工时间请避开午休")


def test_dashboard_and_project_fit_a_phone(phone_page, live_server, world):
    from gongzhi.projects import services

    running = t.project(world, "楼道微更新", state="running", budget="12000")
    t.project(world, "口袋公园", state="submitted")
    services.record_expense(
        actor=world.users["social_worker"],
        project=running,
        category="works",
        description="楼道照明",
        amount="4500",
        spent_on=t.today(),
    )
    sign_in(phone_page, live_server, "neighborhood_secretary")
    for url in ("/projects/", f"/projects/{running.pk}/"):
        phone_page.goto(f"{live_server.url}{url}")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400, url
    phone_page.goto(f"{live_server.url}/projects/")
    phone_page.wait_for_selector("#use-chart svg")
    assert phone_page.locator("[data-kpi=spent]").inner_text() == "4500.00"
    screenshot(phone_page, "projects-dashboard-phone")
