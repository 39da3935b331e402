"""Working-day arithmetic on a holiday calendar. Pure: no Django, no database.

`overrides` maps a date to whether it is a working day. China's calendar needs both directions:
public holidays on weekdays (not working) and make-up days (调休) on weekends (working).
"""

from collections.abc import Mapping
from datetime import date, timedelta

Overrides = Mapping[date, bool]


def is_working_day(day: date, overrides: Overrides) -> bool:
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_working_days(start: date, days: int, overrides: Overrides) -> date:
    """The date `days` working days after `start`; 0 means `start` itself or the next working day.

    A concern accepted on a holiday starts its clock on the next working day, so 0 days ("answer
    today") never falls on a day nobody works.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    while not is_working_day(day, overrides):
        day += timedelta(days=1)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
    return day


def working_days_between(start: date, end: date, overrides: Overrides) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, overrides)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n), overrides)
    )
