"""Benchmark: assign 5,000 volunteers to 100 posts × 3 relay shifts, and measure the optimality gap
of the fast planner against the exact integer programme (HiGHS through scipy) on smaller cases.

Run: .venv/bin/python bench/volunteer_assignment.py
Last line: `assignment: 5000 volunteers, 300 post-shifts, T s, gap G%` where T is the median of
five runs of the full case and G the worst gap over the small cases (on the weighted objective:
uncovered places first, then travel plus the extra-shift penalty; where the fast plan leaves more
places open than the optimum, the gap is the share of places it fails to fill; where it fills as
many, the gap is on travel plus penalty alone).
"""

import random
import statistics
import time

from gongzhi.volunteers.assignment import (
    UNCOVERED_COST,
    Need,
    Post,
    Rules,
    Shift,
    Volunteer,
    assign,
    assign_exact,
    most_fillable,
    plan_cost,
    violations,
)

SKILLS = ("medical", "driving", "translation", "counselling", "logistics")
# The town is about 10 km across; 大场镇 centre.
LAT, LON, SPAN = 31.30, 121.40, 0.09


def town(n_volunteers: int, n_posts: int, seed: int, per_post: tuple[int, int] = (5, 15)):
    rnd = random.Random(seed)
    volunteers = [
        Volunteer(
            i,
            LAT + rnd.random() * SPAN,
            LON + rnd.random() * SPAN,
            frozenset(s for s in SKILLS if rnd.random() < 0.12),
            max_shifts=rnd.choice((1, 2, 2)),
        )
        for i in range(n_volunteers)
    ]
    posts = [Post(i, LAT + rnd.random() * SPAN, LON + rnd.random() * SPAN) for i in range(n_posts)]
    # Three 8-hour relay shifts round the clock; 8 hours' rest means day 1 and night only.
    shifts = [Shift(k, k * 480, (k + 1) * 480) for k in range(3)]
    needs = []
    for post in posts:
        for shift in shifts:
            needs.append(Need(post.id, shift.id, rnd.randint(*per_post)))
            if rnd.random() < 0.3:
                needs.append(Need(post.id, shift.id, rnd.randint(1, 2), rnd.choice(SKILLS)))
    return volunteers, posts, shifts, needs


def _gap(fast, exact, rules: Rules, needed: int) -> float:
    """With equal coverage: how much dearer the plan's travel and extra-shift penalty are (the
    uncovered places' weight left out, as it would hide any difference). Otherwise: how many
    fewer places it fills than the optimum, as a share of the optimum's filled places."""
    if fast.uncovered == exact.uncovered:
        fast_rest = fast.total(rules) - fast.uncovered * UNCOVERED_COST
        exact_rest = exact.total(rules) - exact.uncovered * UNCOVERED_COST
        return (fast_rest - exact_rest) / max(exact_rest, 1.0) * 100
    return (fast.uncovered - exact.uncovered) / max(needed - exact.uncovered, 1) * 100


def gap_on_small_cases(rules: Rules) -> float:
    worst = 0.0
    # Five towns with people to spare, three where some must work a second shift (or places stay open).
    for seed, people in [(0, 300), (1, 300), (2, 300), (3, 300), (4, 300), (5, 90), (6, 80), (7, 70)]:
        volunteers, posts, shifts, needs = town(people, 8, seed, per_post=(3, 8))
        fast = plan_cost(assign(volunteers, posts, shifts, needs, rules), volunteers, posts, needs)
        exact = plan_cost(assign_exact(volunteers, posts, shifts, needs, rules), volunteers, posts, needs)
        gap = _gap(fast, exact, rules, sum(n.count for n in needs))
        print(
            f"  small case {seed} ({people} volunteers): uncovered {fast.uncovered}/{exact.uncovered} (fast/exact), "
            f"second shifts {fast.extra_shifts}/{exact.extra_shifts}, "
            f"cost {fast.total(rules):,.0f} / {exact.total(rules):,.0f}, gap {gap:.2f}%"
        )
        worst = max(worst, gap)
    return worst


def short_handed(rules: Rules) -> None:
    """The full town with fewer people than places: the pattern programme's path, timed too."""
    for people in (1500, 2000, 2500):
        volunteers, posts, shifts, needs = town(people, 100, seed=2022)
        started = time.perf_counter()
        plan = assign(volunteers, posts, shifts, needs, rules)
        took = time.perf_counter() - started
        assert not violations(plan, volunteers, shifts, needs, rules)
        cost = plan_cost(plan, volunteers, posts, needs)
        print(
            f"  short-handed ({people} volunteers, {sum(n.count for n in needs)} places): "
            f"{len(plan.placements)} filled of at most {most_fillable(volunteers, posts, shifts, needs, rules)}, "
            f"{cost.extra_shifts} second shifts, {took:.2f} s"
        )


def main() -> None:
    rules = Rules()
    volunteers, posts, shifts, needs = town(5000, 100, seed=2022)
    needed = sum(n.count for n in needs)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        plan = assign(volunteers, posts, shifts, needs, rules)
        timings.append(time.perf_counter() - started)
    assert not violations(plan, volunteers, shifts, needs, rules)
    cost = plan_cost(plan, volunteers, posts, needs)
    print(
        f"full case: {needed} places, {len(plan.placements)} filled, {cost.uncovered} open, "
        f"mean travel {cost.travel_m / max(len(plan.placements), 1):,.0f} m, {cost.extra_shifts} second shifts"
    )
    print(f"  runs: {', '.join(f'{t:.3f}' for t in timings)} s")
    short_handed(rules)
    gap = gap_on_small_cases(rules)
    print(f"assignment: 5000 volunteers, 300 post-shifts, {statistics.median(timings):.2f} s, gap {gap:.2f}%")


if __name__ == "__main__":
    main()
