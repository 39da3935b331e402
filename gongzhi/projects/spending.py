"""Spending-rule checks of one expense. No Django imports: the rule arrives as plain values.

A breach is a (code, detail) pair; the page shows it in words and the expense needs an override
with a reason before it is recorded.
"""

from dataclasses import dataclass
from decimal import Decimal

FORBIDDEN = "forbidden_item"
OVER_EVENT_CAP = "over_event_cap"
OVER_PERSON_CAP = "over_person_cap"
PERSONS_MISSING = "persons_missing"
OVER_BUDGET = "over_budget"


@dataclass(frozen=True)
class Limits:
    cap_per_person: Decimal | None = None
    cap_per_event: Decimal | None = None
    forbidden: tuple[str, ...] = ()


def breaches(
    limits: Limits | None,
    *,
    description: str,
    amount: Decimal,
    persons: int | None,
    spent_before: Decimal = Decimal(0),
    budget: Decimal | None = None,
) -> list[tuple[str, str]]:
    found = []
    if limits is not None:
        text = description.lower()
        for item in limits.forbidden:
            if item.lower() in text:
                found.append((FORBIDDEN, item))
        if limits.cap_per_event is not None and amount > limits.cap_per_event:
            found.append((OVER_EVENT_CAP, str(limits.cap_per_event)))
        if limits.cap_per_person is not None:
            if not persons:
                found.append((PERSONS_MISSING, str(limits.cap_per_person)))
            elif amount > limits.cap_per_person * persons:
                found.append((OVER_PERSON_CAP, str(limits.cap_per_person)))
    if budget is not None and spent_before + amount > budget:
        found.append((OVER_BUDGET, str(budget - spent_before)))
    return found
