"""Export approval in the browser: ask with a purpose, a second person approves, download watermarked."""

import io

import openpyxl
import pytest

from gongzhi.org import factories as f
from gongzhi.org import services as org_services
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    second = f.UserFactory(username="second_secretary", is_staff=True)
    org_services.assign_role(
        actor=None, user=second, role="neighborhood_secretary", unit=world.neighborhood_a
    )
    return live_server


def test_ledger_export_is_requested_approved_by_a_second_person_and_downloaded(browser, page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/org/ledgers/")
    page.select_option("#export-neighborhood", str(world.neighborhood_a.pk))
    page.locator("form[action$='export.xlsx'] button").click()
    page.wait_for_selector("#export-request-form")
    page.fill("#export-purpose", "年度民政数据核对")
    page.locator("#export-request-form button").click()
    page.wait_for_selector("#export-status")
    assert "待审批" in page.locator("#export-status").inner_text()
    assert page.locator("#export-decision").count() == 0  # the requester cannot approve
    request_url = page.url

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(approver, live, "second_secretary")
    approver.goto(request_url)
    assert "年度民政数据核对" in approver.content()
    screenshot(approver, "security-export-approval")
    approver.locator("#export-decision button[value=approve]").click()
    approver.wait_for_selector("#export-status")
    assert "可下载" in approver.locator("#export-status").inner_text()
    assert approver.locator("#export-download").count() == 0  # only the requester downloads
    approver.context.close()

    page.goto(request_url)
    with page.expect_download() as download:
        page.click("#export-download")
    content = open(download.value.path(), "rb").read()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    mark = sheet.cell(row=1, column=1).value
    assert "neighborhood_secretary" in mark and "second_secretary" in mark and "年度民政数据核对" in mark
