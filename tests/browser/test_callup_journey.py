"""A call-up from the board to the volunteer's phone, with the browser in UTC at 1366 px and in
Asia/Shanghai at 420 px: the organiser places a post by clicking the map, types a shift 18:00–22:00
(meaning Shanghai time whatever the browser's zone), sets the need and calls up; the board says how
many were messaged and lists the one without a phone; the volunteer's link names the call-up, its
place, post and shift and takes their yes. The database holds the post's point, the shift as
10:00–14:00 UTC and the answer."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, EmergencyPost, EmergencyShift
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUNS = {
    "1366-utc": ({"width": 1366, "height": 900}, False, "UTC"),
    "420-shanghai": ({"width": 420, "height": 900}, True, "Asia/Shanghai"),
}


def context(browser, run):
    viewport, phone, zone = RUNS[run]
    return browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, timezone_id=zone)


@pytest.mark.parametrize("run", RUNS)
def test_call_up_from_the_map_to_the_volunteers_yes(browser, live_server, world, run):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="台风防汛招募令"
    )
    reached = t.volunteer(world, "应召者")
    silent = t.volunteer(world, "无电话者", phone="")
    day = timezone.localdate() + timedelta(days=1)

    page = context(browser, run).new_page()
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == RUNS[run][2]
    sign_in(page, live_server, "subdistrict_admin")
    page.goto(f"{live_server.url}/volunteers/emergencies/{emergency.pk}/")

    page.fill("#post-form [name=name]", "一村北门")
    page.locator("#post-map").scroll_into_view_if_needed()
    page.locator("#post-map").click(position={"x": 120, "y": 90})
    assert page.locator("#post-map").get_attribute("data-placed") == "yes"
    assert page.locator("#post-form input[name=latitude]").input_value()  # filled by the click
    page.click("#add-post")
    page.wait_for_load_state()

    page.fill("#shift-form [name=starts_at]", f"{day:%Y-%m-%d}T18:00")
    page.fill("#shift-form [name=ends_at]", f"{day:%Y-%m-%d}T22:00")
    page.click("#add-shift")
    page.wait_for_load_state()
    assert f"{day:%m-%d} 18:00–22:00" in page.locator("#need-form").inner_text()  # read back as typed

    page.select_option("#need-form [name=post]", label="一村北门")
    page.select_option("#need-form [name=shift]", label=f"{day:%m-%d} 18:00–22:00")
    page.fill("#need-form [name=count]", "1")
    page.click("#set-need")
    page.wait_for_load_state()
    page.click("#call-up")
    page.wait_for_load_state()
    assert "已召集 1 名志愿者，发出 1 条消息" in page.locator(".messages").inner_text()
    assert page.locator(f"[data-unreached='{silent.pk}']").inner_text().endswith("无电话且无账号")
    screenshot(page, f"callup-board-{run}")

    answer = CallUpAnswer.objects.get(emergency=emergency)
    phone = context(browser, run).new_page()
    phone.goto(f"{live_server.url}/volunteers/answer/{answer.token}/yes/")
    assert phone.locator("#callup-title").inner_text() == "台风防汛招募令"
    assert phone.locator("#callup-place").inner_text() == world.neighborhood_a.name
    assert "一村北门" in phone.locator("#callup-posts").inner_text()
    assert f"{day:%m-%d} 18:00–22:00" in phone.locator("#callup-shifts").inner_text()
    screenshot(phone, f"callup-answer-{run}")
    phone.click("#answer-yes")
    phone.wait_for_selector("#answer-result")

    post = EmergencyPost.objects.get(emergency=emergency)
    assert post.name == "一村北门" and post.latitude is not None and post.longitude is not None
    shift = EmergencyShift.objects.get(emergency=emergency)
    assert (shift.starts_at, shift.ends_at) == (
        datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        datetime(day.year, day.month, day.day, 14, tzinfo=UTC),
    )
    assert answer.volunteer_id == reached.pk
    answer.refresh_from_db()
    assert answer.answer == "yes"
    assert not CallUpAnswer.objects.filter(volunteer=silent).exists()
    page.context.close()
    phone.context.close()
