"""Assigning accepted volunteers to posts (点位) and shifts in an emergency call-up. No Django.

The rules, in order of weight:
1. cover as many needed places as possible (a need is post × shift × optional skill × count);
2. a volunteer fills a skilled place only with that skill; never two shifts that overlap or leave
   less than `min_rest_minutes` between them (relay, 接力); never more than `max_shifts`;
3. least total travel from home to post, plus `extra_shift_penalty_m` metres for every shift a
   volunteer works beyond their first (fair load: spread the work before doubling anyone up).

`assign` is the fast planner, built from min-cost bipartite matchings (scipy's sparse LAPJVsp):
it tries "joint first" (all places matched at once to people working one shift each, then second
shifts for what is open) and "time order" (shift by shift, charging earlier load as the fairness
penalty), and keeps the cheaper plan. `assign_exact` solves the whole problem as one integer programme with HiGHS; it is the
yardstick for the benchmark and the tests. `reassign` fills a dropped-out volunteer's places
without moving anyone else.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

EARTH_RADIUS_M = 6_371_000.0
# Leaving a place empty costs more than any travel could: coverage always comes first.
UNCOVERED_COST = 1e9
# Each place considers this many of the nearest fitting volunteers per person it needs, plus a
# margin: more than a matching usually reaches for. Places left open while fitting volunteers
# are still free get another round (`_fill_shift_fully`).
CANDIDATES_PER_PLACE = 4
CANDIDATE_MARGIN = 30


@dataclass(frozen=True)
class Volunteer:
    id: int
    lat: float
    lon: float
    skills: frozenset[str] = frozenset()
    max_shifts: int = 2


@dataclass(frozen=True)
class Post:
    id: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Shift:
    """A time window in minutes from any fixed origin; `end` is exclusive."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class Need:
    post_id: int
    shift_id: int
    count: int
    skill: str | None = None


@dataclass(frozen=True)
class Rules:
    min_rest_minutes: int = 8 * 60
    extra_shift_penalty_m: float = 3_000.0


@dataclass(frozen=True)
class Placement:
    volunteer_id: int
    post_id: int
    shift_id: int
    skill: str | None = None


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)

    def filled(self) -> Counter:
        """How many places of each (post, shift, skill) are filled."""
        return Counter((p.post_id, p.shift_id, p.skill) for p in self.placements)

    def shifts_of(self, volunteer_id: int) -> list[int]:
        return [p.shift_id for p in self.placements if p.volunteer_id == volunteer_id]


@dataclass(frozen=True)
class Cost:
    uncovered: int
    travel_m: float
    extra_shifts: int

    def total(self, rules: Rules) -> float:
        return (
            self.uncovered * UNCOVERED_COST + self.travel_m + self.extra_shifts * rules.extra_shift_penalty_m
        )


@dataclass
class _Problem:
    """The inputs as arrays, indexed by position rather than id."""

    volunteers: list[Volunteer]
    posts: list[Post]
    shifts: list[Shift]
    needs: list[Need]
    rules: Rules
    distance: np.ndarray = field(init=False)  # volunteers × posts, metres
    conflict: np.ndarray = field(init=False)  # shifts × shifts, True when one person cannot do both
    post_index: dict[int, int] = field(init=False)
    shift_index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.post_index = {p.id: i for i, p in enumerate(self.posts)}
        self.shift_index = {s.id: i for i, s in enumerate(self.shifts)}
        self.distance = distances_m(self.volunteers, self.posts)
        self.conflict = shift_conflicts(self.shifts, self.rules.min_rest_minutes)
        self._skill_masks: dict[str | None, np.ndarray] = {}

    def has_skill(self, skill: str | None) -> np.ndarray:
        if skill not in self._skill_masks:
            fits = (skill is None or skill in v.skills for v in self.volunteers)
            self._skill_masks[skill] = np.fromiter(fits, bool, len(self.volunteers))
        return self._skill_masks[skill]


def distances_m(volunteers: list[Volunteer], posts: list[Post]) -> np.ndarray:
    """Equirectangular distance: exact enough inside one subdistrict, and fast."""
    vlat = np.radians([v.lat for v in volunteers])[:, None]
    vlon = np.radians([v.lon for v in volunteers])[:, None]
    plat = np.radians([p.lat for p in posts])[None, :]
    plon = np.radians([p.lon for p in posts])[None, :]
    x = (plon - vlon) * np.cos((vlat + plat) / 2)
    return EARTH_RADIUS_M * np.hypot(x, plat - vlat)


def shift_conflicts(shifts: list[Shift], min_rest_minutes: int) -> np.ndarray:
    """Two shifts conflict when they overlap or the rest between them is too short."""
    start = np.array([s.start for s in shifts])[:, None]
    end = np.array([s.end for s in shifts])[:, None]
    apart = (start.T >= end + min_rest_minutes) | (start >= end.T + min_rest_minutes)
    return ~apart


def _validate(volunteers, posts, shifts, needs) -> None:
    post_ids = {p.id for p in posts}
    shift_ids = {s.id for s in shifts}
    for need in needs:
        if need.post_id not in post_ids or need.shift_id not in shift_ids:
            raise ValueError(f"need {need} names an unknown post or shift")
        if need.count < 0:
            raise ValueError(f"need {need} has a negative count")
    if len({v.id for v in volunteers}) != len(volunteers):
        raise ValueError("volunteer ids repeat")
    for s in shifts:
        if s.end <= s.start:
            raise ValueError(f"shift {s.id} ends before it starts")


def assign(
    volunteers: list[Volunteer],
    posts: list[Post],
    shifts: list[Shift],
    needs: list[Need],
    rules: Rules = Rules(),
) -> Plan:
    _validate(volunteers, posts, shifts, needs)
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    active = [n for n in needs if n.count > 0]
    # Two ways to build the plan; neither wins everywhere, so both run and the cheaper stands.
    # Joint first: everyone works at most one shift, all shifts matched at once (with people to
    # spare this is the optimum: an early shift cannot take whom a later one needed more), then
    # open places take second shifts. Time order: each shift in turn, second shifts allowed from
    # the start, which covers more when people are short.
    candidates = [_joint_first(problem, active), _time_order(problem, active)]
    return min(candidates, key=lambda plan: _cost(problem, plan, active))


def _shift_order(problem: _Problem) -> list[int]:
    return sorted(range(len(problem.shifts)), key=lambda i: (problem.shifts[i].start, problem.shifts[i].id))


def _joint_first(problem: _Problem, needs: list[Need]) -> Plan:
    taken = np.zeros((len(problem.volunteers), len(problem.shifts)), dtype=bool)
    plan = Plan(_match(problem, needs, taken, np.ones(len(problem.volunteers), dtype=bool)))
    filled = plan.filled()
    for s in _shift_order(problem):
        open_needs = []
        for n in needs:
            if problem.shift_index[n.shift_id] != s:
                continue
            done = min(filled[(n.post_id, n.shift_id, n.skill)], n.count)
            filled[(n.post_id, n.shift_id, n.skill)] -= done
            if n.count > done:
                open_needs.append(Need(n.post_id, n.shift_id, n.count - done, n.skill))
        plan.placements += _fill_shift_fully(problem, s, open_needs, taken)
    return plan


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
    cap = np.array([v.max_shifts for v in problem.volunteers])
    clash = (taken & problem.conflict[s][None, :]).any(axis=1)
    return (load < cap) & ~clash


def _fill_shift(problem: _Problem, s: int, needs: list[Need], taken: np.ndarray) -> list[Placement]:
    """One min-cost matching of this shift's places to the volunteers still free for it."""
    return _match(problem, needs, taken, _eligible(problem, s, taken))


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
        fit = np.flatnonzero(free & problem.has_skill(need.skill))
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


def _fill_shift_fully(problem: _Problem, s: int, needs: list[Need], taken: np.ndarray) -> list[Placement]:
    placements: list[Placement] = []
    while needs:
        added = _fill_shift(problem, s, needs, taken)
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
    rules: Rules = Rules(),
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
    rules: Rules = Rules(),
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
    rules: Rules = Rules(),
    time_limit_s: float = 60.0,
) -> Plan:
    """The optimum of the same objective as one integer programme (HiGHS through scipy)."""
    _validate(volunteers, posts, shifts, needs)
    problem = _Problem(volunteers, posts, shifts, needs, rules)
    needs = [n for n in needs if n.count > 0]
    pairs = [(v, j) for j, need in enumerate(needs) for v in np.flatnonzero(problem.has_skill(need.skill))]
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
