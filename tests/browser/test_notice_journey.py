"""Issue 18's notice journey, at 1366 and 420 px: the secretary publishes a notice to one stairwell
from the workbench's menu and prints it for the board (with its QR code); a resident of that
stairwell finds it on their phone home and opens it (read once); a resident of the building's other
stairwell does not see it. Ends by checking the database."""

import pytest

from gongzhi.accounts.tests.residents import last_code
from gongzhi.core.models import AuditRecord
from gongzhi.insights.models import Notice, NoticeRead
from gongzhi.insights.tests.notice_cast import second_stairwell_resident
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _resident_signs_in(browser, live_server, resident, width):
    context = context_at(browser, width)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/phone/")
    page.fill("#id_phone", resident.phone)
    page.click("#send-code")
    page.fill("#id_code", last_code(resident.phone))
    page.click("#verify")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_a_notice_reaches_the_stairwells_residents(browser, live_server, world, width):
    stairwell = world.household_a.stairwell
    neighbour = second_stairwell_resident(world)
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "neighborhood_secretary")
    open_menu(page, "today", "公告", width)
    page.wait_for_url("**/insights/notices/")
    page.click("#new-notice")
    page.wait_for_url("**/insights/notices/new/")
    page.select_option("#id_place", f"stairwell:{stairwell.pk}")
    page.fill("#id_title", "楼道堆物清理通知")
    page.fill("#id_body", "本周六上午九点清理楼道堆物，请各户提前搬走自家物品。")
    fits(page, width)
    page.click("#publish-now")
    page.wait_for_selector('[data-state="published"]')
    notice = Notice.objects.get(title="楼道堆物清理通知")
    assert page.locator("[data-readers]").get_attribute("data-readers") == "0"
    assert page.locator("[data-households]").get_attribute("data-households") == "1"
    fits(page, width)
    page.click("#print")
    page.wait_for_url(f"**/insights/notices/{notice.pk}/print/")
    qr = page.locator("#notice-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    assert "楼道堆物清理通知" in page.locator("#notice-sheet h1").inner_text()
    fits(page, width)
    screenshot(page, f"notice-print-{width}")

    own_context, own = _resident_signs_in(browser, live_server, world.resident_a, width)
    card = own.locator(f'#my-notices [data-notice="{notice.pk}"]')
    assert "楼道堆物清理通知" in card.inner_text() and card.locator("[data-unread]").is_visible()
    fits(own, width)
    screenshot(own, f"notice-resident-home-{width}")
    card.locator("a").click()
    own.wait_for_url(f"**/insights/my/notices/{notice.pk}/")
    assert "请各户提前搬走" in own.locator("#notice-body").inner_text()
    fits(own, width)
    own.reload()  # a second opening counts nothing
    own.goto(f"{live_server.url}/")
    assert own.locator(f'#my-notices [data-notice="{notice.pk}"] [data-unread]').count() == 0
    own_context.close()

    other_context, other = _resident_signs_in(browser, live_server, neighbour, width)
    assert "楼道堆物清理通知" not in other.locator("#my-notices").inner_text()
    response = other.goto(f"{live_server.url}/insights/my/notices/{notice.pk}/")
    assert response.status == 404
    other_context.close()

    page.goto(f"{live_server.url}/insights/notices/{notice.pk}/")
    assert page.locator("[data-readers]").get_attribute("data-readers") == "1"
    context.close()

    notice.refresh_from_db()
    assert (notice.state, notice.level, notice.stairwell_id) == ("published", "stairwell", stairwell.pk)
    assert list(NoticeRead.objects.filter(notice=notice).values_list("resident_id", flat=True)) == [
        world.resident_a.pk
    ]
    assert AuditRecord.objects.filter(
        object_type="insights.notice", object_id=str(notice.pk), action="publish"
    ).exists()
