"""小事简议、大事细议、要事议妥、急事议决: the tier of a concern by rules. Pure.

The tier is the highest of the category's own tier and what the size of the matter calls for:
how many households it touches, what it may cost, and whether it is urgent.
"""

from decimal import Decimal

MINOR = "minor"
MAJOR = "major"
KEY = "key"
URGENT = "urgent"
TIERS = (MINOR, MAJOR, KEY, URGENT)
_RANK = {t: i for i, t in enumerate(TIERS)}

# Thresholds from the seeds' practice: a stairwell's worth of households or a few thousand yuan
# is a matter for deliberation (大事); a compound's worth or a sum needing a fund vote is key (要事).
MAJOR_HOUSEHOLDS = 10
KEY_HOUSEHOLDS = 100
MAJOR_COST = Decimal("5000")
KEY_COST = Decimal("50000")


def higher(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def tier_for(
    *, category_tier: str = MINOR, households: int = 1, cost: Decimal | None = None, urgent: bool = False
) -> str:
    if urgent:
        return URGENT
    size = MINOR
    cost = cost or Decimal("0")
    if households >= KEY_HOUSEHOLDS or cost >= KEY_COST:
        size = KEY
    elif households >= MAJOR_HOUSEHOLDS or cost >= MAJOR_COST:
        size = MAJOR
    return higher(category_tier, size)


# Working days to first response and to resolution when a category sets none of its own.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    MINOR: (1, 5),
    MAJOR: (1, 15),
    KEY: (2, 30),
    URGENT: (0, 1),
}
