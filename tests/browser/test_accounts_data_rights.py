"""A resident signs in with an SMS code on a phone, sees what the platform holds about them,
downloads a copy and asks for a correction; the neighborhood secretary approves it on a desktop."""

import json

import pytest

from gongzhi.accounts.models import DataSubjectRequest
from gongzhi.accounts.tests.residents import last_code
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_sees_downloads_and_corrects_their_data(page, phone_page, live_server, world):
    resident = world.resident_a
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.click("#resident-sign-in")
    phone_page.fill("#id_phone", resident.phone)
    phone_page.click("#send-code")
    assert "6 位验证码正在发送中" in phone_page.locator("#code-sent").inner_text()
    assert resident.phone not in phone_page.url
    phone_page.fill("#id_code", last_code(resident.phone))
    phone_page.click("#verify")
    phone_page.wait_for_url(f"{live_server.url}/")  # the resident home; their data one link away
    phone_page.click("#my-data")
    phone_page.wait_for_url(f"{live_server.url}/accounts/me/")

    body = phone_page.locator("main").inner_text()
    assert "平台保存的你的信息" in body and resident.name in body
    assert resident.id_number_masked in body and resident.id_number not in body
    screenshot(phone_page, "accounts-my-data-phone")

    with phone_page.expect_download() as info:
        phone_page.click("#copy-json")
    copy = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert {s["key"] for s in copy["sections"]} >= {"account", "household", "concerns", "volunteering"}

    phone_page.select_option("#id_kind", "correction")
    phone_page.select_option("#id_field", "name")
    phone_page.fill("#id_new_value", "王建国")
    phone_page.fill("#id_reason", "登记时名字写错了")
    phone_page.click("#submit-request")
    phone_page.wait_for_selector(".messages li")
    assert "15 个工作日" in phone_page.locator(".messages li").inner_text()
    item = DataSubjectRequest.objects.get()

    sign_in(page, live_server, "neighborhood_secretary")
    page.goto(f"{live_server.url}/accounts/requests/")
    page.click(f"a[href='/accounts/requests/{item.pk}/']")
    assert "王建国" in page.locator("#new-value").inner_text()
    screenshot(page, "accounts-request-secretary")
    page.click("#approve")
    page.wait_for_url(f"{live_server.url}/accounts/requests/")
    resident.refresh_from_db()
    assert resident.name == "王建国"

    phone_page.reload()
    assert "王建国" in phone_page.locator("#section-account").inner_text()
    assert "已完成" in phone_page.locator("#section-requests").inner_text()
