"""check_assignment: an independent verdict on a drawing, used by the tests and the report.

It recomputes adjacency from the footprints and re-adds every household, so a bug in the
partitioner's own bookkeeping cannot hide behind itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from .geometry import adjacency_pairs, origin_of, project
from .model import (
    CONSTRAINED,
    OVERSIZE,
    SPLIT,
    UNDERSIZE,
    Building,
    Grid,
    Result,
    unit_building,
    unit_stairwells,
)


def check_assignment(
    buildings: Sequence[Building], result: Result, *, barriers: Sequence[BaseGeometry] | None = None
) -> list[str]:
    """Every rule a drawing must meet, as a list of problems (empty when all hold): coverage,
    households, one neighborhood per grid, contiguity, bounds, and a reason for every flag with
    the flag justified (oversize = one building above max, undersize = a whole island …)."""
    by_id = {b.id: b for b in buildings}
    problems = _coverage(by_id, result)
    if problems or not buildings:
        return problems
    index = {b.id: k for k, b in enumerate(buildings)}
    adjacency = _adjacency(buildings, result.gap_m, barriers)
    for grid in result.grids:
        problems.extend(_grid_problems(grid, by_id, index, adjacency, result))
    return problems


def _coverage(by_id: dict[str, Building], result: Result) -> list[str]:
    problems = []
    stairwells: dict[str, list[int]] = defaultdict(list)
    listed = [u for g in result.grids for u in g.units]
    if len(listed) != len(set(listed)):
        problems.append("a unit is listed in more than one grid")
    if set(listed) != set(result.assignment):
        problems.append("grids and assignment disagree")
    for unit in result.assignment:
        building = unit_building(unit)
        if building not in by_id:
            problems.append(f"unknown building {building!r}")
            continue
        run = unit_stairwells(unit)
        if run:
            first, last = (int(x) for x in run.split("-"))
            stairwells[building].extend(range(first, last + 1))
        else:
            stairwells[building].append(0)
    for building_id, b in by_id.items():
        got = sorted(stairwells.get(building_id, []))
        whole = [0]
        split = list(range(1, len(b.stairwells or ()) + 1))
        if got != whole and got != split:
            problems.append(f"building {building_id} placed {got or 'nowhere'}, not exactly once")
    return problems


def _adjacency(buildings: Sequence[Building], gap_m: float, barriers) -> dict[int, set[int]]:
    origin = origin_of([b.footprint for b in buildings])
    footprints = project([b.footprint for b in buildings], origin)
    groups = np.unique([b.neighborhood for b in buildings], return_inverse=True)[1]
    lines = project(list(barriers), origin) if barriers else None
    adjacency: dict[int, set[int]] = defaultdict(set)
    for i, j in adjacency_pairs(footprints, gap_m, groups, lines).tolist():
        adjacency[i].add(j)
        adjacency[j].add(i)
    return adjacency


def _grid_problems(grid: Grid, by_id, index, adjacency, result: Result) -> list[str]:
    problems = []
    ids = grid.building_ids
    if len({by_id[b].neighborhood for b in ids}) != 1 or by_id[ids[0]].neighborhood != grid.neighborhood:
        problems.append(f"grid {grid.id} crosses neighborhoods")
    if grid.households != _households(grid, by_id):
        problems.append(
            f"grid {grid.id} reports {grid.households} households, holds {_households(grid, by_id)}"
        )
    if len(ids) > 1 and not _connected([index[b] for b in ids], adjacency):
        problems.append(f"grid {grid.id} is not contiguous")
    if len(grid.reasons) != len(grid.flags) or not all(grid.reasons):
        problems.append(f"grid {grid.id} has a flag without a reason")
    within = result.within_bounds(grid)
    breach = {OVERSIZE, UNDERSIZE, CONSTRAINED} & set(grid.flags)
    if not within and not breach:
        problems.append(f"grid {grid.id} has {grid.households} households, outside bounds, unflagged")
    if within and breach:
        problems.append(f"grid {grid.id} is within bounds yet flagged {sorted(breach)}")
    problems.extend(_flag_problems(grid, by_id, index, adjacency, result))
    return problems


def _flag_problems(grid: Grid, by_id, index, adjacency, result: Result) -> list[str]:
    problems = []
    ids = grid.building_ids
    one_building = len(ids) == 1
    if OVERSIZE in grid.flags and not (one_building and grid.households > result.max_households):
        problems.append(f"grid {grid.id} flagged oversize but is not one building above max")
    if SPLIT in grid.flags and not (one_building and by_id[ids[0]].households > result.max_households):
        problems.append(f"grid {grid.id} flagged split but its building is not above max")
    if UNDERSIZE in grid.flags and not one_building:
        if grid.households >= result.min_households or not _is_whole_island(
            ids, by_id, index, adjacency, result
        ):
            problems.append(f"grid {grid.id} flagged undersize but is not a whole island below min")
    return problems


def _households(grid: Grid, by_id) -> int:
    total = 0
    for unit in grid.units:
        b = by_id[unit_building(unit)]
        run = unit_stairwells(unit)
        if run:
            first, last = (int(x) for x in run.split("-"))
            total += sum((b.stairwells or ())[first - 1 : last])
        else:
            total += b.households
    return total


def _connected(nodes: list[int], adjacency: dict[int, set[int]]) -> bool:
    position = {v: k for k, v in enumerate(nodes)}
    rows, cols = [], []
    for v in nodes:
        for u in adjacency.get(v, ()):
            if u in position:
                rows.append(position[v])
                cols.append(position[u])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes)))
    return connected_components(graph, directed=False)[0] == 1


def _is_whole_island(ids, by_id, index, adjacency, result: Result) -> bool:
    """No building of the grid touches a building outside it that lies within the ceiling (only
    oversize buildings, which are grids of their own, may border an island)."""
    members = {index[b] for b in ids}
    reverse = {v: b for b, v in index.items()}
    for v in members:
        for u in adjacency.get(v, ()):
            if u not in members and by_id[reverse[u]].households <= result.max_households:
                return False
    return True


def contiguous_groups(
    footprints: dict[str, BaseGeometry],
    groups: dict[str, set[str]],
    gap_m: float,
    barriers: Sequence[BaseGeometry] | None = None,
) -> dict[str, bool]:
    """Whether each group of buildings (ids into `footprints`, WGS84) is connected under the
    engine's adjacency: footprints within `gap_m`, not across a barrier. Used by hand edits,
    which must keep both grids of a move contiguous."""
    ids = sorted(footprints)
    if not ids:
        return dict.fromkeys(groups, True)
    index = {key: k for k, key in enumerate(ids)}
    origin = origin_of(list(footprints.values()))
    projected = project([footprints[key] for key in ids], origin)
    lines = project(list(barriers), origin) if barriers else None
    pairs = adjacency_pairs(projected, gap_m, np.zeros(len(ids), dtype=np.int64), lines)
    neighbours: dict[int, set[int]] = {k: set() for k in range(len(ids))}
    for i, j in pairs.tolist():
        neighbours[i].add(j)
        neighbours[j].add(i)
    verdict = {}
    for name, members in groups.items():
        nodes = sorted(index[m] for m in members if m in index)
        verdict[name] = len(nodes) <= 1 or _connected(nodes, neighbours)
    return verdict
