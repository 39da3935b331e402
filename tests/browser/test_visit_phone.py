"""A grid worker records a visit on a phone in well under 30 seconds: search the household by
building and room, tap the channel, type what was raised and what was done, choose a category so
it becomes a concern, save. The test counts the interactions and prints the wall time."""

import time

import pytest

from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category
from gongzhi.visits.models import Visit
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    category("ebike_charging", "电瓶车充电")
    h = world.household_a
    h.building.number = "12号楼"
    h.building.save()
    h.room = "301"
    h.save()
    return live_server


def test_grid_worker_records_a_visit_with_a_concern_on_a_phone(phone_page, live, world):
    page = phone_page
    sign_in(page, live, "grid_worker")
    page.goto(f"{live.url}/concerns/visits/new/")
    household = world.household_a
    steps = []
    started = time.perf_counter()

    page.fill("input[name=q]", "12 301")
    steps.append("type building and room")
    hit = f"input[name=household][value='{household.pk}']"
    # htmx swaps the due suggestions for the search hits; a single hit comes already chosen.
    page.wait_for_selector(f"#household-hits label:not([data-suggested]) {hit}")
    assert page.is_checked(hit)
    page.check("input[name=channel][value=phone]")
    steps.append("tap channel")
    page.fill("#id_raised", "楼道里有人给电瓶车飞线充电")
    steps.append("type what was raised")
    page.select_option("#id_category", label="电瓶车充电")
    steps.append("choose category (raise as concern)")
    page.fill("#id_handled", "当场提醒住户，拔掉飞线")
    steps.append("type what was handled")
    screenshot(page, "visit-phone-form")
    page.click("#visit-form button.btn")
    steps.append("tap save")
    page.wait_for_selector(".messages li")
    elapsed = time.perf_counter() - started

    message = page.locator(".messages li").inner_text()
    visit = Visit.objects.get()
    assert visit.household_id == household.pk and visit.channel == "phone"
    assert visit.handled == "当场提醒住户，拔掉飞线" and visit.concern_id
    assert Concern.objects.get().channel == "visit" and f"#{visit.concern_id}" in message
    print(f"visit on a phone: {len(steps)} interactions, {elapsed:.2f} s wall time (filled by the test)")
    assert len(steps) <= 6
    screenshot(page, "visit-phone-saved")


def test_a_due_household_is_one_tap_away(phone_page, live, world):
    page = phone_page
    sign_in(page, live, "grid_worker")
    page.goto(f"{live.url}/concerns/visits/new/")
    started = time.perf_counter()
    page.click(f"[data-suggested='{world.household_a.pk}']")  # due this month, offered on the form
    page.click("#visit-form button.btn")  # at the door, nothing raised
    page.wait_for_selector(".messages li")
    elapsed = time.perf_counter() - started
    print(f"visit of a due household: 2 interactions, {elapsed:.2f} s wall time")
    assert Visit.objects.get().household_id == world.household_a.pk
    assert not page.locator(f"[data-suggested='{world.household_a.pk}']").count()
    page.goto(f"{live.url}/concerns/visits/coverage/")
    assert page.locator(f"tr[data-unvisited='{world.household_a.pk}']").count() == 0
    assert page.locator("[data-total=visited]").inner_text() == "1"
    screenshot(page, "visit-coverage-phone")
