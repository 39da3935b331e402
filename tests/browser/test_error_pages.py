"""Issue 23 item 6 in the browser: an htmx request that fails shows the Chinese error fragment in
place (base.html's htmx config swaps 4xx and 5xx answers), and a missing page is the Chinese 404
page in the site's layout with the way back."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_htmx_errors_show_in_place_and_pages_in_the_layout(page, live_server, world):
    sign_in(page, live_server, "neighborhood_secretary")
    page.goto(f"{live_server.url}/org/households/{world.household_a.pk}/")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate(
        "() => { const box = document.createElement('div'); box.id = 'htmx-box';"
        " document.querySelector('main').prepend(box);"
        " htmx.ajax('GET', '/no-such-fragment/', {target: '#htmx-box'}); }"
    )
    page.wait_for_selector("#htmx-box [data-error='404']")
    assert "页面不存在" in page.locator("#htmx-box").inner_text()
    assert page.url.endswith(f"/org/households/{world.household_a.pk}/")  # still on the page
    response = page.goto(f"{live_server.url}/org/households/{world.household_far.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.locator("#mainnav").count() == 1  # the site's layout, its menu
    page.click("text=回到工作台或首页")
    page.wait_for_url(f"{live_server.url}/")
    assert "Not Found" not in page.content()
