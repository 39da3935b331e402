"""Issue 23, each role's own work, at 1366 px and 420 px, each ending with a database check: an
invited grid chief finds the meeting on the workbench and says they attend; a secretary's export
is approved by the next level up (the subdistrict) and produced in the background; the auditor
verifies the audit chain from the web; a resident's objection to a public notice reaches the
property company's workbench."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditVerification, ExportRequest
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Attendance
from gongzhi.notifications.models import Message
from gongzhi.projects import services as projects
from gongzhi.projects import testing as t
from gongzhi.projects.models import Comment
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the export's file lands in the test's own folder


@pytest.mark.parametrize("width", WIDTHS)
def test_an_invited_grid_chief_sees_and_attends_the_meeting(browser, live_server, world, width):
    meeting = deliberation.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="deliberation",
        title="加装电梯议事会",
        held_at=timezone.now() + datetime.timedelta(days=2),
        neighborhood=world.neighborhood_a,
        place="居委会二楼",
    )
    deliberation.invite(actor=world.users["neighborhood_secretary"], meeting=meeting, role="grid_chief")
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "grid_chief")
    page.goto(f"{live_server.url}/")
    item = page.locator('[data-item="invitations"]')
    assert "我受邀的会议" in item.inner_text() and "加装电梯议事会" in item.inner_text()
    fits(page, width)
    item.locator("li a", has_text="加装电梯议事会").click()
    page.wait_for_url(f"**/deliberation/meetings/{meeting.pk}/")
    assert "您受邀参加本次会议" in page.locator("#my-invitation").inner_text()
    page.click("#attend")
    page.wait_for_selector("#my-answer")
    assert "参加" in page.locator("#my-answer").inner_text()
    fits(page, width)
    screenshot(page, f"rolework-grid-chief-meeting-{width}")
    context.close()
    chief = world.users["grid_chief"]
    assert Attendance.objects.get(meeting=meeting, user=chief).answer == "attending"
    assert Message.objects.filter(
        user=chief, channel="inbox", link__endswith=f"/meetings/{meeting.pk}/"
    ).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_export_is_approved_by_the_next_level_up(browser, live_server, world, width):
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "neighborhood_secretary")
    page.goto(f"{live_server.url}/exports/new/")
    assert page.locator(".export-kind").count() >= 1  # what can be exported, not a 404
    page.goto(f"{live_server.url}/exports/new/?kind=org.households&neighborhood={world.neighborhood_a.pk}")
    page.fill("#export-purpose", "年度民政核对")
    page.click("#export-request-form button.btn")
    page.wait_for_selector("#export-approvers")
    assert "上一级" in page.locator("#export-approvers").inner_text()
    assert world.neighborhood_a.name in page.locator("#export-area").inner_text()
    assert "2" in page.locator("#export-rows").inner_text()
    fits(page, width)
    item = ExportRequest.objects.get()
    context.close()

    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "subdistrict_admin")
    page.goto(f"{live_server.url}/")
    page.locator('[data-item="exports"] li a').first.click()
    page.wait_for_url(f"**/exports/{item.pk}/")
    page.click('#export-decision button[value="approve"]')
    page.wait_for_selector('#export-progress[data-status="ready"]')
    fits(page, width)
    screenshot(page, f"rolework-export-approved-{width}")
    context.close()
    item.refresh_from_db()
    assert (item.status, item.decided_by, item.approver_level) == (
        "ready",
        world.users["subdistrict_admin"],
        "subdistrict",
    )
    assert item.row_count == 2 and item.due_at is not None


@pytest.mark.parametrize("width", WIDTHS)
def test_the_auditor_verifies_the_chain(browser, live_server, world, width):
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    today = timezone.localdate().isoformat()
    page.fill('input[name="since"]', today)
    page.fill('input[name="until"]', today)
    page.click("#audit-filters button.btn")
    page.wait_for_url("**since=*")
    fits(page, width)
    open_menu(page, "records", "校验审计链", width)
    page.click("#start-verification")
    page.wait_for_selector('#audit-run[data-status="intact"]')
    assert "审计链完好" in page.locator("#audit-result").inner_text()
    fits(page, width)
    screenshot(page, f"rolework-auditor-verify-{width}")
    page.click("text=全部校验记录")
    page.wait_for_url("**/audit/verify/")  # count() does not wait for the new page
    assert page.locator("#verifications tbody tr").count() == 1
    context.close()
    run = AuditVerification.objects.get()
    assert (run.status, run.started_by) == ("intact", world.users["auditor"]) and run.checked > 0


@pytest.mark.parametrize("width", WIDTHS)
def test_an_objection_reaches_the_property_company(browser, live_server, world, width):
    project = t.project(world, "楼道修缮", state="approved", compound=world.household_a.building.compound)
    today = datetime.date.today()
    notice = projects.publish_disclosure(
        actor=world.users["neighborhood_secretary"],
        project=project,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=7),
    )
    context = context_at(browser, width)
    page = context.new_page()  # a resident, not signed in, from the notice's link
    page.goto(f"{live_server.url}/projects/public/{notice.token}/")
    assert page.locator("#lines-total").inner_text() == page.locator("#public-approved").inner_text()
    page.check('input[name="kind"][value="objection"]')
    page.fill('textarea[name="body"]', "维修费用偏高，请公开询价记录")
    page.click("#comment-form button.btn")
    page.wait_for_selector(".messages")
    fits(page, width)
    context.close()

    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "property_staff")
    page.goto(f"{live_server.url}/")
    item = page.locator(f'[data-item="objections_{project.compound_id}"]')
    assert "对公示的异议" in item.inner_text() and "维修费用偏高" in item.inner_text()
    fits(page, width)
    screenshot(page, f"rolework-property-objection-{width}")
    item.locator("li a").first.click()
    page.wait_for_selector("#comments")
    assert "维修费用偏高" in page.locator("#comments").inner_text()
    context.close()
    comment = Comment.objects.get()
    assert comment.kind == "objection"
    for role in ("property_staff", "owners_committee_member", "neighborhood_secretary"):
        assert Message.objects.filter(user=world.users[role], channel="inbox").exists(), role
