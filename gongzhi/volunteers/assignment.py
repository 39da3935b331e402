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
penalty), and keeps the cheaper plan. When people are short, both can spend someone on the wrong
shift (a one-shift volunteer on the early shift that a two-shift volunteer could have paired with
the night); so the most places anyone can fill is worked out on a small integer programme over
kinds of volunteer and their shift patterns (`_coverage_by_pattern`), and if the matchings fall
short of it a third plan gives each volunteer a pattern first and matches within it. `assign_exact` solves the whole problem as one integer programme with HiGHS; it is the
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
    # The shift ids this volunteer can work; None when they have not limited themselves.
    available: frozenset[int] | None = None


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
        self.available = np.ones((len(self.volunteers), len(self.shifts)), dtype=bool)
        for i, v in enumerate(self.volunteers):
            if v.available is not None:
                self.available[i] = [s.id in v.available for s in self.shifts]
        self.cap = np.array([v.max_shifts for v in self.volunteers], dtype=int)
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
    rules: Rules = Rules(),
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
    rules: Rules = Rules(),
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
