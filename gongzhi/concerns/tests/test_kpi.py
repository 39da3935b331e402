"""KPI figures against values worked out by hand, per grid, neighborhood, worker and month."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.concerns import selectors
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core import exports
from gongzhi.core.models import AuditRecord
from gongzhi.visits import services as visit_services

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONTH = datetime(2026, 10, 1).date()


def _make(
    world,
    *,
    state="accepted",
    on_time=None,
    rating="",
    overdue=False,
    hours=None,
    actor="grid_worker",
    household=None,
):
    concern = concern_for(world, actor=world.users[actor], household=household, category=category())
    accepted = datetime(2026, 10, 12, 9, tzinfo=SH)
    Concern.objects.filter(pk=concern.pk).update(
        accepted_at=accepted,
        state=state,
        responded_on_time=on_time,
        rating=rating,
        overdue=overdue,
        close_hours=hours,
        closed_at=accepted + timedelta(hours=hours) if hours else None,
        resolution_due=timezone.now() + timedelta(days=30),  # open ones are not late unless flagged
    )
    return concern


@pytest.fixture
def october(world):
    """Six concerns in neighborhood A (grid A) and two in B, with visits, in October 2026.

    A: responded on time 4 of 6; closed 4 (ratings: satisfied, satisfied, basically, dissatisfied),
       so resolved = 3; one overdue; close hours 10, 20, 30, 40 → median 25.
    B: 2 collected, 1 responded on time, 1 closed satisfied in 5 h, 0 overdue.
    """
    for on_time, rating, hours in (
        (True, "satisfied", 10),
        (True, "satisfied", 20),
        (True, "basically", 30),
        (False, "dissatisfied", 40),
    ):
        _make(world, state="closed", on_time=on_time, rating=rating, hours=hours)
    _make(world, on_time=True)
    _make(world, overdue=True)
    _make(
        world,
        state="closed",
        on_time=True,
        rating="satisfied",
        hours=5,
        actor="subdistrict_admin",
        household=world.household_b,
    )
    _make(world, actor="subdistrict_admin", household=world.household_b)
    _make(world, state="closed", on_time=True, rating="satisfied", hours=1)  # September: must not count
    Concern.objects.filter(pk=Concern.objects.order_by("-id").first().pk).update(
        accepted_at=datetime(2026, 9, 30, 23, 59, tzinfo=SH)
    )
    at = datetime(2026, 10, 15, 10, tzinfo=SH)
    visit_services.record_visit(actor=world.users["grid_worker"], household=world.household_a, visited_at=at)
    visit_services.record_visit(actor=world.users["grid_worker"], household=world.household_a, visited_at=at)
    visit_services.record_visit(
        actor=world.users["social_worker"], household=world.household_a2, visited_at=at
    )
    return world


def test_neighborhood_rows_match_hand_computed_figures(october):
    admin = october.users["subdistrict_admin"]
    listed, total = selectors.kpi_report(admin, month=MONTH, by="neighborhood")
    rows = {r.label: r for r in listed}
    a, b = rows[october.neighborhood_a.name], rows[october.neighborhood_b.name]
    assert (a.collected, a.responded_on_time, a.resolved, a.overdue, a.households_visited) == (6, 4, 3, 1, 2)
    assert a.response_rate == pytest.approx(4 / 6)
    assert a.resolution_rate == pytest.approx(3 / 6)
    assert a.satisfaction_rate == pytest.approx((2 + 0.8) / 4)
    assert a.median_close_hours == 25
    assert (b.collected, b.resolved, b.response_rate, b.satisfaction_rate, b.median_close_hours) == (
        2,
        1,
        0.5,
        1.0,
        5,
    )
    assert (total.collected, total.resolved, total.households_visited) == (8, 4, 2)
    assert total.median_close_hours == 20  # of 5, 10, 20, 30, 40


def test_worker_and_grid_rows(october):
    admin = october.users["subdistrict_admin"]
    workers = {r.label: r for r in selectors.kpi_rows(admin, month=MONTH, by="worker")}
    assert workers["grid_worker"].collected == 6 and workers["grid_worker"].households_visited == 1
    assert workers["social_worker"].collected == 0 and workers["social_worker"].households_visited == 1
    assert workers["subdistrict_admin"].collected == 2
    grids = {r.key: r for r in selectors.kpi_rows(admin, month=MONTH, by="micro_grid")}
    assert grids[october.grid_a.pk].collected == 6


def test_a_grid_worker_sees_only_their_grid(october):
    rows = selectors.kpi_rows(october.users["grid_worker"], month=MONTH, by="neighborhood")
    assert [(r.label, r.collected) for r in rows] == [(october.neighborhood_a.name, 6)]


def test_kpi_page_and_xlsx_show_the_same_figures(client, october):
    client.force_login(october.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:kpi"), {"month": "2026-10"}).content.decode()
    assert 'data-kpi="collected">6<' in page and 'data-kpi="median_close_hours">25.0<' in page
    response = client.get(reverse("concerns:kpi_export"), {"month": "2026-10", "by": "neighborhood"})
    assert response.status_code == 302  # exports are approved by a second person (core.exports)
    item = exports.request_export(
        october.users["neighborhood_secretary"], "concerns.kpi", {"month": "2026-10"}, "月度考核汇总"
    )
    exports.decide(october.users["subdistrict_admin"], item, approve=True)
    content, _item = exports.open_download(october.users["neighborhood_secretary"], item)
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]  # below the watermark row
    assert rows[2][:4] == (october.neighborhood_a.name, 2, 6, 3)
    assert rows[2][4] == pytest.approx(66.7) and rows[2][6] == pytest.approx(70.0)
    assert AuditRecord.objects.filter(action="export").count() == 1


def test_empty_month_shows_dashes_not_zero_rates(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:kpi"), {"month": "2020-01"}).content.decode()
    assert 'data-kpi="response_rate">—<' in page
    assert timezone.now()


# Every KPI of every grouping, by hand. The fixture's figures per person, grid and area:
#   grid_worker took in A's six (grid_a): on time 4, resolved 3 (2 satisfied, 1 basically, 1
#   dissatisfied), 1 overdue, hours 10 20 30 40; the admin took in B's two (no grid): on time 1,
#   resolved 1 (satisfied, 5 h). Visits: grid_worker household_a (twice), social_worker household_a2.
A_FIGURES = {
    "collected": 6,
    "responded_on_time": 4,
    "resolved": 3,
    "satisfied": 2,
    "basically": 1,
    "dissatisfied": 1,
    "overdue": 1,
    "response_rate": 4 / 6,
    "resolution_rate": 3 / 6,
    "satisfaction_rate": (2 + 0.8 * 1) / 4,
    "median_close_hours": 25,
}
B_FIGURES = {
    "collected": 2,
    "responded_on_time": 1,
    "resolved": 1,
    "satisfied": 1,
    "basically": 0,
    "dissatisfied": 0,
    "overdue": 0,
    "response_rate": 1 / 2,
    "resolution_rate": 1 / 2,
    "satisfaction_rate": 1.0,
    "median_close_hours": 5,
}
NOTHING = {
    "collected": 0,
    "responded_on_time": 0,
    "resolved": 0,
    "satisfied": 0,
    "basically": 0,
    "dissatisfied": 0,
    "overdue": 0,
    "response_rate": None,
    "resolution_rate": None,
    "satisfaction_rate": None,
    "median_close_hours": None,
}
ALL_FIGURES = {
    "collected": 8,
    "responded_on_time": 5,
    "resolved": 4,
    "satisfied": 3,
    "basically": 1,
    "dissatisfied": 1,
    "overdue": 1,
    "response_rate": 5 / 8,
    "resolution_rate": 4 / 8,
    "satisfaction_rate": (3 + 0.8 * 1) / 5,
    "median_close_hours": 20,  # of 5, 10, 20, 30, 40
}


def _figures(row) -> dict:
    return {name: getattr(row, name) for name in A_FIGURES}


def _assert_row(row, expected: dict, households: int) -> None:
    got = _figures(row)
    for name, value in expected.items():
        assert got[name] == (value if value is None else pytest.approx(value)), (row.label, name)
    assert row.households_visited == households, row.label


def _report(world, by):
    listed, total = selectors.kpi_report(world.users["subdistrict_admin"], month=MONTH, by=by)
    return listed, total


def test_every_kpi_per_worker(october):
    listed, total = _report(october, "worker")
    rows = {r.label: r for r in listed}
    assert set(rows) == {"grid_worker", "subdistrict_admin", "social_worker"}
    _assert_row(rows["grid_worker"], A_FIGURES, households=1)
    _assert_row(rows["subdistrict_admin"], B_FIGURES, households=0)
    _assert_row(rows["social_worker"], NOTHING, households=1)
    _assert_row(total, ALL_FIGURES, households=2)


def test_every_kpi_per_micro_grid(october):
    listed, total = _report(october, "micro_grid")
    rows = {r.key: r for r in listed}
    grid_a2 = october.household_a2.micro_grid_id
    assert set(rows) == {october.grid_a.pk, grid_a2, None}  # None: B's building lies on no grid
    _assert_row(rows[october.grid_a.pk], A_FIGURES, households=1)
    _assert_row(rows[grid_a2], NOTHING, households=1)
    _assert_row(rows[None], B_FIGURES, households=0)
    assert rows[None].label == "—"
    _assert_row(total, ALL_FIGURES, households=2)


def test_every_kpi_per_neighborhood(october):
    listed, total = _report(october, "neighborhood")
    rows = {r.key: r for r in listed}
    assert set(rows) == {october.neighborhood_a.pk, october.neighborhood_b.pk}
    _assert_row(rows[october.neighborhood_a.pk], A_FIGURES, households=2)
    _assert_row(rows[october.neighborhood_b.pk], B_FIGURES, households=0)
    _assert_row(total, ALL_FIGURES, households=2)


def test_every_kpi_per_subdistrict(october):
    listed, total = _report(october, "subdistrict")
    assert [(r.key, r.label) for r in listed] == [(october.subdistrict.pk, october.subdistrict.name)]
    _assert_row(listed[0], ALL_FIGURES, households=2)
    _assert_row(total, ALL_FIGURES, households=2)


def test_an_open_concern_past_its_deadline_is_overdue_without_the_flag(october):
    late = Concern.objects.filter(neighborhood=october.neighborhood_b, state="accepted").get()
    Concern.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=1))
    rows = {r.key: r for r in _report(october, "neighborhood")[0]}
    assert rows[october.neighborhood_b.pk].overdue == 1
    closed_late = Concern.objects.filter(neighborhood=october.neighborhood_b, state="closed").get()
    Concern.objects.filter(pk=closed_late.pk).update(resolution_due=timezone.now() - timedelta(days=90))
    rows = {r.key: r for r in _report(october, "neighborhood")[0]}
    assert rows[october.neighborhood_b.pk].overdue == 1  # closed: late only if the close flagged it


def test_a_household_two_workers_visited_counts_once_in_the_total(october):
    at = datetime(2026, 10, 20, 10, tzinfo=SH)
    visit_services.record_visit(
        actor=october.users["social_worker"], household=october.household_a, visited_at=at
    )
    listed, total = _report(october, "worker")
    rows = {r.label: r for r in listed}
    assert (rows["grid_worker"].households_visited, rows["social_worker"].households_visited) == (1, 2)
    assert total.households_visited == 2  # household_a and household_a2, not 1 + 2


def _page_ledger(page: str) -> dict[str, list[str]]:
    import re

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def _approved_workbook(world, by: str) -> list[tuple]:
    import io

    item = exports.request_export(
        world.users["neighborhood_secretary"], "concerns.kpi", {"month": "2026-10", "by": by}, "月度考核汇总"
    )
    exports.decide(world.users["subdistrict_admin"], item, approve=True)
    content, _item = exports.open_download(world.users["neighborhood_secretary"], item)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))[3:]  # below the watermark, title and header rows


@pytest.mark.parametrize("by", ["worker", "micro_grid", "neighborhood", "subdistrict"])
def test_xlsx_ledger_holds_the_numbers_of_the_page(client, october, by):
    client.force_login(october.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:kpi"), {"month": "2026-10", "by": by}).content.decode()
    on_page = _page_ledger(page)
    lines = _approved_workbook(october, by)
    in_book = {str(line[0]): line[1:] for line in lines[:-1]}
    assert set(in_book) == set(on_page) and on_page
    for label, cells in on_page.items():
        book = in_book[label]
        assert [int(c) for c in cells[:3]] == list(book[:3]), label  # visited, collected, resolved
        for shown, pct in zip(cells[3:6], book[3:6], strict=True):  # rates: "66.7%" on the page, 66.7
            assert shown == ("—" if pct is None else f"{pct:.1f}%"), label
        assert int(cells[6]) == book[6], label
        assert (cells[7] == "—" and book[7] is None) or float(cells[7]) == book[7], label
    total = lines[-1]
    for name, value in zip(("households_visited", "collected", "resolved"), total[1:4], strict=True):
        assert f'data-kpi="{name}">{value}<' in page
    assert f'data-kpi="overdue">{total[7]}<' in page
    assert f'data-kpi="median_close_hours">{total[8]:.1f}<' in page


def test_page_api_xlsx_and_supervision_list_agree(client, october):
    """One definition per figure: the cards, the ledger, the API and the xlsx show the same
    percentages with one decimal, and 超期 is the supervision list's count for the month."""
    import re

    secretary = october.users["neighborhood_secretary"]
    Concern.objects.filter(state="accepted").update(resolution_due=timezone.now() - timedelta(hours=1))
    client.force_login(secretary)
    page = client.get(reverse("concerns:kpi"), {"month": "2026-10"}).content.decode()
    api = client.get("/api/v1/concerns/kpi", {"month": "2026-10"}).json()
    book = _approved_workbook(october, "neighborhood")[-1]  # the total line
    total = api["total"]
    for name, column in (("response_rate", 4), ("resolution_rate", 5), ("satisfaction_rate", 6)):
        assert total[name] == book[column]
        assert f'data-kpi="{name}">{total[name]:.1f}%<' in page
        assert total[name] == round(total[name], 1)
    assert total["overdue"] == book[7]
    supervision = client.get(reverse("concerns:supervision"), {"month": "2026-10"}).content.decode()
    listed = re.search(r'id="overdue-count" data-count="(\d+)"', supervision).group(1)
    assert int(listed) == total["overdue"] == supervision.count("data-supervision=") == 2
    assert f'data-kpi="overdue">{total["overdue"]}<' in page
    chart = re.search(r'id="rates-data"[^>]*>(.*?)</script>', page, re.S).group(1)
    assert f"{api['rows'][0]['resolution_rate']}" in chart  # the chart axis in percent, not 0–1
