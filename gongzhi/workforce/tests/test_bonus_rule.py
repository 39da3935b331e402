"""The bonus rule against an independent implementation in integers (no Fraction, no Decimal maths)."""

import math
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.workforce import bonus
from gongzhi.workforce.bonus import BonusError, Rating, Worker

LEVEL_TENTHS = {"novice": 10, "regular": 12, "team_lead": 15, "secretary": 18}
NEIGHBORHOODS = ["n1", "n2", "n3"]
GROUPS = ["party", "office", "grid"]


def reference(ratings, weights, workers, pool_fen):
    """Worker → bonus in fen, in integers only: scores in cents, weights in hundredths, factors in tenths."""
    per_group = {}
    for group, _rater, nb, cents in ratings:
        per_group.setdefault((nb, group), []).append(cents)
    nb_ratio = {}
    for nb in {nb for nb, _g in per_group}:
        parts = [(weights[g], sorted(s)) for (n, g), s in per_group.items() if n == nb]
        parts = [(w, s[1:-1] if len(s) >= 5 else s) for w, s in parts]
        counts = math.prod(len(s) for _w, s in parts)
        num = sum(w * sum(s) * (counts // len(s)) for w, s in parts)  # Σ w·mean, over the common count
        nb_ratio[nb] = (num, counts * sum(w for w, _s in parts))
    points = {w: LEVEL_TENTHS[level] * cents * nb_ratio[nb][0] for w, nb, level, cents in workers}
    dens = {w: nb_ratio[nb][1] for w, nb, _l, _c in workers}
    common = math.lcm(*dens.values())
    scaled = {w: points[w] * (common // dens[w]) for w in points}
    total = sum(scaled.values())
    shares = {w: divmod(pool_fen * p, total) for w, p in scaled.items()}
    left = pool_fen - sum(q for q, _r in shares.values())
    lucky = sorted(shares, key=lambda w: (-shares[w][1], w))[:left]
    return {w: q + (w in lucky) for w, (q, _r) in shares.items()}


@st.composite
def inputs(draw):
    weights = {g: draw(st.integers(1, 500)) for g in GROUPS}
    ratings = []
    for nb in NEIGHBORHOODS:
        for g in draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=3, unique=True)):
            for r in range(draw(st.integers(1, 7))):
                ratings.append((g, f"r{r}", nb, draw(st.integers(0, 10000))))
    names = draw(st.lists(st.text("abcxyz", min_size=1, max_size=3), min_size=1, max_size=8, unique=True))
    workers = [
        (
            w,
            draw(st.sampled_from(NEIGHBORHOODS)),
            draw(st.sampled_from(list(LEVEL_TENTHS))),
            draw(st.integers(0, 10000)),
        )
        for w in names
    ]
    pool_fen = draw(st.integers(0, 10**11))
    return ratings, weights, workers, pool_fen


def run(ratings, weights, workers, pool_fen):
    shares = bonus.compute(
        [Rating(g, r, nb, Decimal(c) / 100) for g, r, nb, c in ratings],
        {g: Decimal(w) / 100 for g, w in weights.items()},
        [Worker(w, nb, level, Decimal(c) / 100) for w, nb, level, c in workers],
        Decimal(pool_fen) / 100,
    )
    return {s.worker: int(s.bonus * 100) for s in shares}


@settings(deadline=None)  # exact big-integer sums: a loaded machine must not fail them on time
@given(inputs())
def test_the_rule_matches_an_independent_integer_implementation(case):
    ratings, weights, workers, pool_fen = case
    try:
        expected = reference(ratings, weights, workers, pool_fen)
    except ZeroDivisionError:  # no points to share: the rule must say so
        with pytest.raises(BonusError, match="no points to share"):
            run(ratings, weights, workers, pool_fen)
        return
    assert run(ratings, weights, workers, pool_fen) == expected


@settings(deadline=None)  # exact big-integer sums: a loaded machine must not fail them on time
@given(inputs())
def test_the_shares_add_up_to_the_pool_exactly(case):
    ratings, weights, workers, pool_fen = case
    try:
        got = run(ratings, weights, workers, pool_fen)
    except BonusError:
        return
    assert sum(got.values()) == pool_fen
    assert all(v >= 0 for v in got.values())


@settings(deadline=None)  # exact big-integer sums: a loaded machine must not fail them on time
@given(inputs(), st.data())
def test_a_higher_personal_score_never_lowers_that_workers_bonus(case, data):
    ratings, weights, workers, pool_fen = case
    i = data.draw(st.integers(0, len(workers) - 1))
    w, nb, level, cents = workers[i]
    higher = data.draw(st.integers(cents, 10000))
    raised = [*workers[:i], (w, nb, level, higher), *workers[i + 1 :]]
    try:
        before = run(ratings, weights, workers, pool_fen)
    except BonusError:
        return
    assert run(ratings, weights, raised, pool_fen)[w] >= before[w]


@settings(deadline=None)  # exact big-integer sums: a loaded machine must not fail them on time
@given(inputs(), st.data())
def test_a_higher_rating_never_lowers_the_neighborhood_score(case, data):
    ratings, weights, _workers, _pool = case
    i = data.draw(st.integers(0, len(ratings) - 1))
    g, r, nb, cents = ratings[i]
    raised = [*ratings[:i], (g, r, nb, data.draw(st.integers(cents, 10000))), *ratings[i + 1 :]]

    def scores(rows):
        return bonus.neighborhood_scores(
            [Rating(g, r, n, Decimal(c) / 100) for g, r, n, c in rows],
            {k: Decimal(v) for k, v in weights.items()},
        )

    assert scores(raised)[nb] >= scores(ratings)[nb]


@settings(deadline=None)  # exact big-integer sums: a loaded machine must not fail them on time
@given(inputs(), st.randoms())
def test_the_order_of_the_rows_changes_nothing(case, rnd):
    ratings, weights, workers, pool_fen = case
    try:
        before = run(ratings, weights, workers, pool_fen)
    except BonusError:
        return
    shuffled_ratings, shuffled_workers = ratings[:], workers[:]
    rnd.shuffle(shuffled_ratings)
    rnd.shuffle(shuffled_workers)
    assert run(shuffled_ratings, weights, shuffled_workers, pool_fen) == before


def test_ties_give_the_left_over_fen_to_the_worker_id_that_sorts_first():
    ratings = [("party", "p", "n1", 8000)]
    workers = [("c", "n1", "regular", 9000), ("a", "n1", "regular", 9000), ("b", "n1", "regular", 9000)]
    assert run(ratings, {"party": 100}, workers, 2) == {"a": 1, "b": 1, "c": 0}
    assert run(ratings, {"party": 100}, workers, 100) == {"a": 34, "b": 33, "c": 33}


def test_five_raters_drop_one_highest_and_one_lowest():
    assert bonus.group_score([Decimal(s) for s in (0, 80, 80, 80, 100)]) == 80
    assert bonus.group_score([Decimal(s) for s in (0, 80, 80, 100)]) == 65


def test_weights_are_normalised_over_the_groups_that_scored_the_neighborhood():
    ratings = [
        Rating("party", "p", "n1", Decimal(90)),
        Rating("office", "o", "n1", Decimal(60)),
        Rating("party", "p", "n2", Decimal(70)),
    ]
    scores = bonus.neighborhood_scores(
        ratings, {"party": Decimal("0.5"), "office": Decimal("0.25"), "grid": Decimal(1)}
    )
    assert scores == {"n1": 80, "n2": 70}


def test_display_rounds_half_up_to_two_decimals():
    from fractions import Fraction

    assert bonus.display(Fraction(84375, 1000)) == Decimal("84.38")
    assert bonus.display(Fraction(1, 3)) == Decimal("0.33")


def test_random_big_case_adds_up():
    rnd = random.Random(7)
    ratings = [("party", f"r{i}", f"n{i % 30}", rnd.randint(0, 10000)) for i in range(300)]
    workers = [
        (f"w{i:03}", f"n{i % 30}", rnd.choice(list(LEVEL_TENTHS)), rnd.randint(0, 10000)) for i in range(500)
    ]
    got = run(ratings, {"party": 1}, workers, 20000000)
    assert sum(got.values()) == 20000000
    assert got == reference(ratings, {"party": 1}, workers, 20000000)
