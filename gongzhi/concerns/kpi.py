"""The 接诉即办 KPI formulas. Pure: counts in, rates out (docs/concerns.md explains each).

response_rate     = responded on time / collected
resolution_rate   = resolved / collected   (resolved: closed and not rated dissatisfied)
satisfaction_rate = (satisfied + 0.8 × basically satisfied) / rated
"""

from dataclasses import dataclass, field
from statistics import median

# The 12345 hotline assessment counts a "basically satisfied" answer as 0.8 of a satisfied one.
BASICALLY_WEIGHT = 0.8


def rate(part: float, whole: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to measure (shown as "—", not as 0%)."""
    return None if whole == 0 else part / whole


def response_rate(responded_on_time: int, collected: int) -> float | None:
    return rate(responded_on_time, collected)


def resolution_rate(resolved: int, collected: int) -> float | None:
    return rate(resolved, collected)


def satisfaction_rate(satisfied: int, basically: int, dissatisfied: int) -> float | None:
    return rate(satisfied + BASICALLY_WEIGHT * basically, satisfied + basically + dissatisfied)


def percent(value: float | None) -> float | None:
    """A share as the percentage every surface shows (cards, table, chart, xlsx, API): one decimal."""
    return None if value is None else round(100 * value, 1)


def median_or_none(values: list[float]) -> float | None:
    return median(values) if values else None


@dataclass
class KpiRow:
    """One line of the KPI ledger: a worker, grid, neighborhood or subdistrict in one month."""

    key: object
    label: str
    households_visited: int = 0
    collected: int = 0
    responded_on_time: int = 0
    resolved: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    overdue: int = 0
    close_hours: list[float] = field(default_factory=list, repr=False)
    median_close_hours_value: float | None = None

    @property
    def response_rate(self) -> float | None:
        return response_rate(self.responded_on_time, self.collected)

    @property
    def resolution_rate(self) -> float | None:
        return resolution_rate(self.resolved, self.collected)

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.basically, self.dissatisfied)

    @property
    def response_pct(self) -> float | None:
        return percent(self.response_rate)

    @property
    def resolution_pct(self) -> float | None:
        return percent(self.resolution_rate)

    @property
    def satisfaction_pct(self) -> float | None:
        return percent(self.satisfaction_rate)

    @property
    def median_close_hours(self) -> float | None:
        if self.median_close_hours_value is not None:
            return self.median_close_hours_value
        return median_or_none(self.close_hours)
