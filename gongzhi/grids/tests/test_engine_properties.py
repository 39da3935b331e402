"""Properties of every drawing: coverage, bounds, contiguity, nesting, flags (hypothesis)."""

import math
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from gongzhi.grids.engine import (
    CONSTRAINED,
    OVERSIZE,
    UNDERSIZE,
    Building,
    check_assignment,
    draw_grids,
    generate_town,
)

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LAT0 = 31.3
M_LAT = 1 / 111_195.0
M_LON = M_LAT / math.cos(math.radians(LAT0))


def lattice_building(
    bid: str, cell: tuple[int, int], households: int, neighborhood: str = "N1", **kw
) -> Building:
    """A 10 m square at 35 m pitch: orthogonal neighbours are 25 m apart (adjacent at gap 30),
    diagonal ones 35 m (not adjacent)."""
    x, y = cell[0] * 35, cell[1] * 35
    footprint = box(121.4 + x * M_LON, LAT0 + y * M_LAT, 121.4 + (x + 10) * M_LON, LAT0 + (y + 10) * M_LAT)
    return Building(bid, footprint, households, neighborhood, **kw)


def lattice_components(cells: list[tuple[int, int]]) -> list[set[int]]:
    """Connected pieces of occupied cells under 4-neighbourhood, computed without the engine."""
    where = {c: k for k, c in enumerate(cells)}
    seen, pieces = set(), []
    for start in range(len(cells)):
        if start in seen:
            continue
        piece, stack = set(), [start]
        while stack:
            k = stack.pop()
            if k in piece:
                continue
            piece.add(k)
            x, y = cells[k]
            stack.extend(where[n] for n in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)) if n in where)
        seen |= piece
        pieces.append(piece)
    return pieces


def brute_force_feasible(nodes: set[int], cells, households, lo: int, hi: int) -> bool:
    """Whether some partition of `nodes` into 4-connected parts has every part within [lo, hi]."""
    if not nodes:
        return True
    first = min(nodes)
    rest = sorted(nodes - {first})
    for picks in product((0, 1), repeat=len(rest)):
        part = {first, *(v for v, p in zip(rest, picks, strict=True) if p)}
        total = sum(households[v] for v in part)
        if lo <= total <= hi and len(lattice_components([cells[v] for v in part])) == 1:
            if brute_force_feasible(nodes - part, cells, households, lo, hi):
                return True
    return False


@FAST
@given(
    n=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=10_000),
    lo=st.integers(min_value=100, max_value=400),
    spread=st.integers(min_value=50, max_value=300),
    gap=st.sampled_from([10, 30, 60]),
    with_barriers=st.booleans(),
)
def test_every_drawing_of_a_random_town_meets_every_rule(n, seed, lo, spread, gap, with_barriers):
    town = generate_town(n, seed)
    barriers = town.barriers if with_barriers else None
    result = draw_grids(
        town.buildings, min_households=lo, max_households=lo + spread, gap_m=gap, barriers=barriers
    )
    assert check_assignment(town.buildings, result, barriers=barriers) == []
    assert sum(g.households for g in result.grids) == town.households


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 420)),
        min_size=1,
        max_size=9,
        unique_by=lambda t: t[:2],
    )
)
def test_grids_break_the_bounds_only_where_no_drawing_could_keep_them(data):
    cells = [(x, y) for x, y, _ in data]
    households = [h for _, _, h in data]
    buildings = [
        lattice_building(f"b{k}", c, h) for k, (c, h) in enumerate(zip(cells, households, strict=True))
    ]
    result = draw_grids(buildings, min_households=300, max_households=500)
    assert check_assignment(buildings, result) == []
    grid_of = {b: g.id for g in result.grids for b in g.units}
    for piece in lattice_components(cells):
        grids = {grid_of[f"b{k}"] for k in piece}
        breached = [g for g in result.grids if g.id in grids and not result.within_bounds(g)]
        feasible = brute_force_feasible(piece, cells, households, 300, 500)
        assert bool(breached) == (not feasible), (piece, breached)
        assert all(g.unavoidable for g in breached)


def test_a_building_above_the_ceiling_is_its_own_flagged_grid():
    buildings = [lattice_building("tower", (0, 0), 812), lattice_building("house", (1, 0), 350)]
    result = draw_grids(buildings)
    tower = next(g for g in result.grids if "tower" in g.units)
    assert tower.units == ("tower",) and tower.flags == (OVERSIZE,)
    assert "812" in tower.reasons[0] and "500" in tower.reasons[0]
    assert check_assignment(buildings, result) == []


def test_a_tower_with_stairwell_counts_is_split_into_grids_within_bounds():
    buildings = [lattice_building("tower", (0, 0), 812, stairwells=(200, 206, 203, 203))]
    result = draw_grids(buildings)
    assert sorted(g.households for g in result.grids) == [406, 406]
    assert sorted(result.assignment) == ["tower#1-2", "tower#3-4"]
    assert all("split" in g.flags and "812" in g.reasons[0] for g in result.grids)
    assert check_assignment(buildings, result) == []


def test_a_small_neighborhood_becomes_one_undersize_grid_with_its_reason():
    buildings = [
        lattice_building("a", (0, 0), 60, "Small"),
        lattice_building("b", (1, 0), 70, "Small"),
        lattice_building("c", (5, 5), 400, "Big"),
    ]
    result = draw_grids(buildings)
    small = next(g for g in result.grids if g.neighborhood == "Small")
    assert set(small.units) == {"a", "b"} and small.flags == (UNDERSIZE,)
    assert "Small" in small.reasons[0] and "130" in small.reasons[0]


def test_an_island_below_the_floor_is_flagged_and_the_rest_stays_within_bounds():
    buildings = [lattice_building(f"r{k}", (k, 0), 100) for k in range(8)]
    buildings.append(lattice_building("island", (20, 20), 120))
    result = draw_grids(buildings)
    island = next(g for g in result.grids if "island" in g.units)
    assert island.flags == (UNDERSIZE,) and "孤立" in island.reasons[0]
    assert all(result.within_bounds(g) for g in result.grids if g is not island)


def test_a_component_no_count_of_grids_fits_is_one_constrained_grid():
    buildings = [lattice_building(f"r{k}", (k, 0), 111) for k in range(5)]  # 555: 1 grid > 500, 2 < 300
    result = draw_grids(buildings)
    (grid,) = result.grids
    assert grid.flags == (CONSTRAINED,) and grid.unavoidable and "555" in grid.reasons[0]


def test_grids_come_near_400_households_and_as_many_as_the_bounds_allow():
    buildings = [lattice_building(f"r{k}", (k % 20, k // 20), 20) for k in range(400)]  # 8,000 households
    result = draw_grids(buildings)
    assert all(result.within_bounds(g) for g in result.grids)
    assert 18 <= len(result.grids) <= 22
    assert all(g.compactness > 0.3 for g in result.grids)


def test_a_grid_never_crosses_a_neighborhood_even_when_buildings_touch():
    buildings = [lattice_building(f"a{k}", (k, 0), 100, "A") for k in range(4)]
    buildings += [lattice_building(f"b{k}", (k, 1), 100, "B") for k in range(4)]
    result = draw_grids(buildings)
    assert {g.neighborhood for g in result.grids} == {"A", "B"}
    assert all(len({u[0] for u in g.units}) == 1 for g in result.grids)
