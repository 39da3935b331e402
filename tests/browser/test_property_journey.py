"""Red property in the browser: the property company imports a year of monthly figures from xlsx
(a bad row first refuses the whole file), the secretary sees the neighborhood's ranked list and
the assessment criterion on the desktop (1366 px) and on the phone (420 px); the database holds
the twelve months and the score the pages show."""

from datetime import date

import openpyxl
import pytest

from gongzhi.property import selectors, services
from gongzhi.property.models import MonthlyFigures
from gongzhi.property.testing import ADMIN, RULES, compound_a, expected_score
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup(world):
    """The rule and the committee exist; the figures will come from the workbook."""
    admin = world.users[ADMIN]
    compound = compound_a(world)
    committee = services.form_committee(
        actor=admin, compound=compound, term_starts=date(2025, 6, 1), term_ends=date(2030, 6, 1)
    )
    services.add_member(actor=admin, committee=committee, name="王主任", post="chair", party_member=True)
    services.add_member(actor=admin, committee=committee, name="李委员", post="member")
    for metric, weight, direction, worst, best in RULES:
        services.set_rule(
            actor=admin,
            subdistrict=world.subdistrict,
            metric=metric,
            weight=weight,
            direction=direction,
            worst=worst,
            best=best,
        )
    return compound


def _workbook(tmp_path, compound, bad: bool):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["小区", "月份", "应收物业费", "实收物业费", "入室盗窃", "电瓶车盗窃", "机动车盗窃", "火灾"])
    for month in range(1, 13):
        collected = "九千" if bad and month == 5 else 9000
        sheet.append([compound.name, f"2026-{month:02d}", 10000, collected, 1 if month == 3 else 0, 0, 0, 0])
    path = tmp_path / ("bad.xlsx" if bad else "figures.xlsx")
    book.save(path)
    return path


def _upload(page, live, path):
    page.goto(f"{live.url}/property/figures/import/")
    page.set_input_files("#id_file", str(path))
    page.click("#import")


def test_figures_from_xlsx_reach_the_ranked_list_and_the_secretarys_criterion(
    browser, live_server, world, tmp_path
):
    live = live_server
    compound = _setup(world)
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(desk, live, "property_staff")
    _upload(desk, live, _workbook(tmp_path, compound, bad=True))
    desk.wait_for_selector("#import-errors >> text=第 6 行")  # May is the sixth row, under the header
    assert "未导入任何数据" in desk.inner_text("#import-errors")
    assert not MonthlyFigures.objects.exists()
    _upload(desk, live, _workbook(tmp_path, compound, bad=False))
    desk.wait_for_selector(".messages >> text=已导入 12 行")
    screenshot(desk, "property-import-1366")

    secretary = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(secretary, live, "neighborhood_secretary")
    secretary.goto(f"{live.url}/property/")
    secretary.click(f"#neighborhoods a:has-text('{world.neighborhood_a.name}')")
    secretary.wait_for_selector("#ranking")
    row = secretary.locator(f'#ranking tr[data-compound="{compound.name}"]')
    assert str(expected_score()) in row.inner_text() and row.locator("td").first.inner_text() == "1"
    assert str(expected_score()) in secretary.inner_text("#criterion")
    assert "书记年终考核" in secretary.inner_text("#criterion")
    screenshot(secretary, "property-ranking-1366")
    ranking_url = secretary.url

    phone = browser.new_context(
        viewport={"width": 420, "height": 900}, locale="zh-CN", is_mobile=True
    ).new_page()
    sign_in(phone, live, "neighborhood_secretary")
    phone.goto(ranking_url)
    phone.wait_for_selector("#criterion")
    assert str(expected_score()) in phone.inner_text("#criterion")
    width = phone.evaluate("document.querySelector('#criterion').getBoundingClientRect().right")
    assert width <= 420
    screenshot(phone, "property-ranking-420")

    assert MonthlyFigures.objects.filter(compound=compound, month__year=2026).count() == 12
    rows, score = selectors.ranking(world.users[ADMIN], world.neighborhood_a, 2026)
    assert (
        score == expected_score()
        and selectors.secretary_criterion(world.neighborhood_a, 2026)["score"] == score
    )
