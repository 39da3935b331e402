"""A day's work, at 1366 px and 420 px: the secretary starts from the workbench (late work first,
each count the list it opens, the menu behind one button on a phone) and dispatches a concern; a
resident signs in by SMS code on a phone, reports from the pre-filled form, finds the concern on
their home, reads the reply and rates it. Each ends by checking the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.tests.residents import last_code
from gongzhi.concerns import services
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1366, 420]


def _context(browser, width: int):
    phone = width < 720
    return browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", is_mobile=phone, has_touch=phone
    )


def _fits(page, width: int) -> None:
    """Nothing is cut off: the page never scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_secretarys_day_starts_at_the_workbench(browser, live_server, world, width):
    late = concern_for(world, title="路灯不亮", description="3号楼前路灯坏了三天")
    Concern.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=5))
    concern_for(world, title="垃圾满溢", description="垃圾箱满了没人清")
    context = _context(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "neighborhood_secretary")
    page.goto(f"{live_server.url}/")
    today = page.locator("#today")
    assert "今日待办" in today.inner_text()
    overdue = page.locator('[data-item="overdue"] .todo-count')
    assert overdue.inner_text() == "1" and "超期" in page.locator('[data-item="overdue"]').inner_text()
    _fits(page, width)
    menu = page.locator("#mainnav")
    if width < 720:
        assert not menu.is_visible()
        page.click("#menu-toggle")
    else:
        page.hover('[data-group="places"] .navgroup-title')
    grid_map = page.locator('[data-group="places"] a', has_text="网格地图")
    assert grid_map.is_visible()
    assert f"/grids/neighborhoods/{world.neighborhood_a.pk}/" in grid_map.get_attribute("href")
    _fits(page, width)
    screenshot(page, f"daywork-secretary-workbench-{width}")

    shown = page.locator('[data-item="to_dispatch"] .todo-count').inner_text()
    page.click('[data-item="to_dispatch"] .todo-head')
    page.wait_for_url("**/concerns/?state=accepted")
    assert page.locator("#queue-count").get_attribute("data-count") == shown == "2"
    page.fill('input[name="q"]', "路灯")
    page.click("#queue-filters button.btn")
    page.wait_for_url("**q=*")
    assert page.locator("#queue-count").get_attribute("data-count") == "1"
    _fits(page, width)
    page.click(f'tr[data-concern="{late.pk}"] a')
    page.wait_for_url(f"**/concerns/{late.pk}/")
    page.click('form[data-action="dispatch"] button')
    page.wait_for_selector('[data-state="dispatched"]')
    context.close()
    late.refresh_from_db()
    assert late.state == "dispatched" and late.responded_at is not None


@pytest.mark.parametrize("width", WIDTHS)
def test_resident_reports_from_the_phone_and_sees_the_reply(browser, live_server, world, width):
    resident = world.resident_a
    lamp = category("lighting", "路灯照明")
    context = _context(browser, width)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/phone/")
    page.fill("#id_phone", resident.phone)
    page.click("#send-code")
    page.fill("#id_code", last_code(resident.phone))
    page.click("#verify")
    page.wait_for_url(f"{live_server.url}/")
    assert "我的诉求" in page.locator("#my-concerns").inner_text()
    assert page.locator("#my-data").is_visible()  # the data-rights page one link away
    _fits(page, width)

    page.click("#report")
    page.wait_for_url("**/concerns/r/new/")
    assert page.input_value("#id_name") == resident.name  # pre-filled from their own record
    assert page.input_value("#id_phone") == resident.phone
    assert world.neighborhood_a.name in page.locator("main").inner_text()
    page.fill("#id_description", "楼道的灯坏了一个星期，晚上看不见台阶")
    page.select_option("#id_category", str(lamp.pk))
    page.locator("form button.btn").last.click()
    page.wait_for_url("**/concerns/r/*/")
    concern = Concern.objects.get(description__startswith="楼道的灯坏了")
    page.click("#back-home")
    page.wait_for_url(f"{live_server.url}/")
    mine = page.locator(f'[data-concern="{concern.pk}"]')
    assert "路灯照明" in mine.inner_text()

    secretary = world.users["neighborhood_secretary"]
    residents_committee = services.Handler("residents_committee")
    concern = services.transition(
        actor=secretary, concern=concern, action="dispatch", handler=residents_committee
    )
    concern = services.transition(actor=secretary, concern=concern, action="start")
    reply = "已更换楼道灯泡，楼道照明已恢复，请您查看"
    concern = services.transition(actor=secretary, concern=concern, action="resolve", note=reply)
    services.transition(actor=secretary, concern=concern, action="close")

    page.reload()
    assert reply in mine.locator("[data-reply]").inner_text()
    _fits(page, width)
    screenshot(page, f"daywork-resident-home-{width}")
    mine.locator("[data-rate]").click()
    page.wait_for_url("**/concerns/r/*/")
    assert reply in page.locator("#reply").inner_text()
    page.check('input[name="rating"][value="satisfied"]')
    page.locator("form.phone-form button").click()
    page.wait_for_selector('[data-rating="satisfied"]')
    context.close()
    concern.refresh_from_db()
    assert (concern.state, concern.rating) == ("closed", "satisfied")


@pytest.mark.parametrize("width", WIDTHS)
def test_kpi_figures_agree_with_the_supervision_list(browser, live_server, world, width):
    """Issue 15 defect 5: the KPI page's cards and table, and the supervision list its 超期 card
    opens, give one figure each: the same as the selectors' (the database's) count."""
    from gongzhi.concerns import selectors

    secretary = world.users["neighborhood_secretary"]
    for title in ("路灯不亮", "井盖松动"):
        late = concern_for(world, title=title, description=f"{title}，已经好几天了")
        Concern.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=3))
    concern_for(world, title="垃圾满溢", description="垃圾箱满了没人清")
    context = _context(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "neighborhood_secretary")
    if width < 720:
        page.click("#menu-toggle")
        page.click('[data-group="concerns"] .navgroup-title')
    else:
        page.hover('[data-group="concerns"] .navgroup-title')
    page.click('[data-group="concerns"] a[href="/concerns/kpi/"]')
    page.wait_for_url("**/concerns/kpi/")
    card = page.locator("[data-kpi=overdue]").inner_text()
    table_overdue = page.locator("table.rates tbody tr td:nth-child(8)").all_inner_texts()
    assert card == "2" and sum(int(n) for n in table_overdue) == 2
    # Percentages read with one decimal, the same on the card and in the table.
    rate = page.locator("[data-kpi=response_rate]").inner_text()
    assert rate.endswith("%") and len(rate.split(".")[-1]) == 2  # "100.0%": one decimal and the sign
    assert rate in page.locator("table.rates tbody").inner_text()
    _fits(page, width)
    screenshot(page, f"daywork-kpi-{width}")
    page.click("a.card:has([data-kpi=overdue])")
    page.wait_for_url("**/concerns/supervision/?month=*")
    assert page.locator("#overdue-count").get_attribute("data-count") == card
    assert page.locator("tr[data-supervision]").count() == 2
    _fits(page, width)
    context.close()
    month = timezone.localdate().replace(day=1)
    _rows, total = selectors.kpi_report(secretary, month=month)
    assert total.overdue == selectors.overdue_concerns(secretary, month=month).count() == 2


@pytest.mark.parametrize("width", WIDTHS)
def test_skills_read_and_search_in_chinese(browser, live_server, world, width):
    """Issue 15 defect 8: skills are stored as codes (`medical`) but read and found in Chinese: the
    talent search for 医疗 finds every volunteer with the skill, the list shows 医疗护理 and no page of
    the way holds an English word (the English scan's rule, here at a phone's width too)."""
    from gongzhi.volunteers.models import Volunteer
    from tests.browser.chinese_ui import ALLOWED, english_words, visible_text

    for name, stored in (("赵医生", "medical"), ("钱师傅", "driving,medical"), ("孙电工", "electrician")):
        Volunteer.objects.create(neighborhood=world.neighborhood_a, name=name, skills=stored)
    allowed = ALLOWED | {"neighborhood_secretary"}
    context = _context(browser, width)
    page = context.new_page()
    sign_in(page, live_server, "neighborhood_secretary")
    assert not english_words(visible_text(page), allowed)
    if width < 720:
        page.click("#menu-toggle")
        page.click('[data-group="volunteers"] .navgroup-title')
    else:
        page.hover('[data-group="volunteers"] .navgroup-title')
    page.click('[data-group="volunteers"] a[href="/volunteers/"]')
    page.wait_for_url("**/volunteers/")
    page.fill("#skill", "医疗")
    page.click("#talent-search button")
    page.wait_for_url("**skill=*")
    rows = page.locator("main table tbody tr")
    assert sorted(r.locator("td").first.inner_text() for r in rows.all()) == ["赵医生", "钱师傅"]
    assert "医疗" in rows.first.inner_text() and "medical" not in page.locator("main").inner_text()
    assert not english_words(visible_text(page), allowed)
    _fits(page, width)
    screenshot(page, f"daywork-talent-search-{width}")
    context.close()
    assert set(Volunteer.objects.filter(skills__contains="medical").values_list("name", flat=True)) == {
        "赵医生",
        "钱师傅",
    }
