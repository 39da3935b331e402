"""KPI figures against values worked out by hand, per grid, neighborhood, worker and month."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.concerns import selectors, services
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core import exports
from gongzhi.core.models import AuditRecord

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
    for on_time, rating, hours in ((True, "satisfied", 10), (True, "satisfied", 20), (True, "basically", 30),
                                   (False, "dissatisfied", 40)):  # fmt: skip
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
    services.record_visit(actor=world.users["grid_worker"], household=world.household_a, visited_at=at)
    services.record_visit(actor=world.users["grid_worker"], household=world.household_a, visited_at=at)
    services.record_visit(actor=world.users["social_worker"], household=world.household_a2, visited_at=at)
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
