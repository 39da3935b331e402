"""Issue 18's journey "a joint case closed by two departments", at 1366 and 420 px: the block chief
hands a concern to the block's joint team (联合执法) with a part for 房管 and one for 城管; each
department's handler finds its part on the workbench or through the menu and finishes it; the
concern moves on to verification only after the second. Ends by checking the database."""

import pytest

from gongzhi.concerns.models import Concern, JointPart
from gongzhi.concerns.tests.conftest import concern_for, joint_team
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username: str, width: int):
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live_server, username)
    return context, page


def _finish_part(page, department_code: str, reply: str) -> None:
    card = page.locator(f'[data-part-state="open"][data-department="{department_code}"]')
    card.locator('textarea[name="reply"]').fill(reply)
    card.locator("button.btn").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_joint_case_closed_by_two_departments(browser, live_server, world, width):
    dep_a, _user_a, dep_b, _user_b = joint_team(world)
    concern = concern_for(world, title="沿街违建与群租", description="底楼商铺违章搭建，楼上疑似群租")

    context, page = _as(browser, live_server, "block_chief", width)
    page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    page.click("[data-open-joint]")
    page.wait_for_selector("#joint-form")
    for dep, task in ((dep_a, "核查群租，约谈房东"), (dep_b, "拆除违章搭建")):
        page.check(f'input[name="department"][value="{dep.pk}"]')
        page.fill(f'input[name="task_{dep.pk}"]', task)
    fits(page, width)
    page.click("#joint-form button.btn")
    page.wait_for_selector("[data-joint-case]")
    assert page.locator("[data-state]").first.get_attribute("data-state") == "dispatched"
    assert page.locator('[data-part-state="open"]').count() == 2
    fits(page, width)
    screenshot(page, f"joint-case-opened-{width}")
    context.close()

    context, page = _as(browser, live_server, "department_handler", width)
    item = page.locator('[data-item="joint_parts"]')
    assert item.locator(".todo-count").inner_text() == "1"
    item.locator(".todo-head").click()
    page.wait_for_url("**/concerns/joint/")
    assert page.locator("[data-part]").count() == 1  # its own part only
    _finish_part(page, dep_a.code, "已约谈房东，群租限期整改")
    assert page.locator('[data-part-state="open"]').count() == 0
    fits(page, width)
    context.close()
    assert Concern.objects.get(pk=concern.pk).state == "handling"

    context, page = _as(browser, live_server, "city_handler", width)
    open_menu(page, "blocks", "联合处置", width)
    _finish_part(page, dep_b.code, "违章搭建已于今日拆除")
    fits(page, width)
    screenshot(page, f"joint-case-second-part-{width}")
    context.close()

    context, page = _as(browser, live_server, "block_chief", width)
    page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "verifying"
    assert page.locator('[data-part-state="done"]').count() == 2
    fits(page, width)
    context.close()

    concern.refresh_from_db()
    assert concern.state == "verifying" and concern.handler_kind == "joint_team"
    parts = JointPart.objects.filter(case__concern=concern)
    assert sorted(parts.values_list("state", flat=True)) == ["done", "done"]
    assert {p.done_by.username for p in parts} == {"department_handler", "city_handler"}
