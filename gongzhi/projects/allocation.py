"""Next round's budgets from this round's scores: the top N get +raise%, the bottom M get −cut%.

The one implementation behind both `gongzhi projects allocate` (rounds kept in spreadsheets) and
the platform's allocation preview. No Django imports.

Ranking is competition ranking ("1, 2, 2, 4"): an organisation's rank is one more than the number
of organisations with a strictly higher score; its rank from the bottom is one more than the
number with a strictly lower score. Rank ≤ top → budget × (1 + raise/100); rank from the bottom
≤ bottom → budget × (1 − cut/100); both at once (too few organisations for two separate groups)
→ the budget is kept. Amounts are rounded to the fen, half up.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from gongzhi.core import sheets

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
# The platform's money fields hold 14 digits, two of them fen: budgets stay below a trillion yuan.
MAX_BUDGET = Decimal(10) ** 12
# Percentages the platform's rule fields hold (up to 9999.99).
MAX_PERCENT = Decimal(10000)
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")

TOP, BOTTOM, BOTH, MIDDLE = "top", "bottom", "both", "middle"


class AllocationError(ValueError):
    """Bad input; the message names the file and row."""


@dataclass(frozen=True)
class Line:
    org: str
    score: Decimal
    rank: int
    rank_from_bottom: int
    group: str  # TOP, BOTTOM, BOTH or MIDDLE
    old: Decimal
    new: Decimal

    def reason(self, rule: "Rule", total: int) -> str:
        return explain(self, rule, total)


@dataclass(frozen=True)
class Rule:
    top: int
    raise_percent: Decimal
    bottom: int
    cut_percent: Decimal

    def __post_init__(self) -> None:
        for name, value in (("raise", self.raise_percent), ("cut", self.cut_percent)):
            if not Decimal(value).is_finite():
                raise AllocationError(f"{name} is not a number: {value}")
        if self.raise_percent > MAX_PERCENT:
            raise AllocationError(f"raise cannot exceed {MAX_PERCENT}%")
        if self.top < 0 or self.bottom < 0:
            raise AllocationError("top and bottom cannot be negative")
        if self.raise_percent < 0:
            raise AllocationError("raise cannot be negative")
        if not (0 <= self.cut_percent <= HUNDRED):
            raise AllocationError("cut must be between 0 and 100")


def _number(text: str, where: str, column: str) -> Decimal:
    """A plain ASCII number; thousands separators only in well-formed groups of three
    ("12,000.50", not "1,5"), so that a decimal comma is never read as a thousands one."""
    raw = (text or "").strip()
    if not raw:
        raise AllocationError(f"{where}: {column} is empty")
    if not raw.isascii():
        raise AllocationError(f"{where}: {column} has characters other than ASCII digits: {text!r}")
    if "_" in raw:
        raise AllocationError(f"{where}: {column} has an underscore: {text!r}")
    if "," in raw:
        if not GROUPED_NUMBER.fullmatch(raw):
            raise AllocationError(
                f"{where}: {column} has a comma that is not a thousands separator (groups of three): {text!r}"
            )
        raw = raw.replace(",", "")
    if not PLAIN_NUMBER.fullmatch(raw):
        raise AllocationError(f"{where}: {column} is not a number: {text!r}")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise AllocationError(f"{where}: {column} is not a number: {text!r}") from None
    return value


def _budget(value: Decimal, where: str) -> Decimal:
    """A budget the platform could hold: not negative, whole fen, below a trillion yuan."""
    if value < 0:
        raise AllocationError(f"{where}: budget cannot be negative")
    if abs(value) >= MAX_BUDGET:
        raise AllocationError(f"{where}: budget is too large (at most 999999999999.99 yuan)")
    if value != value.quantize(FEN):
        raise AllocationError(f"{where}: budget has fractions of a fen (at most two decimal places)")
    return value


def read_column(text: str, column: str, *, name: str) -> dict[str, tuple[Decimal, int]]:
    """`org,<column>` CSV text → {org: (value, row)}; rows are counted as in a spreadsheet
    (the header is row 1). Blank lines are skipped."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise AllocationError(f"{name}: the file is empty")
    header = [h.strip().lower() for h in header]
    if "org" not in header or column not in header:
        raise AllocationError(f"{name} row 1: the header must name the columns org and {column}")
    for wanted in ("org", column):
        if header.count(wanted) > 1:
            raise AllocationError(f"{name} row 1: the column {wanted} appears twice in the header")
    i_org, i_value = header.index("org"), header.index(column)
    values: dict[str, tuple[Decimal, int]] = {}
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name} row {row_number}"
        if len(row) <= max(i_org, i_value):
            raise AllocationError(f"{where}: expected the columns org and {column}")
        org = row[i_org].strip()
        if not org:
            raise AllocationError(f"{where}: org is empty")
        if org in values:
            raise AllocationError(f"{where}: duplicate org {org!r} (first on row {values[org][1]})")
        value = _number(row[i_value], where, column)
        values[org] = (_budget(value, where) if column == "budget" else value, row_number)
    if not values:
        raise AllocationError(f"{name}: no organisations (the file has only its header)")
    return values


def ranks(scores: Mapping[str, Decimal]) -> dict[str, tuple[int, int]]:
    """org → (competition rank from the top, competition rank from the bottom)."""
    ordered = sorted(scores.values())
    n = len(ordered)
    result = {}
    for org, score in scores.items():
        lower = _count_below(ordered, score)
        higher = n - _count_below_or_equal(ordered, score)
        result[org] = (higher + 1, lower + 1)
    return result


def _count_below(ordered: list[Decimal], value: Decimal) -> int:
    lo, hi = 0, len(ordered)
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _count_below_or_equal(ordered: list[Decimal], value: Decimal) -> int:
    lo, hi = 0, len(ordered)
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] <= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def allocate(scores: Mapping[str, Decimal], budgets: Mapping[str, Decimal], rule: Rule) -> list[Line]:
    """One line per organisation, best rank first (ties in the order the scores were given)."""
    missing = [org for org in scores if org not in budgets]
    if missing:
        raise AllocationError(f"org {missing[0]!r} has a score but no budget")
    missing = [org for org in budgets if org not in scores]
    if missing:
        raise AllocationError(f"org {missing[0]!r} has a budget but no score")
    for org, budget in budgets.items():
        if budget < 0:
            raise AllocationError(f"org {org!r}: the budget cannot be negative")
    up = 1 + rule.raise_percent / HUNDRED
    down = 1 - rule.cut_percent / HUNDRED
    lines = []
    for org, (rank, from_bottom) in ranks(scores).items():
        in_top, in_bottom = rank <= rule.top, from_bottom <= rule.bottom
        old = budgets[org]
        if in_top and in_bottom:
            group, new = BOTH, old
        elif in_top:
            group, new = TOP, old * up
        elif in_bottom:
            group, new = BOTTOM, old * down
        else:
            group, new = MIDDLE, old
        lines.append(Line(org, scores[org], rank, from_bottom, group, to_fen(old), to_fen(new)))
    order = {org: i for i, org in enumerate(scores)}
    return sorted(lines, key=lambda line: (line.rank, order[line.org]))


def percent_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def explain(line: Line, rule: Rule, total: int) -> str:
    """Why a line got its amount, in words a reader of the notice follows."""
    place = f"rank {line.rank} of {total}"
    if line.group == TOP:
        return f"{place}: in the top {rule.top}, +{percent_text(rule.raise_percent)}%"
    if line.group == BOTTOM:
        return f"{place} ({line.rank_from_bottom} from the bottom): in the bottom {rule.bottom}, -{percent_text(rule.cut_percent)}%"
    if line.group == BOTH:
        return (
            f"{place} ({line.rank_from_bottom} from the bottom): in both the top {rule.top} and the bottom "
            f"{rule.bottom} (too few organisations), budget kept"
        )
    return f"{place}: budget kept"


TIE_TOP, TIE_BOTTOM, BOTH_GROUPS = "tie_top", "tie_bottom", "both_groups"
NOTES = {
    TIE_TOP: "tie at the top edge: {n} organisations share the top {top} ranks",
    TIE_BOTTOM: "tie at the bottom edge: {n} organisations share the bottom {bottom} ranks",
    BOTH_GROUPS: "{n} organisation(s) fall in both groups and keep their budget",
}


def edge_notes(lines: Iterable[Line], rule: Rule) -> list[tuple[str, dict]]:
    """Ties at the group edges and the too-few case, as (code, values) for any language."""
    lines = list(lines)
    tops = sum(1 for x in lines if x.group == TOP)
    bottoms = sum(1 for x in lines if x.group == BOTTOM)
    both = sum(1 for x in lines if x.group == BOTH)
    notes = []
    if tops + both > rule.top:
        notes.append((TIE_TOP, {"n": tops + both, "top": rule.top}))
    if bottoms + both > rule.bottom:
        notes.append((TIE_BOTTOM, {"n": bottoms + both, "bottom": rule.bottom}))
    if both:
        notes.append((BOTH_GROUPS, {"n": both}))
    return notes


def summary(lines: Iterable[Line], rule: Rule) -> str:
    return "; ".join(NOTES[code].format(**values) for code, values in edge_notes(lines, rule))


def allocate_csv(
    scores_text: str,
    budgets_text: str,
    rule: Rule,
    *,
    scores_name: str = "scores.csv",
    budgets_name: str = "budgets.csv",
) -> str:
    """The command's whole job: two CSV texts in, `org,old,new,reason` CSV text out."""
    scores = read_column(scores_text, "score", name=scores_name)
    budgets = read_column(budgets_text, "budget", name=budgets_name)
    for org, (_value, row) in scores.items():
        if org not in budgets:
            raise AllocationError(f"{scores_name} row {row}: org {org!r} is missing from {budgets_name}")
    for org, (_value, row) in budgets.items():
        if org not in scores:
            raise AllocationError(f"{budgets_name} row {row}: org {org!r} is missing from {scores_name}")
    lines = allocate({o: v for o, (v, _r) in scores.items()}, {o: v for o, (v, _r) in budgets.items()}, rule)
    out = io.StringIO()
    writer = sheets.csv_writer(out, lineterminator="\n")
    writer.writerow(["org", "old", "new", "reason"])
    for line in lines:
        writer.writerow([line.org, f"{line.old:.2f}", f"{line.new:.2f}", explain(line, rule, len(lines))])
    return out.getvalue()
