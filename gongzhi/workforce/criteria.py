"""Criteria of a round beside the personal score the personnel role enters, kept as data on the round.

One criterion today: `red_property`, the red-property score of a neighborhood (gongzhi.property,
华漕镇's 红色物业 assessment), offered for the secretaries' assessment. A criterion
{"code": "red_property", "level": "secretary", "weight": "30"} makes a secretary's personal score
70 % the entered score and 30 % their neighborhood's red-property score of the round's year,
rounded half up to 2 decimals. A neighborhood with no scored compound has no red-property score:
its secretary's entered score then counts alone (the page says so).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.roles import POST_LEVELS
from gongzhi.property.selectors import secretary_criterion

KNOWN = {"red_property": gettext_lazy("red-property score of the neighborhood")}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def clean(criteria) -> list[dict]:
    """The criteria as stored: known codes, a post level, a weight in (0, 100] percent; once per level."""
    cleaned, seen = [], set()
    for item in criteria or ():
        code, level = item.get("code"), item.get("level")
        if code not in KNOWN:
            raise ValidationError({"criteria": _("Unknown criterion.")})
        if level not in POST_LEVELS:
            raise ValidationError({"criteria": _("Unknown post level.")})
        if (code, level) in seen:
            raise ValidationError({"criteria": _("Give each criterion once per post level.")})
        seen.add((code, level))
        weight = _weight(item.get("weight"))
        cleaned.append({"code": code, "level": level, "weight": str(weight)})
    return cleaned


def _weight(value) -> Decimal:
    try:
        weight = Decimal(str(value).strip())
    except ArithmeticError:
        weight = None
    if weight is None or not weight.is_finite() or not Decimal(0) < weight <= HUNDRED:
        raise ValidationError({"criteria": _("Enter a weight above 0 and at most 100 (percent).")})
    if weight != weight.quantize(CENT):
        raise ValidationError({"criteria": _("Use at most %(places)d decimals.") % {"places": 2}})
    return weight


def round_year(assessment) -> int:
    """The year a round assesses: the first four digits of its period ("2025", "2026Q3")."""
    found = re.match(r"\d{4}", assessment.period or "")
    return int(found.group()) if found else timezone.localdate().year


def scores_by_neighborhood(assessment, neighborhoods) -> dict[tuple[str, int], Decimal | None]:
    """(criterion code, neighborhood id) → the criterion's score there (None: not scored)."""
    codes = {c["code"] for c in assessment.criteria}
    found: dict[tuple[str, int], Decimal | None] = {}
    if "red_property" in codes:
        year = round_year(assessment)
        for nb in neighborhoods:
            found[("red_property", nb.pk)] = secretary_criterion(nb, year)["score"]
    return found


def blended(
    entered: Decimal, level: str, neighborhood_id: int, criteria: list[dict], scores: dict
) -> Decimal:
    """The personal score the bonus rule takes: the entered score blended with the level's criteria."""
    total, share = Decimal(0), HUNDRED
    for c in criteria:
        value = scores.get((c["code"], neighborhood_id))
        if c["level"] != level or value is None:
            continue
        weight = Decimal(c["weight"])
        total += Decimal(value) * weight
        share -= weight
    if share == HUNDRED:
        return entered
    return ((entered * share + total) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
