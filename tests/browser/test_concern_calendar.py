"""The subdistrict admin confirms a provisional 2027 holiday and adds a make-up working day."""

from datetime import date

import pytest

from gongzhi.concerns.models import CalendarDay
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_confirms_a_holiday_and_adds_a_make_up_day(page, live_server, world):
    # As migration 0007 leaves them (transactional tests may have flushed the seed).
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarDay.objects.create(date=date(2027, 1, 1), name="元旦", confirmed=True)
    CalendarDay.objects.create(date=date(2027, 2, 6), name="春节", confirmed=False)
    sign_in(page, live_server, "subdistrict_admin")
    page.goto(f"{live_server.url}/concerns/calendar/?year=2027")
    assert page.locator("[data-unconfirmed]").count() == 2  # the banner and the row
    page.locator("tr[data-day='2027-02-06'] button[data-confirm-day]").click()
    page.wait_for_load_state()
    assert page.locator("[data-unconfirmed]").count() == 0
    form = page.locator("form[data-calendar-form]")
    form.locator("#id_date").fill("2027-02-20")
    form.locator("input[name=working][value='1']").check()
    form.locator("#id_name").fill("调休上班")
    form.locator("button.btn").click()
    page.wait_for_selector("tr[data-day='2027-02-20'][data-working='1']")
    screenshot(page, "concern-calendar-2027")
    assert CalendarDay.objects.get(date=date(2027, 2, 6)).confirmed
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).working
