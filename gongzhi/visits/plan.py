"""The visit plan's arithmetic (走访计划), without Django: periods, due and overdue, staff targets.

Three kinds of rule (``VisitRule.kind``), each with its own N (``every``):

* household, N months: a household counts as visited in month M when it had a visit in the N
  calendar months ending with M (M and the N-1 before it). It is **due** in M while it has none
  there yet, and **overdue** when it had none in the window before either, i.e. none since the
  first day of month M-N: it has missed a whole period.
* tagged, N days: a household with a resident carrying the tag (e.g. elderly living alone) needs a
  visit every N days. **Overdue**: no visit in the last N days (or never). **Due**: the N days run
  out within the warning time, a quarter of N (at least one day).
* staff, N households: every staff member visits at least N distinct households a month.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

DEFAULT_HOUSEHOLD_MONTHS = 1
DEFAULT_TAGGED_DAYS = 7


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (negative: before) `month`."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def window_first_month(month: date, months: int) -> date:
    """First month of the N-month window ending with `month`."""
    return add_months(month, -(max(months, 1) - 1))


def overdue_first_month(month: date, months: int) -> date:
    """A household with no visit since this month's first day is overdue in `month`."""
    return add_months(month, -max(months, 1))


def household_status(last_visit: date | None, month: date, months: int) -> str:
    """ "visited", "due" or "overdue" in `month` under an every-N-months rule."""
    if last_visit is not None and last_visit >= window_first_month(month, months):
        return "visited"
    if last_visit is not None and last_visit >= overdue_first_month(month, months):
        return "due"
    return "overdue"


def warning_days(days: int) -> int:
    return max(1, days // 4)


def tagged_status(last_visit: datetime | None, now: datetime, days: int) -> str:
    """ "visited", "due" or "overdue" now under an every-N-days rule."""
    if last_visit is None or last_visit <= now - timedelta(days=days):
        return "overdue"
    if last_visit <= now - timedelta(days=days - warning_days(days)):
        return "due"
    return "visited"


@dataclass(frozen=True)
class StaffTarget:
    households: int  # distinct households visited in the month
    target: int

    @property
    def met(self) -> bool:
        return self.households >= self.target

    @property
    def shortfall(self) -> int:
        return max(self.target - self.households, 0)


def rate(part: int, whole: int) -> float | None:
    """A share, or None when there is nothing to measure (shown as "—", not 0 %)."""
    return part / whole if whole else None
