"""Weekly and monthly meeting duties: created for every neighborhood by the daily task, idempotent,
fulfilled by holding the meeting, and listed when overdue."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from gongzhi.core import jobs
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Duty
from gongzhi.org.models import Neighborhood

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_year_has_one_duty_per_iso_week_and_per_month():
    duties = services.cadence_of_meetings(2026)
    weekly = [d for d in duties if d[0] == Duty.Kind.WEEKLY_MEETING]
    assert len(weekly) == 53  # 2026 has 53 ISO weeks
    assert weekly[0] == (Duty.Kind.WEEKLY_MEETING, "2026-W01", date(2026, 1, 4))
    assert len(services.cadence_of_meetings(2025)) == 52 + 12
    monthly = [d for d in duties if d[0] == Duty.Kind.MONTHLY_MEETING]
    assert monthly[1] == (Duty.Kind.MONTHLY_MEETING, "2026-02", date(2026, 2, 28))


def test_the_daily_command_creates_every_neighborhoods_duties_once(world):
    out = StringIO()
    call_command("deliberation_duties", stdout=out)
    neighborhoods = Neighborhood.objects.count()
    per_year = Duty.objects.filter(neighborhood=world.neighborhood_a, party_org=None).count()
    assert per_year in (52 + 12, 53 + 12, 2 * 52 + 24, 52 + 53 + 24)  # December adds next year
    assert Duty.objects.count() == neighborhoods * per_year
    # In-process the task has run when the command prints; with workers it is queued.
    assert (
        out.getvalue()
        .strip()
        .endswith(f"created: {'queued' if jobs.uses_workers() else Duty.objects.count()}")
    )
    call_command("deliberation_duties", stdout=StringIO())
    assert Duty.objects.count() == neighborhoods * per_year


def test_holding_the_weekly_meeting_fulfils_that_weeks_duty(world):
    secretary = world.users["neighborhood_secretary"]
    services.schedule_meeting_cadence(actor=secretary, neighborhood=world.neighborhood_a, year=2025)
    meeting = services.create_meeting(
        actor=secretary,
        kind="weekly",
        title="周碰头会",
        neighborhood=world.neighborhood_a,
        held_at=datetime(2025, 3, 4, 9, tzinfo=SHANGHAI),
    )
    duty = Duty.objects.get(neighborhood=world.neighborhood_a, kind="weekly_meeting", period="2025-W10")
    assert duty.done_at is not None and duty.meeting == meeting
    overdue = selectors.overdue_duties(secretary, date(2025, 3, 20))
    periods = {(d.kind, d.period) for d in overdue}
    assert ("weekly_meeting", "2025-W09") in periods and ("weekly_meeting", "2025-W10") not in periods
    assert ("monthly_meeting", "2025-02") in periods and ("monthly_meeting", "2025-03") not in periods
    services.update_meeting(
        actor=secretary,
        meeting=meeting,
        kind="monthly",
        title="月度交流会",
        neighborhood=world.neighborhood_a,
        held_at=meeting.held_at,
    )
    assert Duty.objects.get(
        kind="monthly_meeting", period="2025-03", neighborhood=world.neighborhood_a
    ).done_at


def test_overdue_meeting_duties_are_listed_on_the_meetings_page_of_the_area_only(client, world):
    secretary = world.users["neighborhood_secretary"]
    client.force_login(secretary)
    response = client.post(
        reverse("deliberation:meeting_duties"), {"neighborhood": world.neighborhood_a.pk, "year": 2020}
    )
    assert response.status_code == 302 and Duty.objects.count() == 53 + 12  # 2020 had 53 ISO weeks
    page = client.get(reverse("deliberation:meetings")).content.decode()
    assert 'id="overdue-duties"' in page and "2020-W53" in page
    client.force_login(world.users["grid_worker"])
    assert 'id="overdue-duties"' not in client.get(reverse("deliberation:meetings")).content.decode()


def test_scheduling_duties_needs_write_in_that_neighborhood(client, world):
    client.force_login(world.users["owners_committee_member"])
    data = {"neighborhood": world.neighborhood_a.pk, "year": 2025}
    assert client.post(reverse("deliberation:meeting_duties"), data).status_code == 403  # reads, no write
    client.force_login(world.users["social_worker"])
    data = {"neighborhood": world.neighborhood_far.pk, "year": 2025}
    assert client.post(reverse("deliberation:meeting_duties"), data).status_code == 302  # not a choice
    assert not Duty.objects.exists()


def test_a_meeting_planned_before_its_duty_exists_still_counts(world):
    secretary = world.users["neighborhood_secretary"]
    services.create_meeting(
        actor=secretary,
        kind="monthly",
        title="月度交流会",
        neighborhood=world.neighborhood_a,
        held_at=datetime(2031, 5, 20, 15, tzinfo=SHANGHAI),
    )
    services.schedule_meeting_cadence(actor=secretary, neighborhood=world.neighborhood_a, year=2031)
    duty = Duty.objects.get(neighborhood=world.neighborhood_a, kind="monthly_meeting", period="2031-05")
    assert duty.done_at is not None and duty.due_on == date(2031, 5, 31)
    assert Duty.objects.filter(neighborhood=world.neighborhood_a, period="2031-05").count() == 1
