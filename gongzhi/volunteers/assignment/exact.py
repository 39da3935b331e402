"""The yardstick: a plan's cost, the rules it breaks, and the exact optimum as one integer
programme (HiGHS), for the benchmark and the tests. No Django."""

from collections import Counter

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from gongzhi.volunteers.assignment.problem import (
    DEFAULT_RULES,
    UNCOVERED_COST,
    Cost,
    Need,
    Placement,
    Plan,
    Post,
    Rules,
    Shift,
    Volunteer,
    _Problem,
    _validate,
    distances_m,
)


def plan_cost(
    plan: Plan,
    volunteers: list[Volunteer],
    posts: list[Post],
    needs: list[Need],
) -> Cost:
    where = {p.id: p for p in posts}
    home = {v.id: v for v in volunteers}
    travel = sum(
        float(distances_m([home[p.volunteer_id]], [where[p.post_id]])[0, 0]) for p in plan.placements
    )
    loads = Counter(p.volunteer_id for p in plan.placements)
    needed = sum(n.count for n in needs)
    return Cost(needed - len(plan.placements), travel, sum(c - 1 for c in loads.values() if c > 1))


def violations(
    plan: Plan,
    volunteers: list[Volunteer],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = DEFAULT_RULES,
) -> list[str]:
    """Every rule the plan breaks, in words; empty when the plan is sound."""
    problems = []
    wanted = Counter()
    for n in needs:
        wanted[(n.post_id, n.shift_id, n.skill)] += n.count
    for key, count in plan.filled().items():
        if count > wanted[key]:
            problems.append(f"{key} filled {count} of {wanted[key]}")
    people = {v.id: v for v in volunteers}
    by_id = {s.id: s for s in shifts}
    for p in plan.placements:
        if p.skill is not None and p.skill not in people[p.volunteer_id].skills:
            problems.append(f"volunteer {p.volunteer_id} lacks {p.skill}")
        available = people[p.volunteer_id].available
        if available is not None and p.shift_id not in available:
            problems.append(f"volunteer {p.volunteer_id} is not available for shift {p.shift_id}")
    for vid in {p.volunteer_id for p in plan.placements}:
        mine = sorted((by_id[s] for s in plan.shifts_of(vid)), key=lambda s: s.start)
        if len(mine) > people[vid].max_shifts:
            problems.append(f"volunteer {vid} works {len(mine)} shifts")
        for a, b in zip(mine, mine[1:], strict=False):
            if b.start < a.end + rules.min_rest_minutes:
                problems.append(f"volunteer {vid} lacks rest between shifts {a.id} and {b.id}")
    return problems


def assign_exact(
    volunteers: list[Volunteer],
    posts: list[Post],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = DEFAULT_RULES,
    time_limit_s: float = 60.0,
) -> Plan:
    """The optimum of the same objective as one integer programme (HiGHS through scipy)."""
    _validate(volunteers, posts, shifts, needs)
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    needs = [n for n in needs if n.count > 0]
    pairs = [
        (v, j)
        for j, need in enumerate(needs)
        for v in np.flatnonzero(
            problem.has_skill(need.skill) & problem.available[:, problem.shift_index[need.shift_id]]
        )
    ]
    n_x, n_v = len(pairs), len(volunteers)
    if n_x == 0:
        return Plan()
    cost = np.array(
        [problem.distance[v, problem.post_index[needs[j].post_id]] - UNCOVERED_COST for v, j in pairs]
        + [rules.extra_shift_penalty_m] * n_v
    )
    constraints = _exact_constraints(problem, needs, pairs)
    integrality = np.r_[np.ones(n_x), np.zeros(n_v)]
    upper = np.r_[np.ones(n_x), np.full(n_v, np.inf)]
    result = milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(n_x + n_v), upper),
        options={"time_limit": time_limit_s, "mip_rel_gap": 1e-12},
    )
    if result.x is None:
        raise RuntimeError(f"HiGHS found no plan: {result.message}")
    chosen = np.flatnonzero(result.x[:n_x] > 0.5)
    return Plan(
        [
            Placement(
                volunteers[pairs[k][0]].id,
                needs[pairs[k][1]].post_id,
                needs[pairs[k][1]].shift_id,
                needs[pairs[k][1]].skill,
            )
            for k in chosen
        ]
    )


def _exact_constraints(problem: _Problem, needs: list[Need], pairs: list[tuple[int, int]]) -> list:
    """Rows: each need's count; per volunteer each conflicting shift pair (and each shift alone)
    at most once; max shifts; and extra_v ≥ shifts_v − 1 for the fairness penalty."""
    n_x, n_v = len(pairs), len(problem.volunteers)
    shift_of = np.array([problem.shift_index[needs[j].shift_id] for _, j in pairs])
    vol_of = np.array([v for v, _ in pairs])
    need_of = np.array([j for _, j in pairs])
    rows, cols, vals, upper = [], [], [], []
    row = 0
    for j, need in enumerate(needs):
        ks = np.flatnonzero(need_of == j)
        rows += [row] * ks.size
        cols += ks.tolist()
        upper.append(need.count)
        row += 1
    n_s = len(problem.shifts)
    groups = [(a, b) for a in range(n_s) for b in range(a, n_s) if problem.conflict[a, b]]
    for a, b in groups:
        in_group = (shift_of == a) | (shift_of == b)
        for v in np.unique(vol_of[in_group]):
            ks = np.flatnonzero(in_group & (vol_of == v))
            rows += [row] * ks.size
            cols += ks.tolist()
            upper.append(1)
            row += 1
    for v in range(n_v):
        ks = np.flatnonzero(vol_of == v)
        rows += [row] * ks.size
        cols += ks.tolist()
        upper.append(problem.volunteers[v].max_shifts)
        row += 1
    vals = [1.0] * len(rows)
    # shifts_v − extra_v ≤ 1
    for v in range(n_v):
        ks = np.flatnonzero(vol_of == v)
        rows += [row] * (ks.size + 1)
        cols += ks.tolist() + [n_x + v]
        vals += [1.0] * ks.size + [-1.0]
        upper.append(1)
        row += 1
    matrix = coo_array((vals, (rows, cols)), shape=(row, n_x + n_v)).tocsr()
    return [LinearConstraint(matrix, -np.inf, np.array(upper, dtype=float))]
