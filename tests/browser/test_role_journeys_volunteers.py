"""Issue 23, walked role by role at 1366 and 420 px, each ending with a database check:
(a) a party group chief posts a micro-wish for a resident of the stairwell, a partner unit claims
and fulfils it from its own account, the resident confirms from the link in the SMS;
(b) the team chief checks in an elderly volunteer without an account (and types in a walk-in from
the paper sheet), confirms the hours, and they reach the points ledger;
(c) the chief sets up a 1+2+1 night patrol: weekdays ticked, the missing police/security member
added from the explanation, shifts generated, a duty handed to a teammate."""

import json
from datetime import time, timedelta

import pytest
from django.utils import timezone

from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import (
    LedgerEntry,
    MicroWish,
    RosterDuty,
    RosterPattern,
    SwapRequest,
    Volunteer,
)
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _as(browser, live_server, username: str, width: int):
    page = context_at(browser, width).new_page()
    sign_in(page, live_server, username)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_a_party_group_chiefs_wish_from_posting_to_the_residents_confirmation(
    browser, live_server, world, settings, width
):
    resident, household = world.resident_a, world.household_a
    resident.set_phone("13600136001")
    resident.save()
    chief = _as(browser, live_server, "party_group_chief", width)
    chief.goto(f"{live_server.url}/")
    open_menu(chief, "volunteers", "微心愿", width)
    assert "发布" in chief.locator("#who-posts").inner_text()  # said before any form
    chief.click("#post-wish summary")
    chief.fill("#id_flat", f"{household.building.number} {household.room}")
    chief.fill("#id_wisher_name", resident.name)
    chief.fill("#id_title", "想要一台收音机")
    chief.click("#post")
    card = chief.locator('[data-wish="想要一台收音机"]')
    card.wait_for()
    assert card.locator('[data-status="open"]').count() == 1
    fits(chief, width)
    screenshot(chief, f"wish-posted-{width}")

    unit = _as(browser, live_server, "partner_liaison", width)
    unit.goto(f"{live_server.url}/volunteers/wishes/")
    unit_card = unit.locator('[data-wish="想要一台收音机"]')
    assert resident.name not in unit_card.inner_text()  # the unit sees the masked name
    unit_card.locator("[data-claim-own]").click()
    unit.locator('[data-wish="想要一台收音机"] [data-deliver]').click()
    unit.locator('[data-wish="想要一台收音机"]', has_text="待居民确认").wait_for()
    fits(unit, width)

    sms = [json.loads(line) for line in (settings.VAR_DIR / "outbox" / "sms.jsonl").read_text().splitlines()]
    link = next(m["link"] for m in sms if m["key"].endswith(":done/sms") and m["address"] == "13600136001")
    phone = context_at(browser, 420).new_page()  # the resident, on their phone, not signed in
    phone.goto(live_server.url + link[link.index("/volunteers/") :])
    phone.click("#confirm-wish")
    phone.wait_for_selector("#wish-done")

    chief.goto(f"{live_server.url}/volunteers/wishes/")
    assert chief.locator('[data-wish="想要一台收音机"] [data-status="fulfilled"]').count() == 1
    wish = MicroWish.objects.get(title="想要一台收音机")
    assert wish.status == "fulfilled" and wish.resident == resident and wish.building == household.building
    assert wish.posted_by == world.users["party_group_chief"]
    assert wish.claimed_by == world.users["partner_liaison"] and wish.claimed_by_unit.name
    assert wish.delivered_at and wish.fulfilled_at and wish.confirmed_by is None


@pytest.mark.parametrize("width", WIDTHS)
def test_a_chief_checks_in_an_account_less_volunteer_and_the_hours_reach_the_ledger(
    browser, live_server, world, width
):
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="每小时10分", points_per_hour=10)
    activity = t.activity(world, started=True, capacity=4)
    whole = activity.starts_at.replace(second=0, microsecond=0)  # a paper sheet is to the minute
    activity.starts_at, activity.ends_at = whole, whole + timedelta(hours=3)
    activity.save(update_fields=["starts_at", "ends_at"])
    elder = t.volunteer(world, "王老伯")
    walk_in = t.volunteer(world, "李阿婆")
    services.sign_up(actor=admin, activity=activity, volunteer=elder)
    start = timezone.localtime(activity.starts_at)

    page = _as(browser, live_server, "volunteer_team_chief", width)
    page.goto(f"{live_server.url}/volunteers/check-in/{activity.check_in_token}/")  # the chief scans
    page.wait_for_selector("#check-help")
    row = page.locator('[data-signup="王老伯"]')
    assert "无账号" in row.inner_text()
    row.locator("input[name=at]").fill((start + timedelta(minutes=5)).strftime("%H:%M"))
    row.locator('[data-check="in"]').click()
    page.locator('[data-signup="王老伯"] [data-check="out"]').click()  # leaves now
    page.locator('[data-signup="王老伯"] [data-confirm-hours]').click()
    page.locator('[data-signup="王老伯"] [data-hours]').wait_for()
    fits(page, width)

    page.click("#paper-sheet summary")
    page.select_option("#paper-volunteer", str(walk_in.pk))
    page.fill("#paper-arrived", start.strftime("%H:%M"))
    page.fill("#paper-left", (start + timedelta(minutes=45)).strftime("%H:%M"))
    page.click("#paper-add")
    page.locator('[data-signup="李阿婆"] [data-confirm-hours]').click()
    page.locator('[data-signup="李阿婆"] [data-hours]').wait_for()
    fits(page, width)
    screenshot(page, f"chief-check-in-{width}")

    page.goto(f"{live_server.url}/volunteers/people/{walk_in.pk}/")
    assert page.locator("#points").inner_text() == "7"
    elder_entry = LedgerEntry.objects.get(volunteer=elder)
    assert elder_entry.kind == "earned" and Decimal_ok(elder_entry.hours, activity)
    assert elder_entry.points == int(elder_entry.hours * 10)
    walk_entry = LedgerEntry.objects.get(volunteer=walk_in)
    assert str(walk_entry.hours) == "0.75" and walk_entry.points == 7
    assert Volunteer.objects.get(pk=walk_in.pk).balance.points == 7
    assert elder.user_id is None and walk_in.user_id is None


def Decimal_ok(hours, activity) -> bool:  # noqa: N802 - reads as the check it is
    """Hours above zero and never more than the activity lasts."""
    return 0 < hours <= (activity.ends_at - activity.starts_at).total_seconds() / 3600


@pytest.mark.parametrize("width", WIDTHS)
def test_a_one_two_one_patrol_from_pattern_to_swap(browser, live_server, world, width):
    admin = world.users["subdistrict_admin"]
    team = t.team(world)
    for name, kind in (
        ("党员老陈", "party_member"),
        ("居民甲", "resident"),
        ("居民乙", "resident"),
        ("居民丙", "resident"),
    ):
        services.register_volunteer(
            actor=admin, neighborhood=world.neighborhood_a, name=name, kind=kind, team=team
        )
    guard = services.register_volunteer(
        actor=admin, neighborhood=world.neighborhood_a, name="保安小周", kind="partner_staff"
    )

    page = _as(browser, live_server, "volunteer_team_chief", width)
    page.goto(f"{live_server.url}/")
    open_menu(page, "volunteers", "排班", width)
    page.select_option("#id_team", str(team.pk))
    page.fill("#id_name", "1+2+1 夜巡")
    page.fill("#id_place", "东门岗亭")
    page.fill("#id_start_time", "20:00")
    for day in ("2", "4", "6", "7"):  # Monday, Wednesday and Friday stay ticked
        page.uncheck(f'#roster-form input[name=weekdays][value="{day}"]')
    page.click("#create-roster")
    page.wait_for_selector("#generate-form")
    pattern = RosterPattern.objects.get(name="1+2+1 夜巡")
    assert pattern.weekdays == "135"

    first = timezone.localdate() + timedelta(days=1)
    page.fill("#id_first_day", first.isoformat())
    page.fill("#id_last_day", (first + timedelta(days=6)).isoformat())
    page.click("#generate")
    missing = page.locator('#missing-roles [data-missing="security"]')
    assert "公安" in missing.inner_text() or "保安" in missing.inner_text()
    assert "kind=partner_staff" in page.locator('[data-register="security"]').get_attribute("href")
    assert not pattern.shifts.exists()
    fits(page, width)
    page.select_option("#member-pick", str(guard.pk))
    page.click("#add-member button")
    page.wait_for_selector("#missing-roles", state="detached")
    page.fill("#id_first_day", first.isoformat())
    page.fill("#id_last_day", (first + timedelta(days=6)).isoformat())
    page.click("#generate")
    page.wait_for_selector(".arrange-swap")
    assert pattern.shifts.count() == 3

    duty = (
        RosterDuty.objects.filter(shift__pattern=pattern, role="volunteer")
        .order_by("shift__starts_at")
        .first()
    )
    before = duty.volunteer
    spare = (
        Volunteer.objects.filter(team=team, kind="resident").exclude(roster_duties__shift=duty.shift).get()
    )
    form = page.locator(f'[data-duty="{duty.pk}"] form.arrange-swap')
    form.locator("select").select_option(str(spare.pk))
    form.locator("button").click()
    page.locator(f'[data-duty="{duty.pk}"]', has_text=spare.name).wait_for()
    fits(page, width)
    screenshot(page, f"patrol-swap-{width}")

    pattern.refresh_from_db()
    shifts = list(pattern.shifts.all())
    assert {timezone.localtime(s.starts_at).isoweekday() for s in shifts} <= {1, 3, 5}
    assert all(timezone.localtime(s.starts_at).time() == time(20, 0) for s in shifts)
    assert all(
        sorted(s.duties.values_list("role", flat=True)) == ["lead", "security", "volunteer", "volunteer"]
        for s in shifts
    )
    duty.refresh_from_db()
    assert duty.volunteer == spare
    swap = SwapRequest.objects.get(duty=duty)
    assert (swap.from_volunteer, swap.status) == (before, "accepted")
