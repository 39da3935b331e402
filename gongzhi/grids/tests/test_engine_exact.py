"""The exact step: the MILP finds a partition exactly when one exists, and the drawing says which
outcome each group the heuristic left out of bounds had (found, proven infeasible, budget)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.grids.engine import draw_grids, generate_town, report
from gongzhi.grids.engine.milp import BUDGET, FOUND, INFEASIBLE, milp_partition

from .test_engine_properties import lattice_building


def _connected(part: set[int], adjacency) -> bool:
    start = next(iter(part))
    seen, stack = {start}, [start]
    while stack:
        for u in adjacency[stack.pop()]:
            if u in part and u not in seen:
                seen.add(u)
                stack.append(u)
    return seen == part


def _set_partitions(items: list[int]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _set_partitions(rest):
        yield [[first], *partition]
        for k in range(len(partition)):
            yield [*partition[:k], [first, *partition[k]], *partition[k + 1 :]]


def _brute_force(weights, adjacency, lo, hi) -> bool:
    """Every set partition of the nodes, checked part by part: independent of the solver."""
    return any(
        all(
            lo <= sum(weights[v] for v in part) <= hi and _connected(set(part), adjacency)
            for part in partition
        )
        for partition in _set_partitions(list(range(len(weights))))
    )


@st.composite
def connected_groups(draw):
    """A random connected graph: a random tree plus random extra edges, random households."""
    n = draw(st.integers(1, 7))
    weights = draw(st.lists(st.integers(0, 420), min_size=n, max_size=n))
    adjacency = [set() for _ in range(n)]
    for v in range(1, n):
        u = draw(st.integers(0, v - 1))
        adjacency[v].add(u)
        adjacency[u].add(v)
    for u, v in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n)):
        if u != v:
            adjacency[u].add(v)
            adjacency[v].add(u)
    return weights, [sorted(a) for a in adjacency]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=connected_groups())
def test_the_milp_finds_a_partition_exactly_when_brute_force_does(group):
    weights, adjacency = group
    outcome = milp_partition(weights, adjacency, 300, 500, time_limit=20)
    assert outcome.status in (FOUND, INFEASIBLE)
    assert (outcome.status == FOUND) == _brute_force(weights, adjacency, 300, 500)
    if outcome.status == FOUND:
        parts: dict[int, set[int]] = {}
        for v, label in enumerate(outcome.labels):
            parts.setdefault(label, set()).add(v)
        for part in parts.values():
            assert 300 <= sum(weights[v] for v in part) <= 500
            assert _connected(part, adjacency)


def _lattice_adjacency(rows: int, cols: int) -> list[list[int]]:
    adjacency = [[] for _ in range(rows * cols)]
    for v in range(rows * cols):
        r, c = divmod(v, cols)
        if c + 1 < cols:
            adjacency[v].append(v + 1)
            adjacency[v + 1].append(v)
        if r + 1 < rows:
            adjacency[v].append(v + cols)
            adjacency[v + cols].append(v)
    return adjacency


def test_a_group_of_sixty_buildings_is_cut_within_bounds():
    adjacency = _lattice_adjacency(6, 10)
    weights = [40 + (17 * v) % 45 for v in range(60)]  # 3,535 households: 8 grids of ~440
    outcome = milp_partition(weights, adjacency, 300, 500, time_limit=30)
    assert outcome.status == FOUND
    sums: dict[int, int] = {}
    for v, label in enumerate(outcome.labels):
        sums[label] = sums.get(label, 0) + weights[v]
    assert all(300 <= s <= 500 for s in sums.values())


def test_a_group_where_every_pair_is_too_big_and_every_building_too_small_is_proven_infeasible():
    adjacency = _lattice_adjacency(5, 10)
    outcome = milp_partition([260] * 50, adjacency, 300, 500, time_limit=30)
    assert outcome.status == INFEASIBLE


def test_a_group_the_heuristic_leaves_out_is_proven_infeasible_or_left_undecided_without_time():
    # a lane of 33 buildings: a tower of 260, 30 one-household sheds, two towers of 260. 810
    # households fit two grids by count, but the first grid can reach 300 only by taking the
    # second tower (520): no cut exists, and only an exact search can say so
    households = [260] + [1] * 30 + [260, 260]
    buildings = [lattice_building(f"b{k}", (k, 0), h) for k, h in enumerate(households)]
    proven = draw_grids(buildings)
    assert [run.outcome for run in proven.exact] == [INFEASIBLE]
    breached = [g for g in proven.grids if not proven.within_bounds(g)]
    assert breached and all(g.unavoidable and "精确搜索" in g.reasons[0] for g in breached)
    assert report(proven)["exact"]["outcomes"] == {INFEASIBLE: 1}

    undecided = draw_grids(buildings, exact_seconds=0, exact_total_seconds=0)
    assert [run.outcome for run in undecided.exact] == [BUDGET]
    breached = [g for g in undecided.grids if not undecided.within_bounds(g)]
    assert breached and not any(g.unavoidable for g in breached)
    assert all("时限用尽" in g.reasons[0] for g in breached)


def test_on_a_generated_town_every_grid_is_in_bounds_or_proven_and_the_exact_step_is_reported():
    town = generate_town(2_000, 2, mean_households=80)  # the heuristic alone left one group out
    result = draw_grids(town.buildings, barriers=town.barriers)
    assert result.exact and all(run.outcome in (FOUND, INFEASIBLE) for run in result.exact)
    assert all(result.within_bounds(g) or g.unavoidable for g in result.grids)
    summary = report(result)["exact"]
    assert summary["groups"] == len(result.exact)
    assert summary["seconds"] == round(result.timings["exact"], 4)
