"""A review panel's result for one project, from its members' independent scores. No Django imports.

Each member's total is the weighted mean of their criterion scores, each score taken as a share of
its criterion's maximum, on a 0–100 scale. The panel result is the mean of the members' totals;
with `drop_extremes` and at least three members, one highest and one lowest total are dropped
first. A member who has not scored every criterion of a project is left out of that project.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Criterion:
    key: int
    weight: Decimal
    max_score: Decimal


def member_total(criteria: Iterable[Criterion], values: Mapping[int, Decimal]) -> Decimal | None:
    criteria = list(criteria)
    if not criteria or any(c.key not in values for c in criteria):
        return None
    weights = sum(c.weight for c in criteria)
    total = sum(c.weight * values[c.key] / c.max_score for c in criteria) / weights * HUNDRED
    return total.quantize(PLACES, rounding=ROUND_HALF_UP)


def panel_result(totals: Iterable[Decimal], *, drop_extremes: bool) -> Decimal | None:
    totals = sorted(totals)
    if not totals:
        return None
    if drop_extremes and len(totals) >= 3:
        totals = totals[1:-1]
    return (sum(totals) / len(totals)).quantize(PLACES, rounding=ROUND_HALF_UP)
