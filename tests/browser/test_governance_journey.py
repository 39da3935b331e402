"""Issue 18's journey "a mode switch changing a workbench", at 1366 px and 420 px: the subdistrict
admin opens the governance loop from the menu and switches neighborhood A to 应急 with a reason;
the neighborhood secretary's workbench now opens with the red banner and the emergency section
above everything else; switched back to 日常, both are gone. Ends by checking the database."""

import pytest

from gongzhi.governance.models import GovernanceMode
from gongzhi.notifications.models import Message
from tests.browser.conftest import context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch(page, kind: str, reason: str) -> None:
    page.select_option("#kind", kind)
    page.fill("#reason", reason)
    page.click("#switch")
    page.wait_for_selector(f'#current-mode[data-kind="{kind}"]')


@pytest.mark.parametrize("width", [1366, 420])
def test_a_mode_switch_changes_the_secretarys_workbench(browser, live_server, world, width):
    key = f"n{world.neighborhood_a.pk}"
    admin_context, secretary_context = context_at(browser, width), context_at(browser, width)
    admin, secretary = admin_context.new_page(), secretary_context.new_page()
    sign_in(admin, live_server, "subdistrict_admin")
    sign_in(secretary, live_server, "neighborhood_secretary")
    secretary.goto(f"{live_server.url}/")
    assert secretary.locator(".mode-banner").count() == 0

    open_menu(admin, "today", "治理环", width)
    admin.wait_for_url("**/governance/")
    fits(admin, width)
    admin.click(f'tr[data-place="{key}"] a')
    admin.wait_for_url(f"**/governance/{key}/")
    admin.select_option("#kind", "emergency")
    admin.click("#switch")  # no reason: refused, the field named
    assert "原因" in admin.locator("#switch-form").inner_text()
    assert not GovernanceMode.objects.exists()
    _switch(admin, "emergency", "暴雨红色预警，地下车库进水")
    assert admin.locator('#timeline span[data-kind="emergency"]').count() == 1
    fits(admin, width)
    screenshot(admin, f"governance-switch-{width}")

    secretary.reload()
    banner = secretary.locator(".mode-banner.emergency")
    assert "应急模式" in banner.inner_text() and "暴雨红色预警" in banner.inner_text()
    section = secretary.locator("#mode-section")
    assert "应急处置" in section.inner_text() and "应急联系人" in section.inner_text()
    # The emergency section comes first: above the day's to-dos.
    above = secretary.evaluate(
        """() => document.querySelector('#mode-section').getBoundingClientRect().top
                  < document.querySelector('#today').getBoundingClientRect().top"""
    )
    assert above
    fits(secretary, width)
    screenshot(secretary, f"governance-secretary-workbench-{width}")

    _switch(admin, "daily", "积水已排除，恢复日常工作")
    secretary.reload()
    assert secretary.locator(".mode-banner").count() == 0 and secretary.locator("#mode-section").count() == 0
    assert secretary.locator("#today").is_visible()
    admin_context.close()
    secretary_context.close()

    rows = list(GovernanceMode.objects.filter(place_key=key).order_by("seq"))
    assert [(m.seq, m.kind) for m in rows] == [(1, "emergency"), (2, "daily")]
    assert rows[0].ended_at == rows[1].started_at and rows[1].ended_at is None
    assert rows[0].switched_by == world.users["subdistrict_admin"]
    assert Message.objects.filter(
        key__startswith=f"governance/{rows[0].pk}/", user=world.users["neighborhood_secretary"]
    ).exists()
