"""Hot issues: messages about the same thing in the same place, grouped and ranked by heat.

Messages become TF-IDF vectors of their words (title twice, since it states the matter) and
their place names; similarity is damped when two messages are months apart; average-linkage
clustering cut at a similarity threshold gives the groups. Average linkage, unlike joining any
two similar messages, does not chain "noise at compound X" into "noise at compound Y".
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from .places import bare, core, extract_places, main_place
from .segmentation import segment

# A group's messages must on average be this similar (cosine of TF-IDF) to each other.
SIMILARITY_THRESHOLD = 0.2
# Messages further apart than this many days count less and less as the same issue.
SAME_PERIOD_DAYS = 30
PERIOD_DECAY_DAYS = 90
# Heat halves its recency part about every four months.
RECENCY_DAYS = 180
# "How fast growing": members in the last GROWTH_WINDOW_DAYS before the clock against the window
# before that; heat gains GROWTH_WEIGHT per e-fold of growth (a cooling issue loses nothing here,
# its recency factor already falls).
GROWTH_WINDOW_DAYS = 30
GROWTH_WEIGHT = 1.0
# Two messages naming places, none of them shared, are probably about different sites.
OTHER_PLACE_FACTOR = 0.6
# Pairwise clustering is quadratic; beyond this many messages only the most recent are grouped.
MAX_MESSAGES = 8000


@dataclass(frozen=True)
class Message:
    id: str
    title: str = ""
    body: str = ""
    time: datetime | None = None
    user: str = ""
    supports: int = 0
    opposes: int = 0


@dataclass(frozen=True)
class HotIssue:
    rank: int
    heat: float
    title: str
    place: str
    start: datetime | None
    end: datetime | None
    member_ids: list[str]
    messages: int
    users: int
    supports: int
    opposes: int
    per_week: float = field(default=0.0)
    # Members in the last growth window before the clock, and in the window before it.
    recent: int = 0
    previous: int = 0


def find_hot_issues(
    messages: Sequence[Message], *, top: int = 10, now: datetime | None = None, min_users: int = 1
) -> list[HotIssue]:
    """The `top` hottest groups of `messages`; `now` defaults to the latest message time.

    Groups with fewer than `min_users` distinct users are left out: one person's message, however
    much supported, is a single request rather than an issue shared by a group.
    """
    messages = _most_recent(list(messages))
    if not messages:
        return []
    places = [_places(m) for m in messages]
    vectors = _tfidf([_issue_words(m) + p for m, p in zip(messages, places, strict=True)])
    labels = _cluster(vectors, [m.time for m in messages], places)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    times = [m.time for m in messages if m.time]
    now = now or (max(times) if times else None)
    issues = [_describe([messages[i] for i in idx], vectors[idx], now) for idx in groups.values()]
    issues = [issue for issue in issues if issue.users >= min_users]
    issues.sort(key=lambda issue: (-issue.heat, issue.member_ids[0]))
    return [_ranked(issue, rank) for rank, issue in enumerate(issues[:top], start=1)]


def heat_score(
    *,
    messages: int,
    users: int,
    supports: int,
    opposes: int,
    per_week: float,
    age_days: float,
    recent: int = 0,
    previous: int = 0,
) -> float:
    """Distinct people weigh most; supports count on a log scale so one viral post cannot swamp;
    `recent` against `previous` (members in the last growth window and the one before) adds how
    fast the issue is growing."""
    base = (
        2.0 * math.log1p(users)
        + math.log1p(messages)
        + math.log1p(max(supports, 0))
        - 0.5 * math.log1p(max(opposes, 0))
        + 0.5 * math.log1p(per_week)
        + GROWTH_WEIGHT * growth(recent, previous)
    )
    recency = math.exp(-max(age_days, 0.0) / RECENCY_DAYS)
    return round(max(base, 0.0) * (0.6 + 0.4 * recency), 3)


def growth(recent: int, previous: int) -> float:
    """ln((1 + recent) / (1 + previous)), floored at 0: 0 for a steady or cooling issue, ln 2 when
    a quiet issue gets its first message, ln 4 for 3 new messages after none."""
    return max(math.log1p(max(recent, 0)) - math.log1p(max(previous, 0)), 0.0)


def _window_counts(members: list[Message], now: datetime | None) -> tuple[int, int]:
    if now is None:
        return 0, 0
    ages = [(now - m.time).total_seconds() / 86400 for m in members if m.time]
    recent = sum(1 for a in ages if 0 <= a < GROWTH_WINDOW_DAYS)
    previous = sum(1 for a in ages if GROWTH_WINDOW_DAYS <= a < 2 * GROWTH_WINDOW_DAYS)
    return recent, previous


def _most_recent(messages: list[Message]) -> list[Message]:
    if len(messages) <= MAX_MESSAGES:
        return messages
    return sorted(messages, key=lambda m: m.time or datetime.min, reverse=True)[:MAX_MESSAGES]


def _issue_words(message: Message) -> list[str]:
    title = _words(message.title)
    return [*title, *title, *_words(message.body)]


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[str, ...]:
    # A refresh groups each concern twice (subdistrict-wide and in its neighbourhood): cut once.
    return tuple(segment(text))


def _places(message: Message) -> list[str]:
    # "@" keeps a place apart from a word spelled the same.
    return ["@" + bare(p) for p in dict.fromkeys(extract_places(message.title + "\n" + message.body))]


def _place_bigrams(places: list[str]) -> set[str]:
    # Two mentions of one site rarely match in full ("丽发新城小区", "暮云街道丽发新城") but share
    # pairs of characters of the name's distinctive part.
    cores = [core(p.lstrip("@")) for p in places]
    return {c[i : i + 2] for c in cores for i in range(len(c) - 1)}


def _tfidf(words: list[list[str]]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Words in more than a fifth of all messages ("小区", "问题") say nothing about which issue.
    vectorizer = TfidfVectorizer(analyzer=lambda w: w, sublinear_tf=True, max_df=0.2)
    try:
        return vectorizer.fit_transform(words).astype(np.float32).tocsr()
    except ValueError:  # nothing left after max_df: tiny or empty texts
        return TfidfVectorizer(analyzer=lambda w: w or ["_"], sublinear_tf=True).fit_transform(words).tocsr()


def _cluster(vectors, times: list[datetime | None], places: list[list[str]]) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = vectors.shape[0]
    if n == 1:
        return np.array([1])
    similarity = (vectors @ vectors.T).toarray() * _period_factor(times) * _place_factor(places)
    distance = np.clip(1.0 - similarity, 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return fcluster(tree, t=1.0 - SIMILARITY_THRESHOLD, criterion="distance")


def _period_factor(times: list[datetime | None]) -> np.ndarray:
    # Unknown times do not damp: a message without a date may still belong to a group.
    stamps = np.array([t.timestamp() / 86400 if t else np.nan for t in times], dtype=np.float64)
    gap = np.abs(stamps[:, None] - stamps[None, :])
    factor = np.exp(-np.maximum(gap - SAME_PERIOD_DAYS, 0.0) / PERIOD_DECAY_DAYS)
    return np.where(np.isnan(factor), 1.0, factor).astype(np.float32)


def _place_factor(places: list[list[str]]) -> np.ndarray:
    from scipy import sparse

    bigrams = [_place_bigrams(names) for names in places]
    index: dict[str, int] = {}
    rows = [i for i, grams in enumerate(bigrams) for _ in grams]
    cols = [index.setdefault(g, len(index)) for grams in bigrams for g in grams]
    named = sparse.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(places), len(index) or 1)
    )
    # Pairs common to many messages ("东路", "星沙") name areas, not sites.
    common = np.asarray(named.sum(axis=0)).ravel() > max(0.01 * len(places), 3)
    named = named @ sparse.diags((~common).astype(np.float32))
    shared = (named @ named.T).toarray() >= 2
    has = np.asarray(named.sum(axis=1)).ravel() >= 2
    unrelated_sites = has[:, None] & has[None, :] & ~shared
    return np.where(unrelated_sites, OTHER_PLACE_FACTOR, 1.0).astype(np.float32)


def _describe(members: list[Message], vectors, now: datetime | None) -> HotIssue:
    times = sorted(m.time for m in members if m.time)
    start, end = (times[0], times[-1]) if times else (None, None)
    span_days = (end - start).total_seconds() / 86400 if times else 0.0
    per_week = len(members) / max(span_days / 7, 1.0)
    users = len({m.user or m.id for m in members})
    supports, opposes = sum(m.supports for m in members), sum(m.opposes for m in members)
    age = (now - end).total_seconds() / 86400 if now and end else 0.0
    recent, previous = _window_counts(members, now)
    return HotIssue(
        rank=0,
        heat=heat_score(
            messages=len(members),
            users=users,
            supports=supports,
            opposes=opposes,
            per_week=per_week,
            age_days=age,
            recent=recent,
            previous=previous,
        ),
        title=_representative(members, vectors).title,
        # Titles twice: a place named in the title is what the message is about.
        place=main_place([m.title for m in members] * 2 + [m.body for m in members]),
        start=start,
        end=end,
        member_ids=sorted((m.id for m in members), key=_id_order),
        messages=len(members),
        users=users,
        supports=supports,
        opposes=opposes,
        per_week=round(per_week, 2),
        recent=recent,
        previous=previous,
    )


def _representative(members: list[Message], vectors) -> Message:
    # The message closest to the group's centre speaks for it best.
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    scores = vectors @ centre
    return members[int(np.argmax(scores))]


def _ranked(issue: HotIssue, rank: int) -> HotIssue:
    return HotIssue(**{**issue.__dict__, "rank": rank})


def _id_order(value: str) -> tuple[int, str]:
    # ASCII only: "²".isdigit() is true and int("²") fails (pure module: no core.pages here).
    return (int(value), value) if value.isascii() and value.isdigit() else (2**63, value)


def messages_from_rows(rows: Iterable[dict[str, str]]) -> list[Message]:
    """Messages from CSV rows named as in hot_issue_messages.csv or with `id` for `message_id`."""
    from .timestamps import parse_time

    return [
        Message(
            id=(row.get("message_id") or row.get("id") or "").strip(),
            title=row.get("title") or "",
            body=row.get("body") or row.get("text") or "",
            time=parse_time(row.get("time")),
            user=(row.get("user") or "").strip(),
            supports=_count(row.get("supports")),
            opposes=_count(row.get("opposes")),
        )
        for row in rows
    ]


def _count(value: str | None) -> int:
    try:
        return max(int(float((value or "0").strip() or 0)), 0)
    except ValueError:
        return 0
