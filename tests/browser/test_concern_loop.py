"""The whole loop in the browser: a grid worker's visit on a phone opens a concern; a social worker
dispatches, handles, verifies and closes it; the resident rates it on their phone page. The
whole loop runs at 1366 and 420 px."""

import re

import pytest

from gongzhi.concerns.models import Category, Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.testing import image_bytes
from gongzhi.org import factories as f
from gongzhi.visits.models import Visit
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    category("ebike_charging", "电瓶车充电")
    return live_server


def flat_5_301(world):
    """household_a becomes 5号楼 301 among flats a hurried worker could mistake for it: 15号楼,
    50号楼 and 105号楼 301 in the same grid (typing `5 301` once listed 105号楼 first)."""
    household = world.household_a
    household.building.number = "5号楼"
    household.building.save()
    household.room = "301"
    household.save()
    for number in ("105号楼", "50号楼", "15号楼"):
        building = f.BuildingFactory(
            compound=household.building.compound, micro_grid=household.building.micro_grid, number=number
        )
        f.HouseholdFactory(building=building, room="301")
    return household


def record_visit(page, live, world, width):
    """The grid worker starts at the workbench, opens 记录走访 from the menu, types `5 301` and,
    in a hurry, takes the first flat listed."""
    household = flat_5_301(world)
    sign_in(page, live, "grid_worker")
    open_menu(page, "concerns", "记录走访", width)
    page.wait_for_url("**/concerns/visits/new/")
    page.fill("input[name=q]", "5 301")
    page.wait_for_selector("#household-hits label:not([data-suggested]) input[name=household]")  # htmx
    first = page.locator("#household-hits label:not([data-suggested]) input[name=household]").first
    assert first.get_attribute("value") == str(household.pk)
    first.check()
    page.check("input[name=channel][value=door]")
    page.fill("#id_raised", "楼道里有人给电瓶车飞线充电")
    page.select_option("#id_category", label="电瓶车充电")
    page.fill("#id_handled", "当场提醒住户")
    fits(page, width)
    screenshot(page, f"concern-visit-{width}")
    page.click("#visit-form button.btn")
    page.wait_for_selector(".messages li")
    assert re.search(r"#\d+", page.locator(".messages li").inner_text())
    return Concern.objects.get()


def take_step(page, action: str, note: str = "") -> None:
    form = page.locator(f"form[data-action={action}]")
    if note:
        form.locator("input[name=note]").fill(note)
    form.locator("button").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
def test_visit_to_rating_loop(browser, phone_page, live, world, width):
    worker = context_at(browser, width)
    concern = record_visit(worker.new_page(), live, world, width)
    worker.close()
    assert concern.channel == "visit" and concern.state == "accepted"
    visit = Visit.objects.get(concern=concern)
    assert (visit.household.building.number, visit.household.room) == ("5号楼", "301")
    assert concern.household_id == visit.household_id

    social = context_at(browser, width)
    page = social.new_page()
    sign_in(page, live, "social_worker")
    page.goto(f"{live.url}/concerns/")
    page.click(f"tr[data-concern='{concern.pk}'] a")
    assert page.locator("[data-state]").first.get_attribute("data-state") == "accepted"
    # The classifier's suggestion is shown next to the category the worker chose.
    suggested = page.locator("[data-suggested]")
    assert "建议" in suggested.inner_text() and "置信度" in suggested.inner_text()
    fits(page, width)
    take_step(page, "dispatch")
    take_step(page, "start")
    take_step(page, "resolve", "已拆除飞线，引导到充电桩充电")
    assert page.locator("[data-state]").first.get_attribute("data-state") == "verifying"
    # The supervisor sees the reply check before closing; this reply talks about the concern.
    check = page.locator("form[data-action=close] [data-reply-check]")
    assert "答复核查" in check.inner_text() and page.locator("[data-reply-flags]").count() == 0
    screenshot(page, f"concern-verify-reply-check-{width}")
    take_step(page, "close", "回访住户确认")
    assert page.locator("[data-state]").first.get_attribute("data-state") == "closed"
    actions = [e.get_attribute("data-event") for e in page.locator("tr[data-event]").all()]
    assert actions == ["accept", "dispatch", "start", "resolve", "close"]
    fits(page, width)
    screenshot(page, f"concern-detail-closed-{width}")
    progress = page.locator("a[data-progress]").get_attribute("href")

    phone_page.goto(f"{live.url}{progress}")
    assert "已拆除飞线" in phone_page.content()
    phone_page.check("input[name=rating][value=satisfied]")
    phone_page.click("form.phone-form button.btn")
    phone_page.wait_for_selector("[data-rating=satisfied]")
    screenshot(phone_page, "concern-resident-rated")

    page.goto(f"{live.url}/concerns/kpi/")
    page.wait_for_selector("#collected-chart svg")
    assert page.locator("[data-kpi=collected]").inner_text() == "1"
    assert page.locator("[data-kpi=satisfaction_rate]").inner_text() == "100.0%"
    fits(page, width)
    screenshot(page, f"concern-kpi-{width}")
    social.close()
    concern.refresh_from_db()
    assert (concern.state, concern.rating, concern.household_id) == (
        "closed",
        "satisfied",
        visit.household_id,
    )


def test_stale_step_in_a_second_tab_shows_a_clear_conflict(page, live, world):
    concern = concern_for(world, category=category())
    sign_in(page, live, "social_worker")
    page.goto(f"{live.url}/concerns/{concern.pk}/")
    other = page.context.new_page()
    other.goto(f"{live.url}/concerns/{concern.pk}/")
    take_step(page, "dispatch")
    other.locator("form[data-action=dispatch] button").click()
    other.wait_for_selector("[data-error]")
    assert "social_worker" in other.locator("[data-error]").inner_text()
    screenshot(other, "concern-conflict")


def test_resident_reports_from_a_phone_with_a_photo(phone_page, live, world, tmp_path):
    photo = tmp_path / "lamp.png"
    photo.write_bytes(image_bytes("PNG"))
    phone_page.goto(f"{live.url}/concerns/r/new/?n={world.neighborhood_a.code}")
    phone_page.select_option("#id_category", label="电瓶车充电")
    phone_page.fill("#id_description", "车棚充电桩坏了")
    phone_page.wait_for_selector("[data-suggestion]")  # the resident sees the suggested category too
    assert "置信度" in phone_page.locator("[data-suggestion]").inner_text()
    phone_page.select_option("#id_category", label="电瓶车充电")
    phone_page.fill("#id_place", "3号车棚")
    phone_page.set_input_files("#id_photo", str(photo))
    screenshot(phone_page, "concern-resident-report")
    phone_page.click("form.phone-form button.btn:not([type=button])")
    phone_page.wait_for_selector("[data-state=accepted]")
    assert Concern.objects.get().photos.count() == 1


def test_intake_suggests_the_category_and_offers_to_join_a_similar_concern(page, live, world):
    lift = category("lift", "电梯")
    Category.objects.filter(pk=lift.pk).update(description="电梯故障、维保、加装电梯")
    main = concern_for(
        world, category=lift, description="3号楼电梯又坏了，老人被困在电梯里，物业一直没人来修"
    )
    sign_in(page, live, "social_worker")
    page.goto(f"{live.url}/concerns/new/?q={world.household_a.building.number} {world.household_a.room}")
    page.check(f"input[name=household][value='{world.household_a.pk}']")
    page.fill("#id_description", "电梯坏了好几天，老人被困在电梯里，物业没人来修")
    page.wait_for_selector("[data-suggestion]")  # htmx: the suggestion arrives as the worker types
    assert "置信度" in page.locator("[data-suggestion]").inner_text()
    assert page.locator("#id_category").input_value() == str(lift.pk)  # preselected, may be changed
    page.wait_for_selector(f"input[data-join='{main.pk}']")
    screenshot(page, "concern-intake-suggestion")
    page.check(f"input[data-join='{main.pk}']")
    page.click("form.stack.panel button.btn:not([type=button])")
    page.wait_for_selector("[data-supporters='1']")
    assert page.url.endswith(f"/concerns/{main.pk}/")
    assert Concern.objects.get(joined_to=main).suggested_category_id == lift.pk
