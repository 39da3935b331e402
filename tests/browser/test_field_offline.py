"""Issue 20: a grid worker in a basement. With the browser offline, three visits and a check-in
are saved on the field page; the page is reloaded, the browser closed and opened again (its own
profile directory, as a phone keeps its storage), and when the connection returns each item lands
exactly once with the time it was saved offline. The same with two tabs sending together.
At 1366 and 420 px."""

from datetime import datetime

import pytest

from gongzhi.field.models import SyncReceipt
from gongzhi.visits.models import Visit
from gongzhi.volunteers import services as volunteer_services
from gongzhi.volunteers import testing as vt
from gongzhi.volunteers.models import SignUp
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, WIDTHS, fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world):
    h = world.household_a
    h.building.number = "12号楼"
    h.building.save()
    h.room = "301"
    h.save()
    return live_server


def open_profile(playwright_session, profile, width):
    phone = width < 720
    return playwright_session.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": width, "height": 900},
        locale="zh-CN",
        is_mobile=phone,
        has_touch=phone,
    )


def pending(page) -> int:
    return int(page.locator("#field-pending").get_attribute("data-count"))


def wait_pending(page, count: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('field-pending').dataset.count === String(n)", arg=count, timeout=20000
    )


def ready_offline(page, live) -> None:
    """Open the field page online once: the service worker installs and keeps the page, the page
    keeps the household list."""
    page.goto(f"{live.url}/field/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the worker, which keeps the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("select[name=household_id] option", state="attached")
    page.wait_for_function("caches.open('gongzhi-field-v1').then(c => c.match('/field/')).then(r => !!r)")


def record_visit(page, world, text: str) -> None:
    before = pending(page)
    page.locator("[data-tab=visit]").click()
    page.select_option("select[name=household_id]", str(world.household_a.pk))
    page.fill("#form-visit textarea[name=raised]", text)
    page.click("#form-visit button[type=submit]")
    wait_pending(page, before + 1)


def queued_times(page) -> list[str]:
    return page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open('gongzhi-field', 1);
            open.onsuccess = () => {
                const r = open.result.transaction('queue').objectStore('queue').getAll();
                r.onsuccess = () => resolve(r.result.map(i => [i.kind, i.made_at]));
            };
        })"""
    )


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.mark.parametrize("width", WIDTHS)
def test_offline_visits_and_a_check_in_survive_reload_and_restart_and_land_once(
    playwright_session, live, world, tmp_path, width
):
    worker = world.users["grid_worker"]
    activity = vt.activity(world, started=True, capacity=3)
    me = volunteer_services.register_volunteer(
        actor=world.users["subdistrict_admin"], neighborhood=world.neighborhood_a, name="网格员", user=worker
    )
    volunteer_services.sign_up(actor=worker, activity=activity, volunteer=me)
    profile = tmp_path / "profile"

    context = open_profile(playwright_session, profile, width)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live, "grid_worker")
    ready_offline(page, live)

    context.set_offline(True)
    page.wait_for_selector("#field-net[data-online='0']")
    for text in ("楼道灯坏了", "独居老人身体不适", "屋顶漏水"):
        record_visit(page, world, text)
    page.locator("[data-tab=check_in]").click()
    page.fill("#form-check_in input[name=token]", activity.check_in_token)
    page.click("#form-check_in button[type=submit]")
    wait_pending(page, 4)
    fits(page, width)
    screenshot(page, f"field-offline-queue-{width}")

    page.reload()  # offline: the worker serves the kept page, the queue is in IndexedDB
    wait_pending(page, 4)
    times = queued_times(page)
    context.close()
    assert not Visit.objects.exists()

    context = open_profile(playwright_session, profile, width)
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{live.url}/field/")
    wait_pending(page, 4)
    assert not Visit.objects.exists()

    context.set_offline(False)  # the connection returns: the queue goes by itself
    wait_pending(page, 0)
    page.locator("[data-tab=queue]").click()
    screenshot(page, f"field-online-sent-{width}")
    context.close()

    visits = sorted(Visit.objects.values_list("visited_at", flat=True))
    assert len(visits) == 3
    assert visits == sorted(at(t) for kind, t in times if kind == "visit")
    signup = SignUp.objects.get(activity=activity, volunteer=me)
    assert signup.checked_in_at == next(at(t) for kind, t in times if kind == "check_in")
    assert SyncReceipt.objects.count() == 4


@pytest.mark.parametrize("width", WIDTHS)
def test_two_tabs_sending_together_land_each_visit_once(playwright_session, live, world, tmp_path, width):
    context = open_profile(playwright_session, tmp_path / "profile", width)
    first = context.pages[0] if context.pages else context.new_page()
    sign_in(first, live, "grid_worker")
    ready_offline(first, live)
    context.set_offline(True)
    for text in ("一", "二", "三"):
        record_visit(first, world, f"第{text}户反映问题")
    second = context.new_page()
    second.goto(f"{live.url}/field/")
    wait_pending(second, 3)

    context.set_offline(False)  # both tabs hear "online" and send; then both press 立即上传
    first.click("#field-send")
    second.click("#field-send")
    wait_pending(first, 0)
    wait_pending(second, 0)
    context.close()
    assert Visit.objects.count() == 3
    assert sorted(Visit.objects.values_list("raised", flat=True)) == sorted(
        f"第{t}户反映问题" for t in ("一", "二", "三")
    )
    assert SyncReceipt.objects.count() == 3


def test_a_visit_to_a_household_that_moved_out_comes_back_with_the_reason_and_is_fixed(
    playwright_session, live, world, tmp_path
):
    from gongzhi.org import factories as f

    width = 420
    neighbour = f.HouseholdFactory(building=world.household_a.building, room="302")
    f.ResidentFactory(household=neighbour)
    context = open_profile(playwright_session, tmp_path / "profile", width)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live, "grid_worker")
    ready_offline(page, live)
    context.set_offline(True)
    record_visit(page, world, "敲门无人应答")
    (made_at,) = [t for _kind, t in queued_times(page)]
    world.resident_a.lives_here = False  # meanwhile the register says the family moved out
    world.resident_a.save()

    context.set_offline(False)
    page.locator("[data-tab=queue]").click()
    page.wait_for_selector("#field-queue li[data-status=rejected]")
    reason = page.locator("#field-queue li[data-status=rejected] .error").inner_text()
    assert "迁出" in reason, reason
    fits(page, width)
    screenshot(page, "field-conflict-moved-out-420")
    assert not Visit.objects.exists()

    page.locator("#field-queue li[data-status=rejected] button", has_text="修改后重发").click()
    page.select_option("select[name=household_id]", str(neighbour.pk))
    page.click("#form-visit button[type=submit]")
    wait_pending(page, 0)
    context.close()
    visit = Visit.objects.get()
    assert visit.household_id == neighbour.pk and visit.visited_at == at(made_at)
    assert visit.raised == "敲门无人应答"
