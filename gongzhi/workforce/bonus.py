"""The bonus rule of a multi-rater assessment (多头打分), exact and shared by the command line and the
platform's rounds. Pure Python: no Django, so the rule is tested and run on its own.

A group's score for a neighborhood is the mean of its raters' scores (with 5 or more raters, one
highest and one lowest are dropped first). The neighborhood score is the weighted mean of the
groups that scored it. A worker's points = level factor × personal score × neighborhood score, and
the pool is shared in proportion to points: each share cut down to the fen, the fen left over one
each to the largest remainders (ties: the worker id that sorts first).
"""

import csv
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from gongzhi.core import sheets

DEFAULT_LEVELS = {
    "novice": Decimal("1.0"),
    "regular": Decimal("1.2"),
    "team_lead": Decimal("1.5"),
    "secretary": Decimal("1.8"),
}
TRIM_FROM = 5  # raters of one group on one neighborhood from which the extremes are dropped
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_POOL = Decimal("1e12")


# Every error of the rule by code, in English for the command line; the platform's pages show the
# same codes in the reader's language (workforce.services.assessment.bonus_error_message).
MESSAGES = {
    "pool_negative": "the pool cannot be negative",
    "pool_precision": "the pool must be in yuan with at most 2 decimals, below 10^12",
    "group_without_weight": "group {group!r} has no weight",
    "unknown_level": "unknown level {level!r}",
    "unscored_neighborhood": "nobody scored the neighborhood {neighborhood!r}",
    "duplicate_worker": "duplicate worker {worker!r}",
    "no_points": "no points to share: every worker has 0 points",
    "empty_cell": "{column} is empty",
    "not_a_number": "{column} is not a number: {text!r}",
    "score_range": "{column} must be between 0 and 100, not {text}",
    "score_precision": "{column} has more than 2 decimals: {text}",
    "empty_file": "the file is empty",
    "header": "the header must name the columns {columns}",
    "short_row": "expected the columns {columns}",
    "rated_twice": "rater {rater!r} of group {group!r} scored {neighborhood!r} twice (first on {first})",
    "duplicate_group": "duplicate group {group!r}",
    "weight_not_positive": "weight must be positive, not {text}",
    "duplicate_level": "duplicate level {level!r}",
    "factor_not_positive": "factor must be positive, not {text}",
}


class BonusError(ValueError):
    """Bad input: a `code` of MESSAGES with its `params`, and `where` it stood (file and row, or
    the worker); str() is the English message naming the file and row."""

    def __init__(self, code: str, where: str = "", **params):
        self.code, self.where, self.params = code, where, params
        super().__init__(_at(where, MESSAGES[code].format(**params)))


@dataclass(frozen=True)
class Rating:
    group: str
    rater: str
    neighborhood: str
    score: Decimal
    where: str = ""


@dataclass(frozen=True)
class Worker:
    worker: str
    neighborhood: str
    level: str
    personal: Decimal
    where: str = ""


@dataclass(frozen=True)
class Share:
    worker: str
    neighborhood: str
    neighborhood_score: Fraction
    points: Fraction
    bonus: Decimal


def _at(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


# ---- the rule -------------------------------------------------------------------------------


def group_score(scores: list[Decimal]) -> Fraction:
    """The mean of one group's scores for one neighborhood, extremes dropped from 5 raters up."""
    ordered = sorted(Fraction(s) for s in scores)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return sum(ordered, Fraction(0)) / len(ordered)


def neighborhood_scores(ratings: list[Rating], weights: dict[str, Decimal]) -> dict[str, Fraction]:
    """Σ weight × group score / Σ weight over the groups that scored each neighborhood."""
    by_pair: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for r in ratings:
        if r.group not in weights:
            raise BonusError("group_without_weight", r.where, group=r.group)
        by_pair[(r.neighborhood, r.group)].append(r.score)
    totals: dict[str, list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
    for (neighborhood, group), scores in by_pair.items():
        weight = Fraction(weights[group])
        totals[neighborhood][0] += weight * group_score(scores)
        totals[neighborhood][1] += weight
    return {n: weighted / weight for n, (weighted, weight) in totals.items()}


def split_pool(points: dict[str, Fraction], pool: Decimal) -> dict[str, Decimal]:
    """Shares of `pool` in proportion to `points`, whole fen, adding up to the pool exactly."""
    total = sum(points.values(), Fraction(0))
    fen = int(pool * 100)
    exact = {w: fen * p / total for w, p in points.items()}
    floors = {w: share.numerator // share.denominator for w, share in exact.items()}
    left = fen - sum(floors.values())
    by_remainder = sorted(points, key=lambda w: (-(exact[w] - floors[w]), w))
    for w in by_remainder[:left]:
        floors[w] += 1
    return {w: Decimal(f) / 100 for w, f in floors.items()}


def compute(
    ratings: list[Rating],
    weights: dict[str, Decimal],
    workers: list[Worker],
    pool: Decimal,
    levels: dict[str, Decimal] | None = None,
) -> list[Share]:
    """Every worker's share of the pool, in the order the workers were given."""
    levels = DEFAULT_LEVELS if levels is None else levels
    if pool < 0:
        raise BonusError("pool_negative", "--pool")
    if pool != pool.quantize(CENT) or pool >= MAX_POOL:
        raise BonusError("pool_precision", "--pool")
    scores = neighborhood_scores(ratings, weights)
    points: dict[str, Fraction] = {}
    for w in workers:
        if w.level not in levels:
            raise BonusError("unknown_level", w.where, level=w.level)
        if w.neighborhood not in scores:
            raise BonusError("unscored_neighborhood", w.where, neighborhood=w.neighborhood)
        if w.worker in points:
            raise BonusError("duplicate_worker", w.where, worker=w.worker)
        points[w.worker] = Fraction(levels[w.level]) * Fraction(w.personal) * scores[w.neighborhood]
    if not any(points.values()):
        where = workers[0].where.rsplit(" row", 1)[0] if workers else ""
        raise BonusError("no_points", where)
    bonus = split_pool(points, pool)
    return [
        Share(w.worker, w.neighborhood, scores[w.neighborhood], points[w.worker], bonus[w.worker])
        for w in workers
    ]


def display(value: Fraction) -> Decimal:
    """A score or points value rounded half up to 2 decimals, for display only."""
    # In integers: a decimal division would round at 28 digits before the half-up rounding.
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


# ---- the files --------------------------------------------------------------------------------


def number(text: str, where: str, column: str) -> Decimal:
    """A plain ASCII decimal number, or an error naming where it stood."""
    raw = (text or "").strip()
    if not raw:
        raise BonusError("empty_cell", where, column=column)
    if not raw.isascii() or not PLAIN_NUMBER.fullmatch(raw):
        raise BonusError("not_a_number", where, column=column, text=text)
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise BonusError("not_a_number", where, column=column, text=text) from None


def score(text: str, where: str, column: str) -> Decimal:
    """A score from 0 to 100 with at most 2 decimals."""
    value = number(text, where, column)
    if not 0 <= value <= HUNDRED:
        raise BonusError("score_range", where, column=column, text=text.strip())
    if value != value.quantize(CENT):
        raise BonusError("score_precision", where, column=column, text=text.strip())
    return value


def rows(text: str, columns: tuple[str, ...], name: str):
    """(where, {column: cell}) for each non-blank row; rows counted as in a spreadsheet."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        raise BonusError("empty_file", name)
    missing = [c for c in columns if c not in header]
    if missing:
        raise BonusError("header", f"{name} row 1", columns=",".join(columns))
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name} row {row_number}"
        if len(row) < len(header):
            raise BonusError("short_row", where, columns=",".join(columns))
        cells = {c: row[header.index(c)].strip() for c in columns}
        for c in columns:
            if not cells[c]:
                raise BonusError("empty_cell", where, column=c)
        yield where, cells


def read_ratings(text: str, name: str = "ratings.csv") -> list[Rating]:
    found: list[Rating] = []
    seen: dict[tuple[str, str, str], str] = {}
    for where, c in rows(text, ("group", "rater", "neighborhood", "score"), name):
        value = score(c["score"], where, "score")
        key = (c["group"], c["rater"], c["neighborhood"])
        if key in seen:
            raise BonusError(
                "rated_twice",
                where,
                rater=c["rater"],
                group=c["group"],
                neighborhood=c["neighborhood"],
                first=seen[key],
            )
        seen[key] = "row " + where.rsplit(" ", 1)[-1]
        found.append(Rating(c["group"], c["rater"], c["neighborhood"], value, where))
    return found


def read_weights(text: str, name: str = "weights.csv") -> dict[str, Decimal]:
    weights: dict[str, Decimal] = {}
    for where, c in rows(text, ("group", "weight"), name):
        if c["group"] in weights:
            raise BonusError("duplicate_group", where, group=c["group"])
        weight = number(c["weight"], where, "weight")
        if weight <= 0:
            raise BonusError("weight_not_positive", where, text=c["weight"])
        weights[c["group"]] = weight
    return weights


def read_workers(text: str, levels: dict[str, Decimal], name: str = "workers.csv") -> list[Worker]:
    found: list[Worker] = []
    for where, c in rows(text, ("worker", "neighborhood", "level", "personal"), name):
        if c["level"] not in levels:
            raise BonusError("unknown_level", where, level=c["level"])
        personal = score(c["personal"], where, "personal")
        found.append(Worker(c["worker"], c["neighborhood"], c["level"], personal, where))
    return found


def read_levels(text: str, name: str = "levels.csv") -> dict[str, Decimal]:
    levels: dict[str, Decimal] = {}
    for where, c in rows(text, ("level", "factor"), name):
        if c["level"] in levels:
            raise BonusError("duplicate_level", where, level=c["level"])
        factor = number(c["factor"], where, "factor")
        if factor <= 0:
            raise BonusError("factor_not_positive", where, text=c["factor"])
        levels[c["level"]] = factor
    return levels


def parse_pool(text: str) -> Decimal:
    value = number(text, "--pool", "pool")
    if value < 0:
        raise BonusError("pool_negative", "--pool")
    return value


def write_shares(shares: list[Share]) -> str:
    out = io.StringIO()
    writer = sheets.csv_writer(out, lineterminator="\n")
    writer.writerow(["worker", "neighborhood", "neighborhood_score", "points", "bonus"])
    for s in shares:
        writer.writerow(
            [s.worker, s.neighborhood, display(s.neighborhood_score), display(s.points), f"{s.bonus:.2f}"]
        )
    return out.getvalue()


def bonus_csv(
    ratings: str, weights: str, workers: str, pool: str, levels: str | None = None, names: dict | None = None
) -> str:
    """The whole command: file texts in, bonus.csv text out, or a BonusError naming file and row."""
    names = names or {}
    factors = DEFAULT_LEVELS if levels is None else read_levels(levels, names.get("levels", "levels.csv"))
    amount = parse_pool(pool)
    shares = compute(
        read_ratings(ratings, names.get("ratings", "ratings.csv")),
        read_weights(weights, names.get("weights", "weights.csv")),
        read_workers(workers, factors, names.get("workers", "workers.csv")),
        amount,
        factors,
    )
    return write_shares(shares)
