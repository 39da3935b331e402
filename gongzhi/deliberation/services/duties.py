"""Cadence duties: the party branch's yearly plan and the neighborhoods' weekly and monthly meetings."""

from __future__ import annotations

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import WRITE
from gongzhi.deliberation.models import Duty, Meeting
from gongzhi.deliberation.services.places import _place_path
from gongzhi.org.models import Neighborhood, PartyOrg


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def cadence_of_year(year: int) -> list[tuple[str, str, date]]:
    """年初一计划、半年一回顾、每月一座谈、年终一评定: (kind, period, due date) for one year."""
    duties = [(Duty.Kind.ANNUAL_PLAN, f"{year}", date(year, 1, 31))]
    duties += [(Duty.Kind.MONTHLY_TALK, f"{year}-{m:02d}", _month_end(year, m)) for m in range(1, 13)]
    duties += [
        (Duty.Kind.HALF_YEAR_REVIEW, f"{year}-H1", date(year, 7, 31)),
        (Duty.Kind.YEAR_END_RATING, f"{year}", date(year, 12, 31)),
    ]
    return duties


@transaction.atomic
def schedule_cadence(*, actor, party_org: PartyOrg, year: int) -> list[Duty]:
    """The year's duties of one (outpost) branch; running it twice adds nothing."""
    path = _place_path(party_org=party_org)
    if not permissions.can_create(actor, Duty, path):
        raise PermissionDenied(_("You may not schedule duties here."))
    duties = []
    for kind, period, due_on in cadence_of_year(year):
        duty, created = Duty.objects.get_or_create(
            party_org=party_org,
            kind=kind,
            period=period,
            defaults={
                "subdistrict_id": path["subdistrict"],
                "neighborhood_id": path["neighborhood"],
                "due_on": due_on,
            },
        )
        duties.append(duty)
    audit.record("schedule", party_org, actor=actor, summary=f"{party_org.name}: {year}")
    return duties


@transaction.atomic
def complete_duty(*, actor, duty: Duty, meeting: Meeting | None = None) -> Duty:
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if not permissions.can(actor, duty, WRITE):
        raise NotInScope(_("No such duty in your area."))
    if duty.done_at is None:
        duty.done_at, duty.meeting = timezone.now(), meeting
        duty.save(update_fields=["done_at", "meeting"])
        audit.record("complete", duty, actor=actor)
    return duty


def cadence_of_meetings(year: int) -> list[tuple[str, str, date]]:
    """每周碰头会、每月交流会: one duty per ISO week (due its Sunday) and per month (due its last day)."""
    weeks = date(year, 12, 28).isocalendar().week  # 28 December always lies in the year's last week
    duties = [
        (Duty.Kind.WEEKLY_MEETING, f"{year}-W{w:02d}", date.fromisocalendar(year, w, 7))
        for w in range(1, weeks + 1)
    ]
    duties += [(Duty.Kind.MONTHLY_MEETING, f"{year}-{m:02d}", _month_end(year, m)) for m in range(1, 13)]
    return duties


def ensure_meeting_duties(neighborhood: Neighborhood, year: int) -> int:
    """The year's weekly and monthly meeting duties of one neighborhood; returns how many were new.

    Idempotent (a partial unique index backs it), so the scheduled task may run any number of times.
    """
    created = 0
    for kind, period, due_on in cadence_of_meetings(year):
        _duty, new = Duty.objects.get_or_create(
            party_org=None,
            neighborhood=neighborhood,
            kind=kind,
            period=period,
            defaults={"subdistrict_id": neighborhood.subdistrict_id, "due_on": due_on},
        )
        created += new
    return created


@transaction.atomic
def schedule_meeting_cadence(*, actor, neighborhood: Neighborhood, year: int) -> int:
    """Staff create a year's meeting duties by hand (the task does it for the current year)."""
    if not permissions.can_create(actor, Duty, _place_path(neighborhood=neighborhood)):
        raise PermissionDenied(_("You may not schedule duties here."))
    created = ensure_meeting_duties(neighborhood, year)
    audit.record("schedule", neighborhood, actor=actor, summary=f"{neighborhood.name}: {year}")
    return created


@transaction.atomic
def schedule_all_meeting_duties(*, year: int) -> int:
    """Run by the scheduled task for every neighborhood: no actor, so it is audited as the system."""
    created = sum(ensure_meeting_duties(n, year) for n in Neighborhood.objects.order_by("pk"))
    if created:
        audit.record(
            "schedule", None, summary=_("meeting duties %(year)s: %(n)s") % {"year": year, "n": created}
        )
    return created


MEETING_DUTY = {
    Meeting.Kind.WEEKLY: Duty.Kind.WEEKLY_MEETING,
    Meeting.Kind.MONTHLY: Duty.Kind.MONTHLY_MEETING,
}


def _complete_meeting_duty(actor, meeting: Meeting) -> None:
    """A weekly or monthly meeting fulfils its neighborhood's duty for that week or month."""
    kind = MEETING_DUTY.get(meeting.kind)
    if kind is None or meeting.neighborhood_id is None:
        return
    day = timezone.localtime(meeting.held_at).date()
    if kind == Duty.Kind.WEEKLY_MEETING:
        iso = day.isocalendar()
        period, due_on = f"{iso.year}-W{iso.week:02d}", date.fromisocalendar(iso.year, iso.week, 7)
    else:
        period, due_on = f"{day.year}-{day.month:02d}", _month_end(day.year, day.month)
    # The daily task may not have reached this period yet (a meeting planned far ahead): make the
    # one duty now, so the meeting still counts once the rest of the year is scheduled.
    Duty.objects.get_or_create(
        party_org=None,
        neighborhood_id=meeting.neighborhood_id,
        kind=kind,
        period=period,
        defaults={"subdistrict_id": meeting.subdistrict_id, "due_on": due_on},
    )
    duty = Duty.objects.select_for_update().get(
        party_org=None, neighborhood_id=meeting.neighborhood_id, kind=kind, period=period
    )
    if duty.done_at is None:
        duty.done_at, duty.meeting = timezone.now(), meeting
        duty.save(update_fields=["done_at", "meeting"])
        audit.record("complete", duty, actor=actor)
