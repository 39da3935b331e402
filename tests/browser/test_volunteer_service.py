"""Volunteer service in the browser: a volunteer signs up on their phone, scans the activity's code
to check in and out, the team chief confirms the hours, and the ledger shows the points.
And an emergency from opening to the assignment plan: posts, shift, need, call-up, answers, plan."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, Emergency, PostAssignment, SignUp
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def test_sign_up_check_in_out_chief_confirms_and_the_ledger_shows_points(
    page, phone_page, live_server, world
):
    live = live_server
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="每小时10分", points_per_hour=10)
    activity = t.activity(world, started=True, capacity=3)
    me = t.volunteer(world, "李四", with_user=True)

    sign_in(phone_page, live, me.user.username)
    phone_page.goto(f"{live.url}/volunteers/activities/{activity.pk}/")
    phone_page.click("#sign-up button")
    phone_page.wait_for_selector("#my-signup")
    assert "已确认" in phone_page.locator("#my-signup").inner_text()
    phone_page.goto(f"{live.url}/volunteers/check-in/{activity.check_in_token}/")
    phone_page.click("#scan")
    phone_page.wait_for_selector("#scan-result")
    assert "已签到" in phone_page.locator("#scan-result").inner_text()
    phone_page.click("#scan")  # a second scan at once is the same scan, not a check-out
    phone_page.wait_for_selector("#scan-result >> text=已签到")
    # Three hours of patrol pass (the check-in is dated back, as time would).
    SignUp.objects.filter(activity=activity, volunteer=me).update(
        checked_in_at=timezone.now() - timedelta(hours=3)
    )
    phone_page.click("#scan")
    phone_page.wait_for_selector("#scan-result >> text=已签退")

    sign_in(page, live, "volunteer_team_chief")
    page.goto(f"{live.url}/volunteers/activities/{activity.pk}/")
    page.fill("#confirmed input[name=hours]", "2.5")
    page.click("#confirmed button")
    page.wait_for_selector("#confirmed >> text=2.50")

    sign_in(page, live, "social_worker")
    page.goto(f"{live.url}/volunteers/people/{me.pk}/")
    assert page.locator("#points").inner_text() == "25"
    assert "1+2+1 夜巡" in page.locator("#ledger").inner_text()


def test_an_emergency_from_opening_to_the_assignment_plan(page, live_server, world):
    live = live_server
    people = [t.volunteer(world, f"应召{i}", phone=f"1370013700{i}") for i in range(5)]
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/volunteers/emergencies/")
    page.fill("#id_title", "暴雨积水应急召集")
    page.select_option("#id_neighborhood", str(world.neighborhood_a.pk))
    page.click("#open")
    page.wait_for_selector("#fill-board")
    emergency = Emergency.objects.get(title="暴雨积水应急召集")

    for name, x in (("东门积水点", 120), ("车库入口", 180)):  # posts placed by clicking the map
        page.fill("#post-form [name=name]", name)
        page.locator("#post-map").scroll_into_view_if_needed()
        page.locator("#post-map").click(position={"x": x, "y": 90})
        page.click("#add-post")
        page.wait_for_selector(f"text={name}")
    start = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(minute=0)
    page.fill("#shift-form #id_ends_at", (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#shift-form #id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.click("#add-shift")  # ends before it starts: the field is named, nothing is added
    page.wait_for_selector('[data-errors="ends_at"]')
    assert not emergency.shifts.exists()
    page.fill("#shift-form #id_ends_at", (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#add-shift")
    page.wait_for_selector("#need-form")
    for post in emergency.posts.all():
        page.select_option("#need-form #id_post", str(post.pk))
        page.select_option("#need-form #id_shift", str(emergency.shifts.get().pk))
        page.fill("#need-form #id_count", "2")
        page.click("#set-need")
        page.wait_for_selector("#fill-board")
    page.click("#call-up")
    page.wait_for_selector("text=已召集 5 名志愿者")

    for person in people[:4]:
        token = CallUpAnswer.objects.get(emergency=emergency, volunteer=person).token
        page.goto(f"{live.url}/volunteers/answer/{token}/yes/")
        page.click("#answer-yes")
        page.wait_for_selector("#answer-result")
    page.goto(f"{live.url}/volunteers/emergencies/{emergency.pk}/")
    page.click("#plan")
    page.wait_for_selector("#person-table >> text=应召0")
    assert PostAssignment.objects.filter(emergency=emergency).count() == 4
    page.wait_for_selector('#fill-board [data-post="东门积水点"] >> text=100%')
    screenshot(page, "volunteer_emergency_plan")
