"""Roads and rivers cut adjacency: no grid reaches across a barrier line."""

import math

from shapely import LineString

from gongzhi.grids.engine import check_assignment, draw_grids, generate_town
from gongzhi.grids.tests.test_engine_properties import LAT0, M_LAT, M_LON, lattice_building


def _road_between_columns(column: int, rows: int) -> LineString:
    """A north–south line half-way between lattice columns `column` and `column + 1`."""
    x = column * 35 + 10 + 12.5
    return LineString(
        [(121.4 + x * M_LON, LAT0 - 20 * M_LAT), (121.4 + x * M_LON, LAT0 + (rows * 35 + 20) * M_LAT)]
    )


def test_a_road_keeps_buildings_on_its_two_sides_in_different_grids():
    block = [lattice_building(f"w{y}", (0, y), 100) for y in range(4)]
    block += [lattice_building(f"e{y}", (1, y), 100) for y in range(4)]
    without = draw_grids(block)
    with_road = draw_grids(block, barriers=[_road_between_columns(0, 4)])
    assert any({u[0] for u in g.units} == {"w", "e"} for g in without.grids) or len(without.grids) == 2
    assert all(len({u[0] for u in g.units}) == 1 for g in with_road.grids)
    assert sorted(g.households for g in with_road.grids) == [400, 400]
    assert check_assignment(block, with_road, barriers=[_road_between_columns(0, 4)]) == []


def test_a_road_that_isolates_a_small_group_makes_it_an_undersize_island():
    block = [lattice_building(f"r{k}", (k, 0), 100) for k in range(6)]
    result = draw_grids(block, barriers=[_road_between_columns(3, 1)])
    small = next(g for g in result.grids if "r5" in g.units)
    assert set(small.units) == {"r4", "r5"} and small.flags == ("undersize",)


def test_a_road_far_from_the_buildings_changes_nothing():
    town = generate_town(200, 3)
    far = LineString([(0.0, 0.0), (0.001, 0.001)])
    assert draw_grids(town.buildings, barriers=[far]).assignment == draw_grids(town.buildings).assignment


def test_the_generated_roads_are_respected_by_every_grid():
    town = generate_town(800, 21)
    result = draw_grids(town.buildings, barriers=town.barriers)
    assert check_assignment(town.buildings, result, barriers=town.barriers) == []
    assert math.isclose(sum(g.households for g in result.grids), town.households)
