"""draw_grids: buildings in, micro-grids out, every building placed, every breach explained.

Pipeline: project to metres → adjacency within the gap, cut by barriers, never across
neighborhoods → take out buildings above the ceiling (own grid, or split by stairwell) → per
connected component, cut a Hilbert-ordered spanning tree into parts within bounds
(`partition.partition_tree`) → compactness, names, flags. A redraw first keeps the previous grids
that still meet every rule and redraws only the rest, dissolving neighbouring kept grids one by one
where the rest alone cannot be drawn within bounds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry.base import BaseGeometry

from .cutting import count_fits, cut_component, strict_cut
from .exact import SearchBudgetExceeded, exact_partition
from .geometry import polsby_popper_of_hulls
from .graph import TownGraph
from .milp import BUDGET, FOUND, INFEASIBLE, ExactOutcome, milp_partition
from .model import (
    CONSTRAINED,
    OVERSIZE,
    SPLIT,
    UNDERSIZE,
    Building,
    ExactRun,
    Grid,
    GridInputError,
    Result,
    Stability,
    unit_key,
)
from .partition import partition_tree, split_run

EXACT_SECONDS = 2.0  # HiGHS time limit per group the heuristic left out of bounds
RANDOM_TREES = 300  # tried first on such a group, within RANDOM_TREES_SECONDS
RANDOM_TREES_SECONDS = 0.3
SMALL_EXACT_NODES = 40  # up to here the enumeration of connected sets is tried first
SMALL_EXACT_STEPS = 50_000
EXACT_TOTAL_SECONDS = 6.0  # and in all, so a 20,000-building town still draws in under 10 s


@dataclass
class _Piece:
    """A grid before it has a name: the units it holds and why it breaks the bounds, if it does."""

    neighborhood: str
    nodes: tuple[int, ...]  # building indices (a split part holds its one building)
    units: tuple[str, ...]
    households: int
    flags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    kept_name: str | None = None
    unavoidable: bool = False


def draw_grids(
    buildings: Sequence[Building],
    *,
    min_households: int = 300,
    max_households: int = 500,
    gap_m: float = 30,
    barriers: Sequence[BaseGeometry] | None = None,
    previous: Mapping[str, str] | None = None,
    full_redraw: bool = False,
    exact_seconds: float = EXACT_SECONDS,
    exact_total_seconds: float = EXACT_TOTAL_SECONDS,
) -> Result:
    """Assign every building to one micro-grid (see the module doc). `previous` maps unit keys
    (building ids, or "<id>#a-b" for stairwell parts) to grid names; with it, grids that still
    meet every rule are kept and names are carried over, unless `full_redraw`. A group the
    heuristic leaves out of bounds goes to the exact search, `exact_seconds` each and
    `exact_total_seconds` in all (then the rest report the budget as exhausted)."""
    started = time.perf_counter()
    _check_parameters(buildings, min_households, max_households, gap_m)
    if not buildings:
        return Result([], {}, 0.0, min_households, max_households, gap_m)
    g = TownGraph(buildings, min_households, max_households, gap_m, barriers)
    g.exact_budget = (exact_seconds, exact_total_seconds)
    timings = {"graph": time.perf_counter() - started}
    pieces = _oversize_pieces(g)
    kept = {} if previous is None or full_redraw else _keepable(g, previous)
    free = np.flatnonzero(g.normal & ~_mask(g, kept.values()))
    components = _components_to_redraw(g, free, kept)
    for nodes in components:
        pieces.extend(_partition_component(g, nodes))
    for name, nodes in kept.items():
        pieces.append(_piece(g, nodes, kept_name=name))
    timings["partition"] = time.perf_counter() - started - timings["graph"]
    grids, assignment = _name_grids(g, pieces, previous or {})
    timings["report"] = time.perf_counter() - started - timings["graph"] - timings["partition"]
    stability = None if previous is None else _stability(g, previous, assignment, grids)
    seconds = time.perf_counter() - started
    timings["exact"] = sum(run.seconds for run in g.exact_runs)
    return Result(
        grids, assignment, seconds, min_households, max_households, gap_m, stability, timings, g.exact_runs
    )


def _check_parameters(buildings: Sequence[Building], lo: int, hi: int, gap_m: float) -> None:
    if not 0 <= lo <= hi or hi < 1:
        raise GridInputError(f"户数上下限不合理：min={lo}, max={hi}（需 0 ≤ min ≤ max 且 max ≥ 1）")
    if gap_m < 0:
        raise GridInputError(f"相邻距离 gap={gap_m} 不能为负")
    seen: set[str] = set()
    for index, b in enumerate(buildings):
        if b.id in seen:
            raise GridInputError(f"第 {index} 个楼栋 id={b.id!r} 重复")
        seen.add(b.id)


def _mask(g: TownGraph, groups) -> np.ndarray:
    mask = np.zeros(len(g.households), dtype=bool)
    for nodes in groups:
        mask[list(nodes)] = True
    return mask


def _piece(
    g: TownGraph, nodes, *, flags=(), reasons=(), kept_name: str | None = None, unavoidable=False
) -> _Piece:
    nodes = tuple(int(v) for v in nodes)
    return _Piece(
        neighborhood=str(g.nb_names[g.nb[nodes[0]]]),
        nodes=nodes,
        units=tuple(g.buildings[v].id for v in nodes),
        households=int(g.households[list(nodes)].sum()),
        flags=tuple(flags),
        reasons=tuple(reasons),
        kept_name=kept_name,
        unavoidable=unavoidable,
    )


# --- buildings above the ceiling ---------------------------------------------------------------


def _oversize_pieces(g: TownGraph) -> list[_Piece]:
    pieces = []
    for v in np.flatnonzero(~g.normal):
        b = g.buildings[v]
        if b.stairwells and len(b.stairwells) > 1:
            parts = _stairwell_parts(g, int(v))
            if len(parts) > 1:
                pieces.extend(parts)
                continue
        reason = f"楼栋 {b.id} 户数 {b.households} 超过上限 {g.hi}，单独成格"
        if b.stairwells:
            reason += "（按楼道也无法拆到上限以内）"
        pieces.append(_piece(g, [v], flags=[OVERSIZE], reasons=[reason], unavoidable=True))
    return pieces


def _stairwell_parts(g: TownGraph, v: int) -> list[_Piece]:
    b = g.buildings[v]
    counts = list(b.stairwells or ())
    labels = split_run(counts, g.lo, g.hi, target=g.target)
    runs: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        runs[label].append(index)
    parts = []
    total = len(runs)
    for index in sorted(runs.values()):
        households = sum(counts[i] for i in index)
        flags, reasons = (
            [SPLIT],
            [f"楼栋 {b.id} 户数 {b.households} 超过上限 {g.hi}，按楼道拆为 {total} 个网格"],
        )
        if households > g.hi:
            flags.append(OVERSIZE)
            reasons.append(f"楼道 {index[0] + 1} 单个楼道 {households} 户已超过上限 {g.hi}")
        elif households < g.lo:
            flags.append(UNDERSIZE)
            reasons.append(f"楼栋按楼道拆分后余下 {households} 户，不足下限 {g.lo}")
        key = unit_key(b.id, index[0] + 1, index[-1] + 1)
        parts.append(
            _Piece(
                str(g.nb_names[g.nb[v]]),
                (v,),
                (key,),
                households,
                tuple(flags),
                tuple(reasons),
                None,
                len(flags) > 1,
            )
        )
    return parts


# --- one connected component --------------------------------------------------------------------


def _partition_component(g: TownGraph, nodes: np.ndarray) -> list[_Piece]:
    total = int(g.households[nodes].sum())
    if total < g.lo:
        reason = _undersize_reason(g, nodes, total)
        return [_piece(g, nodes, flags=[UNDERSIZE], reasons=[reason], unavoidable=True)]
    if total <= g.hi:
        return [_piece(g, nodes)]
    one_grid = not count_fits(total, g.lo, g.hi) and total < 1.5 * g.target
    groups = [nodes.tolist()] if one_grid else cut_component(g, nodes)
    outcome = None
    if not one_grid and nodes.tobytes() not in g.proven_impossible and not _all_fit(g, groups):
        outcome, exact_groups = _exact(g, nodes)
        groups = exact_groups or groups
    pieces = []
    for members in groups:
        piece = _piece(g, members)
        if not g.lo <= piece.households <= g.hi:
            piece.flags = (CONSTRAINED,)
            proven = one_grid or nodes.tobytes() in g.proven_impossible or outcome == INFEASIBLE
            piece.unavoidable = proven
            piece.reasons = (_constrained_reason(g, len(nodes), total, piece.households, proven, outcome),)
        pieces.append(piece)
    return pieces


def _all_fit(g: TownGraph, groups: list[list[int]]) -> bool:
    return all(g.lo <= int(g.households[m].sum()) <= g.hi for m in groups)


def _exact(g: TownGraph, nodes: np.ndarray) -> tuple[str, list[list[int]] | None]:
    """The exact step (`milp.milp_partition`) on a whole connected group the heuristic left out
    of bounds: a partition within bounds, a proof that none exists, or the budget spent."""
    per_group, total = g.exact_budget
    left = total - sum(run.seconds for run in g.exact_runs)
    weights = g.households[nodes].tolist()
    if left <= 0:
        g.exact_runs.append(ExactRun(len(nodes), sum(weights), BUDGET, 0.0))
        return BUDGET, None
    sub = g.subgraph(nodes)
    adjacency = [sub.indices[sub.indptr[i] : sub.indptr[i + 1]].tolist() for i in range(len(nodes))]
    outcome = (
        _random_trees(g, nodes, weights)
        or _small_exact(weights, adjacency, g)
        or milp_partition(weights, adjacency, g.lo, g.hi, time_limit=min(per_group, left))
    )
    groups = None
    status = outcome.status
    if status == FOUND:
        groups = [list(m) for m in _group_labels(nodes, outcome.labels)]
        if not (_all_fit(g, groups) and all(g.is_contiguous(m) for m in groups)):
            groups, status = None, BUDGET  # a solver answer off by rounding is no answer
    g.exact_runs.append(ExactRun(len(nodes), sum(weights), status, outcome.seconds))
    return status, groups


def _random_trees(g: TownGraph, nodes: np.ndarray, weights: list[int]) -> ExactOutcome | None:
    """Many spanning trees on random weights, each cut exactly (`partition_tree`): a partition
    that splits a group in two or three needs one tree crossing each boundary once, and random
    trees find one in a few dozen tries where the Hilbert-biased trees did not. Finds only; a
    "no" here proves nothing, so the exact searches follow."""
    started = time.perf_counter()
    for parent, order in g.random_spanning_trees(nodes, RANDOM_TREES):
        labels = partition_tree(weights, parent, order, g.lo, g.hi, target=g.target)
        if labels is not None:
            return ExactOutcome(FOUND, labels, time.perf_counter() - started)
        if time.perf_counter() - started > RANDOM_TREES_SECONDS:
            break
    return None


def _small_exact(weights: list[int], adjacency: list[list[int]], g: TownGraph) -> ExactOutcome | None:
    """On a few buildings the enumeration of connected sets (`exact.exact_partition`) decides in
    milliseconds where the MILP may spend seconds; None when it gives up (then the MILP runs)."""
    if len(weights) > SMALL_EXACT_NODES:
        return None
    started = time.perf_counter()
    try:
        labels = exact_partition(weights, adjacency, g.lo, g.hi, target=g.target, budget=SMALL_EXACT_STEPS)
    except SearchBudgetExceeded:
        return None
    return ExactOutcome(FOUND if labels else INFEASIBLE, labels, time.perf_counter() - started)


def _group_labels(nodes: np.ndarray, labels: list[int]) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for v, label in zip(nodes.tolist(), labels, strict=True):
        groups[label].append(v)
    return list(groups.values())


def _undersize_reason(g: TownGraph, nodes: np.ndarray, total: int) -> str:
    nb = g.nb[nodes[0]]
    whole = np.count_nonzero(g.nb == nb) == len(nodes)
    name = g.nb_names[nb]
    if whole:
        return f"社区 {name} 共 {total} 户，不足下限 {g.lo}，整体成一格"
    return (
        f"孤立楼群 {len(nodes)} 栋共 {total} 户，与社区 {name} 其他楼栋相距超过 {g.gap_m:g} 米"
        f"或被道路、河流或超大楼栋隔开，不足下限 {g.lo}，单独成格"
    )


def _constrained_reason(
    g: TownGraph, size: int, total: int, households: int, proven: bool, outcome: str | None = None
) -> str:
    lo, hi = g.lo, g.hi
    if -(-total // hi) * lo > total:
        why = f"连片楼群 {size} 栋共 {total} 户，分成任何格数都无法使每格在 {lo}–{hi} 户之间"
    elif outcome == INFEASIBLE:
        why = f"连片楼群 {size} 栋共 {total} 户，经精确搜索（整数规划）证明按楼栋相邻关系无法全部划入 {lo}–{hi} 户"
    elif outcome == BUDGET:
        why = (
            f"连片楼群 {size} 栋共 {total} 户，启发式未能全部划入 {lo}–{hi} 户，"
            f"精确搜索在时限内未能判定（时限用尽）"
        )
    elif proven:
        why = f"连片楼群 {size} 栋共 {total} 户，经穷举验证，按楼栋相邻关系无法全部划入 {lo}–{hi} 户"
    else:
        why = f"连片楼群 {size} 栋共 {total} 户，按楼栋相邻关系未能全部划入 {lo}–{hi} 户"
    return f"{why}；本格 {households} 户"


# --- redraw: keep what still holds ---------------------------------------------------------------


def _keepable(g: TownGraph, previous: Mapping[str, str]) -> dict[str, list[int]]:
    """Previous grids that still meet every rule: all their buildings present and within the
    ceiling, one neighborhood, contiguous now, households within bounds now."""
    index = g.index
    members: dict[str, list[int]] = defaultdict(list)
    broken: set[str] = set()
    for key, name in previous.items():
        v = index.get(key)
        if v is None or not g.normal[v]:
            broken.add(name)  # a removed building, a stairwell part, or one now above the ceiling
        else:
            members[name].append(v)
    kept = {}
    for name, nodes in members.items():
        if name in broken or len(set(g.nb[nodes])) != 1:
            continue
        if not g.lo <= g.households[nodes].sum() <= g.hi:
            continue
        if g.is_contiguous(nodes):
            kept[name] = nodes
    return kept


def _components_to_redraw(g: TownGraph, free: np.ndarray, kept: dict[str, list[int]]) -> list[np.ndarray]:
    """Components of the buildings not in kept grids. A component that cannot be drawn within
    bounds by itself takes in its smallest neighbouring kept grid, and again, until it can or has
    none left: the redraw spreads only as far as it must."""
    if not kept:
        return g.components(free)
    owner = np.full(len(g.households), -1)
    names = list(kept)
    for k, name in enumerate(names):
        owner[kept[name]] = k
    while True:
        dissolve = set()
        for nodes in g.components(free):
            if _drawable(g, nodes):
                continue
            neighbours = {int(k) for k in owner[g.neighbours(nodes)] if k >= 0}
            if neighbours:
                dissolve.add(min(neighbours, key=lambda k: (g.households[kept[names[k]]].sum(), k)))
        if not dissolve:
            return g.components(free)
        for k in dissolve:
            owner[kept.pop(names[k])] = -1
        free = np.flatnonzero(g.normal & (owner < 0))


def _drawable(g: TownGraph, nodes: np.ndarray) -> bool:
    total = int(g.households[nodes].sum())
    if total < g.lo:
        return False
    return total <= g.hi or strict_cut(g, nodes) is not None


# --- names, compactness, stability ---------------------------------------------------------------


def _name_grids(g: TownGraph, pieces: list[_Piece], previous: Mapping[str, str]) -> tuple[list[Grid], dict]:
    names = _carry_names(g, pieces, previous)
    compactness = polsby_popper_of_hulls(g.footprints, [p.nodes for p in pieces])
    grids, assignment = [], {}
    for piece, name, pp in zip(pieces, names, compactness, strict=True):
        grids.append(
            Grid(
                name,
                piece.neighborhood,
                piece.units,
                piece.households,
                round(float(pp), 4),
                piece.flags,
                piece.reasons,
                piece.unavoidable,
            )
        )
        for unit in piece.units:
            assignment[unit] = name
    grids.sort(key=lambda g: g.id)
    return grids, assignment


def _carry_names(g: TownGraph, pieces: list[_Piece], previous: Mapping[str, str]) -> list[str]:
    """Kept grids keep their names; a redrawn grid takes the previous name it shares the most
    households with (once each); the rest get the next free `<neighborhood>-NNN`."""
    names: list[str | None] = [p.kept_name for p in pieces]
    used = {n for n in names if n}
    households = {unit: h for p in pieces for unit, h in _unit_households(g, p)}
    overlaps = []
    for k, piece in enumerate(pieces):
        if names[k]:
            continue
        shared: dict[str, int] = defaultdict(int)
        for unit in piece.units:
            if unit in previous:
                shared[previous[unit]] += households[unit]
        overlaps.extend((h, -k, name) for name, h in shared.items())
    for _h, neg_k, name in sorted(overlaps, reverse=True):
        if names[-neg_k] is None and name not in used:
            names[-neg_k] = name
            used.add(name)
    used |= set(previous.values())
    order = sorted(range(len(pieces)), key=lambda k: min(g.rank[v] for v in pieces[k].nodes))
    counters: dict[str, int] = defaultdict(int)
    for k in order:
        if names[k] is None:
            names[k] = _next_name(pieces[k].neighborhood, counters, used)
    return [str(n) for n in names]


def _next_name(neighborhood: str, counters: dict[str, int], used: set[str]) -> str:
    while True:
        counters[neighborhood] += 1
        name = f"{neighborhood}-{counters[neighborhood]:03d}"
        if name not in used:
            used.add(name)
            return name


def _unit_households(g: TownGraph, piece: _Piece):
    if len(piece.units) == 1:
        yield piece.units[0], piece.households
        return
    for unit, v in zip(piece.units, piece.nodes, strict=True):
        yield unit, int(g.households[v])


def _stability(
    g: TownGraph, previous: Mapping[str, str], assignment: dict[str, str], grids: list[Grid]
) -> Stability:
    """Households whose grid changed (units present before and now), and how many grids came out
    exactly as before (same name, same units)."""
    households = {u: h for grid in grids for u, h in _grid_unit_households(g, grid)}
    moved = compared = 0
    for unit, name in previous.items():
        if unit in assignment:
            compared += households[unit]
            moved += households[unit] if assignment[unit] != name else 0
    before: dict[str, set[str]] = defaultdict(set)
    for unit, name in previous.items():
        before[name].add(unit)
    same = sum(before.get(grid.id) == set(grid.units) for grid in grids)
    return Stability(moved, compared, same, len(grids) - same)


def _grid_unit_households(g: TownGraph, grid: Grid):
    if len(grid.units) == 1:
        yield grid.units[0], grid.households
    else:
        for unit in grid.units:
            yield unit, int(g.households[g.index[unit]])
