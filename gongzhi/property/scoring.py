"""The red-property score rule (红色物业测评), as pure functions on plain values: no Django.

A metric's points: for `higher`, (value − worst) / (best − worst); for `lower`,
(worst − value) / (worst − best); clipped to [0, 1], times 100. A compound's score is
Σ weight × points / Σ weight over the rules; a neighborhood's, the household-weighted mean of its
compounds' scores. Arithmetic is exact (Fraction); only the output rounds, half up, to 2 places.
The platform (`gongzhi.property.selectors`) and the command line (`gongzhi property score`) both
call `score_all`, so they cannot disagree.
"""

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from gongzhi.core import sheets

HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)


class ScoreInputError(ValueError):
    """Bad input, with the file and row it was found in."""

    def __init__(self, source: str, row: int | None, message: str):
        self.source, self.row = source, row
        where = f"{source}, row {row}" if row is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Rule:
    metric: str
    weight: Fraction
    direction: str
    worst: Fraction
    best: Fraction


@dataclass(frozen=True)
class CompoundRow:
    compound: str
    neighborhood: str
    households: int
    row: int = 0  # in compounds.csv, for errors


def points(rule: Rule, value: Fraction) -> Fraction:
    """0..100 points of one metric value under one rule."""
    if rule.direction == HIGHER:
        share = (value - rule.worst) / (rule.best - rule.worst)
    else:
        share = (rule.worst - value) / (rule.worst - rule.best)
    return min(max(share, Fraction(0)), Fraction(1)) * 100


def compound_score(rules: list[Rule], values: dict[str, Fraction]) -> Fraction:
    """Σ weight × points / Σ weight; every rule's metric must be in `values`."""
    total_weight = sum((r.weight for r in rules), Fraction(0))
    earned = sum((r.weight * points(r, values[r.metric]) for r in rules), Fraction(0))
    return earned / total_weight


def neighborhood_score(scored: list[tuple[Fraction, int]]) -> Fraction | None:
    """Household-weighted mean of (score, households) pairs; None when no household is counted."""
    households = sum(h for _, h in scored)
    if households == 0:
        return None
    return sum((s * h for s, h in scored), Fraction(0)) / households


def score_all(
    compounds: list[CompoundRow], metrics: dict[str, dict[str, Fraction]], rules: list[Rule]
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """(compound → score, neighborhood → score). Inputs are already checked (see `check`)."""
    by_compound = {c.compound: compound_score(rules, metrics.get(c.compound, {})) for c in compounds}
    groups: dict[str, list[tuple[Fraction, int]]] = {}
    for c in compounds:
        groups.setdefault(c.neighborhood, []).append((by_compound[c.compound], c.households))
    by_neighborhood = {n: s for n, pairs in groups.items() if (s := neighborhood_score(pairs)) is not None}
    return by_compound, by_neighborhood


def rounded(value: Fraction) -> Decimal:
    """Round half up to 2 decimals, from the exact value (no float on the way)."""
    hundredths = value * 100
    floor = hundredths.numerator // hundredths.denominator
    rest = hundredths - floor
    cents = floor + (1 if rest >= Fraction(1, 2) else 0)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Reading the three CSV files --------------------------------------------------------------


def number(text: str, source: str, row: int, field: str) -> Fraction:
    """An exact decimal number, or an error naming the file, row and field."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ScoreInputError(source, row, f"{field} is not a number: {text!r}") from None
    if not value.is_finite():
        raise ScoreInputError(source, row, f"{field} is not a number: {text!r}")
    return Fraction(value)


def _rows(text: str, source: str, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number counting the header as 1, cells) of every non-blank row; the header must match."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    lines = [(n, cells) for n, cells in enumerate(reader, start=1) if any(c.strip() for c in cells)]
    if not lines or [c.strip() for c in lines[0][1]] != header:
        raise ScoreInputError(source, 1, f"the header must be {','.join(header)}")
    found = []
    for n, cells in lines[1:]:
        if len(cells) != len(header):
            raise ScoreInputError(source, n, f"expected {len(header)} columns, found {len(cells)}")
        found.append((n, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return found


def read_compounds(text: str, source: str = "compounds.csv") -> list[CompoundRow]:
    seen: set[str] = set()
    found = []
    for n, cells in _rows(text, source, ["compound", "neighborhood", "households"]):
        name = cells["compound"]
        if not name or not cells["neighborhood"]:
            raise ScoreInputError(source, n, "compound and neighborhood must not be blank")
        if name in seen:
            raise ScoreInputError(source, n, f"duplicate compound {name!r}")
        households = cells["households"]
        if not households.isascii() or not households.isdigit():
            raise ScoreInputError(source, n, f"households is not a whole number: {households!r}")
        if int(households) == 0:
            raise ScoreInputError(
                source, n, "households must be at least 1 (it weighs the neighborhood's mean)"
            )
        seen.add(name)
        found.append(CompoundRow(name, cells["neighborhood"], int(households), n))
    return found


def read_rules(text: str, source: str = "rules.csv") -> list[Rule]:
    found: dict[str, Rule] = {}
    for n, cells in _rows(text, source, ["metric", "weight", "direction", "worst", "best"]):
        metric, direction = cells["metric"], cells["direction"]
        if not metric:
            raise ScoreInputError(source, n, "metric must not be blank")
        if metric in found:
            raise ScoreInputError(source, n, f"duplicate rule for metric {metric!r}")
        if direction not in DIRECTIONS:
            raise ScoreInputError(source, n, f"direction must be higher or lower, not {direction!r}")
        weight = number(cells["weight"], source, n, "weight")
        worst, best = number(cells["worst"], source, n, "worst"), number(cells["best"], source, n, "best")
        if weight <= 0:
            raise ScoreInputError(source, n, "weight must be greater than 0")
        if worst == best:
            raise ScoreInputError(source, n, "worst and best must differ")
        found[metric] = Rule(metric, weight, direction, worst, best)
    if not found:
        raise ScoreInputError(source, None, "no rules")
    return list(found.values())


def read_metrics(
    text: str, compounds: list[CompoundRow], source: str = "metrics.csv"
) -> dict[str, dict[str, Fraction]]:
    known = {c.compound for c in compounds}
    found: dict[str, dict[str, Fraction]] = {}
    for n, cells in _rows(text, source, ["compound", "metric", "value"]):
        compound, metric = cells["compound"], cells["metric"]
        if compound not in known:
            raise ScoreInputError(source, n, f"unknown compound {compound!r}")
        if metric in found.get(compound, {}):
            raise ScoreInputError(source, n, f"duplicate value of {metric!r} for {compound!r}")
        found.setdefault(compound, {})[metric] = number(cells["value"], source, n, "value")
    return found


def check_complete(
    compounds: list[CompoundRow], metrics: dict[str, dict[str, Fraction]], rules: list[Rule]
) -> None:
    """Every compound has a value for every rule's metric (its row in compounds.csv is named)."""
    for c in compounds:
        missing = [r.metric for r in rules if r.metric not in metrics.get(c.compound, {})]
        if missing:
            message = f"compound {c.compound!r} has no value of {', '.join(missing)} in metrics.csv"
            raise ScoreInputError("compounds.csv", c.row, message)


def score_files(compounds_text: str, metrics_text: str, rules_text: str) -> str:
    """The whole command: three CSV texts in, `level,id,score` CSV out."""
    compounds = read_compounds(compounds_text)
    rules = read_rules(rules_text)
    metrics = read_metrics(metrics_text, compounds)
    check_complete(compounds, metrics, rules)
    by_compound, by_neighborhood = score_all(compounds, metrics, rules)
    out = io.StringIO()
    writer = sheets.csv_writer(out, lineterminator="\n")
    writer.writerow(["level", "id", "score"])
    for name, value in by_compound.items():
        writer.writerow(["compound", name, rounded(value)])
    for name, value in by_neighborhood.items():
        writer.writerow(["neighborhood", name, rounded(value)])
    return out.getvalue()
