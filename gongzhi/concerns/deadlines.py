"""Deadlines of a concern in working days on the editable holiday calendar (CalendarDay rows)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from gongzhi.concerns import tiering, workdays
from gongzhi.concerns.models import CalendarDay, Category, TimeLimit
from gongzhi.core.memo import memo


@memo(CalendarDay)
def calendar_overrides(first: date, last: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "working"))


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_working_day(start: datetime, days: int, overrides: dict[date, bool] | None = None) -> datetime:
    """23:59:59 local time of the working day `days` working days after `start`'s local date."""
    zone = local_zone()
    first = start.astimezone(zone).date()
    if overrides is None:
        overrides = calendar_overrides(first, first + search_span(days))
    due = workdays.add_working_days(first, days, overrides)
    return datetime.combine(due, time(23, 59, 59), tzinfo=zone)


def search_span(days: int) -> timedelta:
    # Two calendar weeks per five working days, plus the longest holiday run, bounds the search.
    return timedelta(days=days * 2 + 21)


def limits_for(category: Category, tier: str) -> tuple[int, int]:
    """(working days to respond, to resolve): the category's own row, the tier's row, the default."""
    return _limits(category.pk, tier)


@memo(TimeLimit)
def _limits(category_id: int, tier: str) -> tuple[int, int]:
    rows = {
        row.category_id: (row.response_days, row.resolution_days)
        for row in TimeLimit.objects.filter(Q(category_id=category_id) | Q(category__isnull=True), tier=tier)
    }
    if category_id in rows:
        return rows[category_id]
    if None in rows:
        return rows[None]
    return tiering.DEFAULT_LIMITS[tier]


# Governance loop (治理环): a concern accepted while its place is in emergency mode must be answered
# within 2 hours and resolved within 24, counted round the clock (an emergency keeps no holidays);
# a working-day deadline that falls earlier (an urgent concern's) stays.
EMERGENCY_HOURS = (2, 24)


def emergency_due_dates(
    accepted_at: datetime, response_due: datetime, resolution_due: datetime
) -> tuple[datetime, datetime]:
    respond, resolve = EMERGENCY_HOURS
    return (
        min(response_due, accepted_at + timedelta(hours=respond)),
        min(resolution_due, accepted_at + timedelta(hours=resolve)),
    )


def due_dates(accepted_at: datetime, category: Category, tier: str) -> tuple[datetime, datetime]:
    respond, resolve = limits_for(category, tier)
    first = accepted_at.astimezone(local_zone()).date()
    overrides = calendar_overrides(first, first + search_span(max(respond, resolve)))
    return end_of_working_day(accepted_at, respond, overrides), end_of_working_day(
        accepted_at, resolve, overrides
    )
