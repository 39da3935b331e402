"""The demo town's grids, all five levels: 街镇网格 → 居民区党总支网格 → 党支部网格 → 微网格 → 楼道微网格.

Micro-grids (level 4, 300–500 households, whole buildings, never across neighborhoods) come from
the grids app's engine (`gongzhi.grids.engine.draw_grids`) when it is importable and draws every
building into exactly one grid; otherwise each neighborhood's buildings are cut, in the order they
were laid out (compound by compound, row by row, so runs are compact), into runs near 400
households. `draw` says which method it used.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

from gongzhi.org.demo.records import GridRecord, Town

GRID_PREFIX = "YXDEMO"
TARGET, LOW, HIGH = 400, 300, 500
BRANCH_GRIDS = 4  # micro-grids under one party-branch grid
STAIRWELL_GRIDS = 3  # stairwell micro-grids shown per micro-grid


def draw(town: Town) -> str:
    runs, method = _engine_runs(town)
    if runs is None:
        runs, method = _sequential_runs(town), "sequential runs of ~400 households (fallback)"
    _add_grids(town, runs)
    return method


def _engine_runs(town: Town) -> tuple[dict[int, list[list[int]]] | None, str]:
    try:
        from gongzhi.grids.engine import Building, draw_grids

        stairwells = _stairwell_counts(town)
        result = draw_grids(
            [
                Building(
                    str(b.key),
                    Polygon(b.footprint["coordinates"][0]),
                    b.households,
                    str(b.neighborhood_key),
                    _split(b.households, stairwells.get(b.key, 1)),
                )
                for b in town.buildings
            ],
            min_households=LOW,
            max_households=HIGH,
        )
    except Exception as exc:  # noqa: BLE001 - the engine is optional; any failure means fallback
        return None, f"engine failed ({type(exc).__name__})"
    runs: dict[int, list[list[int]]] = {}
    seen: set[int] = set()
    for grid in result.grids:
        keys = [int(k) for k in grid.building_ids]
        if any("#" in u for u in grid.units) or seen.intersection(keys):
            return None, "engine split a building"
        seen.update(keys)
        runs.setdefault(int(grid.neighborhood), []).append(sorted(keys))
    if len(seen) != len(town.buildings):
        return None, "engine left buildings out"
    for nb_runs in runs.values():
        nb_runs.sort()
    return runs, "gongzhi.grids.engine.draw_grids"


def _stairwell_counts(town: Town) -> dict[int, int]:
    counts: dict[int, int] = {}
    for s in town.stairwells:
        counts[s.building_key] = counts.get(s.building_key, 0) + 1
    return counts


def _split(households: int, parts: int) -> tuple[int, ...]:
    base, extra = divmod(households, parts)
    return tuple(base + (i < extra) for i in range(parts))


def _sequential_runs(town: Town) -> dict[int, list[list[int]]]:
    by_nb: dict[int, list] = {}
    for b in town.buildings:
        by_nb.setdefault(b.neighborhood_key, []).append(b)
    return {nb: _cut(buildings) for nb, buildings in by_nb.items()}


def _cut(buildings: list) -> list[list[int]]:
    runs: list[list[int]] = []
    totals: list[int] = []
    run: list[int] = []
    total = 0
    for b in buildings:
        if run and total + b.households > HIGH:
            runs.append(run)
            totals.append(total)
            run, total = [], 0
        run.append(b.key)
        total += b.households
        if total >= TARGET:
            runs.append(run)
            totals.append(total)
            run, total = [], 0
    if run and runs and total < LOW and totals[-1] + total <= HIGH:
        runs[-1].extend(run)  # a short tail joins the run before it when both fit in one grid
    elif run:
        runs.append(run)
    return runs


def _hull(points: list[tuple[float, float]]) -> dict:
    """The convex hull of the points, a little buffered so it contains the footprints."""
    hull = shapely.multipoints(np.asarray(points)).convex_hull.buffer(0.0002, quad_segs=2)
    return mapping(shapely.set_precision(hull, 1e-7))


def _corners(town: Town, keys: list[int]) -> list[tuple[float, float]]:
    return [tuple(p) for k in keys for p in town.buildings[k - 1].footprint["coordinates"][0][:4]]


def _add_grids(town: Town, runs: dict[int, list[list[int]]]) -> None:
    grids = town.grids

    def add(nb: int, parent: int | None, level: int, code: str, name: str, boundary) -> int:
        grids.append(GridRecord(len(grids) + 1, nb, parent, level, code, name, boundary))
        return len(grids)

    everything = [b.key for b in town.buildings]
    top = add(1, None, 1, f"{town.grid_prefix}-L1", f"{town.name}街镇网格", _hull(_corners(town, everything)))
    first_stairwell = _first_stairwell_of_buildings(town)
    for nb in town.neighborhoods:
        nb_runs = runs.get(nb.key, [])
        keys = [k for run in nb_runs for k in run]
        code = f"{town.grid_prefix}-N{nb.key:03d}"
        nb_grid = add(nb.key, top, 2, code, f"{nb.name}党总支网格", _hull(_corners(town, keys)))
        branch = None
        for i, run in enumerate(nb_runs):
            if i % BRANCH_GRIDS == 0:
                group = [k for r in nb_runs[i : i + BRANCH_GRIDS] for k in r]
                branch_no = i // BRANCH_GRIDS + 1
                name = f"{nb.name}第{branch_no}党支部网格"
                branch = add(
                    nb.key, nb_grid, 3, f"{code}-B{branch_no:02d}", name, _hull(_corners(town, group))
                )
            name = f"{nb.name}第{i + 1}微网格"
            micro = add(nb.key, branch, 4, f"{code}-G{i + 1:03d}", name, _hull(_corners(town, run)))
            for k in run:
                town.buildings[k - 1].grid_key = micro
            _stairwell_grids(town, add, nb.key, micro, run, first_stairwell)


def _first_stairwell_of_buildings(town: Town) -> dict[int, object]:
    firsts: dict[int, object] = {}
    for s in town.stairwells:
        firsts.setdefault(s.building_key, s)
    return firsts


def _stairwell_grids(town: Town, add, nb: int, micro: int, run: list[int], firsts: dict) -> None:
    code = town.grids[micro - 1].code
    shown = [k for k in run if k in firsts][:STAIRWELL_GRIDS]
    for j, k in enumerate(shown):
        b = town.buildings[k - 1]
        add(nb, micro, 5, f"{code}-S{j + 1}", f"{b.number}{firsts[k].name}楼道微网格", b.footprint)
