"""The fast planner: min-cost bipartite matchings joint-first and in time order, the pattern-first
plan when people are short, and `reassign` for drop-outs. No Django."""

from collections import Counter

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from gongzhi.volunteers.assignment.problem import (
    CANDIDATE_MARGIN,
    CANDIDATES_PER_PLACE,
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
)


def assign(
    volunteers: list[Volunteer],
    posts: list[Post],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = DEFAULT_RULES,
) -> Plan:
    _validate(volunteers, posts, shifts, needs)
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    active = [n for n in needs if n.count > 0]
    # Up to three ways to build the plan; none wins everywhere, so the cheapest stands.
    # Joint first: everyone works at most one shift, all shifts matched at once (with people to
    # spare this is the optimum: an early shift cannot take whom a later one needed more), then
    # open places take second shifts; with fewer people than places it cannot fill its first
    # round, is slow and always beaten, so it is left out. Time order: each shift in turn,
    # second shifts allowed from the start. Pattern first: only when the two leave places open
    # that the pattern programme shows can be filled.
    needed = sum(n.count for n in active)
    candidates = [_time_order(problem, active)]
    if len(volunteers) >= needed:
        candidates.append(_joint_first(problem, active))
    best = min(candidates, key=lambda plan: _cost(problem, plan, active))
    if active and len(best.placements) < needed:
        patterns = _coverage_by_pattern(problem, active)
        if patterns is not None and patterns[0] > len(best.placements):
            candidates.append(_pattern_first(problem, active, patterns[1]))
            best = min(candidates, key=lambda plan: _cost(problem, plan, active))
    return best


def most_fillable(
    volunteers: list[Volunteer],
    posts: list[Post],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = DEFAULT_RULES,
) -> int | None:
    """The most places any plan can fill (exact, from the pattern programme); None if too many patterns."""
    _validate(volunteers, posts, shifts, needs)
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    found = _coverage_by_pattern(problem, [n for n in needs if n.count > 0])
    return None if found is None else found[0]


def _shift_order(problem: _Problem) -> list[int]:
    return sorted(range(len(problem.shifts)), key=lambda i: (problem.shifts[i].start, problem.shifts[i].id))


def _joint_first(problem: _Problem, needs: list[Need]) -> Plan:
    taken = np.zeros((len(problem.volunteers), len(problem.shifts)), dtype=bool)
    plan = Plan(_match(problem, needs, taken, np.ones(len(problem.volunteers), dtype=bool)))
    open_needs = _still_open(needs, plan.placements)
    for s in _shift_order(problem):
        shift_needs = [n for n in open_needs if problem.shift_index[n.shift_id] == s]
        plan.placements += _fill_shift_fully(problem, s, shift_needs, taken)
    return plan


def _still_open(needs: list[Need], placements: list[Placement]) -> list[Need]:
    """The needs less the places the placements already fill."""
    filled = Counter((p.post_id, p.shift_id, p.skill) for p in placements)
    remaining = []
    for n in needs:
        key = (n.post_id, n.shift_id, n.skill)
        done = min(filled[key], n.count)
        filled[key] -= done
        if n.count > done:
            remaining.append(Need(n.post_id, n.shift_id, n.count - done, n.skill))
    return remaining


def _time_order(problem: _Problem, needs: list[Need]) -> Plan:
    taken = np.zeros((len(problem.volunteers), len(problem.shifts)), dtype=bool)
    plan = Plan()
    for s in _shift_order(problem):
        shift_needs = [n for n in needs if problem.shift_index[n.shift_id] == s]
        plan.placements += _fill_shift_fully(problem, s, shift_needs, taken)
    return plan


def _cost(problem: _Problem, plan: Plan, needs: list[Need]) -> float:
    """`Cost.total` of a plan, from the arrays already at hand."""
    index = {v.id: i for i, v in enumerate(problem.volunteers)}
    travel = sum(
        float(problem.distance[index[p.volunteer_id], problem.post_index[p.post_id]]) for p in plan.placements
    )
    loads = Counter(p.volunteer_id for p in plan.placements)
    cost = Cost(
        sum(n.count for n in needs) - len(plan.placements),
        travel,
        sum(c - 1 for c in loads.values() if c > 1),
    )
    return cost.total(problem.rules)


def _eligible(problem: _Problem, s: int, taken: np.ndarray) -> np.ndarray:
    load = taken.sum(axis=1)
    clash = (taken & problem.conflict[s][None, :]).any(axis=1)
    return (load < problem.cap) & ~clash & problem.available[:, s]


def _fill_shift(
    problem: _Problem, s: int, needs: list[Need], taken: np.ndarray, allowed: np.ndarray | None = None
) -> list[Placement]:
    """One min-cost matching of this shift's places to the volunteers still free for it."""
    free = _eligible(problem, s, taken)
    return _match(problem, needs, taken, free if allowed is None else free & allowed)


def _match(problem: _Problem, needs: list[Need], taken: np.ndarray, free: np.ndarray) -> list[Placement]:
    """One min-cost matching of the needs' places to the `free` volunteers, each used once.

    Each place may take any of the nearest few free volunteers who fit it, or its own "nobody"
    column at UNCOVERED_COST; so a full matching always exists and the sparse solver (LAPJVsp)
    stays fast where a dense 1,000 × 5,000 matrix would not.
    """
    load = taken.sum(axis=1)
    n_v = len(problem.volunteers)
    rows, cols, costs, slot_needs = [], [], [], []
    for need in needs:
        s = problem.shift_index[need.shift_id]
        fit = np.flatnonzero(free & problem.has_skill(need.skill) & problem.available[:, s])
        if fit.size == 0:
            continue
        p = problem.post_index[need.post_id]
        cost = problem.distance[fit, p] + load[fit] * problem.rules.extra_shift_penalty_m
        nearest = _nearest(cost, CANDIDATES_PER_PLACE * need.count + CANDIDATE_MARGIN)
        for _ in range(need.count):
            rows.append(np.full(nearest.size, len(slot_needs)))
            cols.append(fit[nearest])
            costs.append(cost[nearest])
            slot_needs.append(need)
    if not slot_needs:
        return []
    n_slots = len(slot_needs)
    nobody = np.arange(n_slots)
    rows.append(nobody)
    cols.append(n_v + nobody)
    costs.append(np.full(n_slots, UNCOVERED_COST))
    # +1 m keeps a volunteer living at the post from being an implicit (missing) zero entry.
    graph = csr_array(
        (np.concatenate(costs) + 1.0, (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_slots, n_v + n_slots),
    )
    _, chosen = min_weight_full_bipartite_matching(graph)
    placements = []
    for slot, v in enumerate(chosen):
        if v >= n_v:
            continue  # nobody fit: the place stays open
        need = slot_needs[slot]
        taken[v, problem.shift_index[need.shift_id]] = True
        placements.append(Placement(problem.volunteers[v].id, need.post_id, need.shift_id, need.skill))
    return placements


def _fill_shift_fully(
    problem: _Problem, s: int, needs: list[Need], taken: np.ndarray, allowed: np.ndarray | None = None
) -> list[Placement]:
    placements: list[Placement] = []
    while needs:
        added = _fill_shift(problem, s, needs, taken, allowed)
        if not added:
            return placements
        placements += added
        filled = Counter((p.post_id, p.skill) for p in added)
        remaining = []
        for n in needs:
            done = min(filled[(n.post_id, n.skill)], n.count)
            filled[(n.post_id, n.skill)] -= done
            if n.count > done:
                remaining.append(Need(n.post_id, n.shift_id, n.count - done, n.skill))
        needs = remaining
    return placements


# Beyond this many shift patterns (long call-ups with many short shifts) the pattern programme
# would grow too large for the fast planner; the matchings' plan then stands alone.
MAX_PATTERNS = 300
# Weights of the pattern programme: every place filled outweighs all second shifts together,
# which outweigh all shifts worked.
EXTRA_SHIFT_WEIGHT = 1e-5
SHIFT_WEIGHT = 1e-8


def _shift_patterns(problem: _Problem, longest: int) -> list[tuple[int, ...]] | None:
    """Every set of up to `longest` shifts one person can work (no clash, rest kept)."""
    order = _shift_order(problem)
    patterns: list[tuple[int, ...]] = []

    def grow(chosen: tuple[int, ...], start: int) -> None:
        for k in range(start, len(order)):
            if len(patterns) > MAX_PATTERNS:
                return
            s = order[k]
            if any(problem.conflict[s, c] for c in chosen):
                continue
            patterns.append((*chosen, s))
            if len(chosen) + 1 < longest:
                grow((*chosen, s), k + 1)

    grow((), 0)
    return None if len(patterns) > MAX_PATTERNS else patterns


def _kinds(problem: _Problem, needs: list[Need], longest: int) -> dict[tuple, list[int]]:
    """Volunteers who are interchangeable for coverage: same needed skills, load and availability."""
    needed = {n.skill for n in needs if n.skill}
    kinds: dict[tuple, list[int]] = {}
    for i, v in enumerate(problem.volunteers):
        key = (frozenset(v.skills & needed), min(v.max_shifts, longest), problem.available[i].tobytes())
        kinds.setdefault(key, []).append(i)
    return kinds


def _coverage_by_pattern(problem: _Problem, needs: list[Need]) -> tuple[int, np.ndarray] | None:
    """The most places the volunteers can fill, and a shift pattern per volunteer that fills them.

    Coverage depends only on who works which shifts, not on who goes to which post (anyone may
    go anywhere; posts change only travel). So the integer programme counts, per kind of
    volunteer, how many take each pattern (y) and how many of those working a shift fill its
    places of each skill (z). Returns (places, volunteers × shifts mask of the chosen patterns),
    or None when there are too many patterns to count.
    """
    nothing = (0, np.zeros((len(problem.volunteers), len(problem.shifts)), dtype=bool))
    longest = int(problem.cap.max(initial=0))
    if longest == 0:
        return nothing
    patterns = _shift_patterns(problem, longest)
    if patterns is None:
        return None
    demand = Counter()
    for n in needs:
        demand[(problem.shift_index[n.shift_id], n.skill)] += n.count
    kinds = _kinds(problem, needs, longest)
    y_vars, z_vars = [], []  # (kind, pattern) and (kind, shift, skill)
    for key, members in kinds.items():
        skills, cap, _ = key
        fits = [p for p in patterns if len(p) <= cap and problem.available[members[0], list(p)].all()]
        y_vars += [(key, p) for p in fits]
        worked = {s for p in fits for s in p}
        z_vars += [(key, s, k) for s in worked for k in (None, *sorted(skills)) if demand[(s, k)] > 0]
    if not y_vars or not z_vars:
        return nothing  # nobody can work any shift with places, or no places at all
    n_y = len(y_vars)
    rows, cols, vals, upper = [], [], [], []

    def add_row(entries: list[tuple[int, float]], bound: float) -> None:
        row = len(upper)
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        upper.append(bound)

    y_of_kind: dict[tuple, list[int]] = {}
    for col, (key, _p) in enumerate(y_vars):
        y_of_kind.setdefault(key, []).append(col)
    for key, cols_y in y_of_kind.items():
        add_row([(c, 1.0) for c in cols_y], len(kinds[key]))
    working: dict[tuple, list[int]] = {}
    for col, (key, p) in enumerate(y_vars):
        for s in p:
            working.setdefault((key, s), []).append(col)
    roles: dict[tuple, list[int]] = {}
    for col, (key, s, _k) in enumerate(z_vars):
        roles.setdefault((key, s), []).append(n_y + col)
    for (key, s), z_cols in roles.items():
        add_row([(c, 1.0) for c in z_cols] + [(c, -1.0) for c in working[(key, s)]], 0.0)
    places: dict[tuple, list[int]] = {}
    for col, (_key, s, k) in enumerate(z_vars):
        places.setdefault((s, k), []).append(n_y + col)
    for (s, k), z_cols in places.items():
        add_row([(c, 1.0) for c in z_cols], demand[(s, k)])
    cost = np.r_[
        [EXTRA_SHIFT_WEIGHT * (len(p) - 1) + SHIFT_WEIGHT * len(p) for _k, p in y_vars],
        -np.ones(len(z_vars)),
    ]
    matrix = coo_array((vals, (rows, cols)), shape=(len(upper), cost.size)).tocsr()
    result = milp(
        cost,
        constraints=[LinearConstraint(matrix, -np.inf, np.array(upper, dtype=float))],
        integrality=np.r_[np.ones(n_y), np.zeros(len(z_vars))],
        bounds=Bounds(0, np.inf),
        options={"time_limit": 5.0, "mip_rel_gap": 0.0},
    )
    if result.x is None:
        return None
    coverage = int(round(result.x[n_y:].sum()))
    counts = np.rint(result.x[:n_y]).astype(int)
    return coverage, _choose_people(problem, needs, kinds, y_vars, counts)


def _choose_people(problem: _Problem, needs: list[Need], kinds, y_vars, counts) -> np.ndarray:
    """Which volunteers of each kind take the counted patterns: the ones living nearest to the
    posts of those shifts (a transportation problem per kind, solved as one programme)."""
    n_s = len(problem.shifts)
    near = np.full((len(problem.volunteers), n_s), 0.0)
    for s in range(n_s):
        posts = sorted({problem.post_index[n.post_id] for n in needs if problem.shift_index[n.shift_id] == s})
        if posts:
            near[:, s] = problem.distance[:, posts].min(axis=1)
    x_vars = [(i, col) for col, (key, _p) in enumerate(y_vars) if counts[col] > 0 for i in kinds[key]]
    mask = np.zeros((len(problem.volunteers), n_s), dtype=bool)
    if not x_vars:
        return mask
    cost = np.array([near[i, list(y_vars[col][1])].sum() for i, col in x_vars])
    person = np.array([i for i, _ in x_vars])
    pattern = np.array([col for _, col in x_vars])
    k = np.arange(len(x_vars))
    people, person_row = np.unique(person, return_inverse=True)
    used, pattern_row = np.unique(pattern, return_inverse=True)
    a_person = coo_array((np.ones(k.size), (person_row, k)), shape=(people.size, k.size))
    a_pattern = coo_array((np.ones(k.size), (pattern_row, k)), shape=(used.size, k.size))
    target = counts[used].astype(float)
    result = milp(
        cost,
        constraints=[
            LinearConstraint(a_person.tocsr(), -np.inf, 1.0),
            LinearConstraint(a_pattern.tocsr(), target, target),
        ],
        integrality=np.ones(k.size),
        bounds=Bounds(0, 1),
        options={"time_limit": 5.0},
    )
    if result.x is None:
        return mask
    for idx in np.flatnonzero(result.x > 0.5):
        mask[person[idx], list(y_vars[pattern[idx]][1])] = True
    return mask


def _pattern_first(problem: _Problem, needs: list[Need], works: np.ndarray) -> Plan:
    """Match each shift among the volunteers whose pattern has it; then anyone left takes what is open."""
    taken = np.zeros((len(problem.volunteers), len(problem.shifts)), dtype=bool)
    plan = Plan()
    for s in _shift_order(problem):
        shift_needs = [n for n in needs if problem.shift_index[n.shift_id] == s]
        plan.placements += _fill_shift_fully(problem, s, shift_needs, taken, works[:, s])
    open_needs = _still_open(needs, plan.placements)
    for s in _shift_order(problem):
        shift_needs = [n for n in open_needs if problem.shift_index[n.shift_id] == s]
        plan.placements += _fill_shift_fully(problem, s, shift_needs, taken)
    return plan


def _nearest(cost: np.ndarray, k: int) -> np.ndarray:
    if cost.size <= k:
        return np.arange(cost.size)
    return np.argpartition(cost, k)[:k]


def reassign(
    plan: Plan,
    dropped_id: int,
    volunteers: list[Volunteer],
    posts: list[Post],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = DEFAULT_RULES,
) -> Plan:
    """Give the dropped volunteer's places to others who are free; everyone else stays put."""
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    index = {v.id: i for i, v in enumerate(volunteers)}
    kept = [p for p in plan.placements if p.volunteer_id != dropped_id]
    freed = Counter((p.post_id, p.shift_id, p.skill) for p in plan.placements if p.volunteer_id == dropped_id)
    taken = np.zeros((len(volunteers), len(shifts)), dtype=bool)
    for p in kept:
        taken[index[p.volunteer_id], problem.shift_index[p.shift_id]] = True
    if dropped_id in index:
        # The dropped volunteer is out of every later shift too.
        taken[index[dropped_id], :] = True
    placements = list(kept)
    for (post_id, shift_id, skill), count in sorted(freed.items(), key=lambda kv: _start(problem, kv[0][1])):
        s = problem.shift_index[shift_id]
        placements += _fill_shift_fully(problem, s, [Need(post_id, shift_id, count, skill)], taken)
    return Plan(placements)


def _start(problem: _Problem, shift_id: int) -> int:
    return problem.shifts[problem.shift_index[shift_id]].start
