"""Cutting one connected component into grids: exact on a spanning tree, then local repair.

1. Try to cut the component within [min, max] on a few spanning trees (`partition_tree` is exact
   for a given tree).
2. When no tree works, cut with slightly looser bounds (preferring closures inside the real
   ones), then repair: merge each out-of-bounds grid with one or two neighbouring grids and recut
   that small union exactly on several trees. What still breaks the bounds is flagged.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np

from .exact import SearchBudgetExceeded, exact_partition
from .graph import TownGraph
from .partition import partition_tree, relaxations

STRICT_TREES = 4
REPAIR_TREES = 6
REPAIR_NEIGHBOURS = 6
EXACT_NODES = 24
EXACT_MEAN_HOUSEHOLDS = 60  # exact search only among towers and slabs: few buildings per grid
REPAIR_RINGS = 3


def cut_component(g: TownGraph, nodes: np.ndarray) -> list[list[int]]:
    """Groups of node indices covering a connected component whose total exceeds the ceiling."""
    labels = strict_cut(g, nodes)
    if labels is None:
        groups = _repair(g, _group(nodes, _relaxed_cut(g, nodes)))
    else:
        groups = _group(nodes, labels)
    return groups


def strict_cut(g: TownGraph, nodes: np.ndarray) -> list[int] | None:
    """Labels with every part within [min, max], or None when neither a few spanning trees nor
    (on a few buildings) the exact search found one. Remembered per node set: a redraw asks
    whether a component can be cut, then cuts it."""
    key = nodes.tobytes()
    if key not in g.strict_cuts:
        g.strict_cuts[key] = _recut(g, nodes, STRICT_TREES, seed=0)
    return g.strict_cuts[key]


def _recut(g: TownGraph, nodes: np.ndarray, trees: int, seed: int) -> list[int] | None:
    """Exact search among a few towers (decisive, and an exhaustive "no" is recorded so the flags
    can say the bounds were proven impossible), spanning trees elsewhere (fast, flexible where
    grids hold many small houses)."""
    if not count_fits(int(g.households[nodes].sum()), g.lo, g.hi):
        g.proven_impossible.add(nodes.tobytes())
        return None
    weights = g.households[nodes].tolist()
    if len(nodes) <= EXACT_NODES and sum(weights) >= len(nodes) * EXACT_MEAN_HOUSEHOLDS:
        sub = g.subgraph(nodes)
        adjacency = [sub.indices[sub.indptr[i] : sub.indptr[i + 1]].tolist() for i in range(len(nodes))]
        try:
            labels = exact_partition(weights, adjacency, g.lo, g.hi, target=g.target)
        except SearchBudgetExceeded:
            pass
        else:
            if labels is None:
                g.proven_impossible.add(nodes.tobytes())
            return labels
    for parent, order in g.spanning_trees(nodes, trees, seed):
        labels = partition_tree(weights, parent, order, g.lo, g.hi, target=g.target)
        if labels is not None:
            return labels
    return None


def count_fits(total: int, lo: int, hi: int) -> bool:
    """Whether some number of grids k has k·min ≤ total ≤ k·max."""
    k = -(-total // hi)
    return k * lo <= total


def _relaxed_cut(g: TownGraph, nodes: np.ndarray) -> list[int]:
    weights = g.households[nodes].tolist()
    parent, order = next(g.spanning_trees(nodes, 1))
    for lo, hi in relaxations(g.lo, g.hi, max(weights))[1:]:
        labels = partition_tree(weights, parent, order, lo, hi, target=g.target, strict=(g.lo, g.hi))
        if labels is not None:
            return labels
    raise AssertionError("the loosest bounds always admit a cut")


def _group(nodes: np.ndarray, labels: list[int]) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for v, label in zip(nodes.tolist(), labels, strict=True):
        groups[label].append(v)
    return list(groups.values())


def _repair(g: TownGraph, groups: list[list[int]]) -> list[list[int]]:
    """Recut each out-of-bounds grid together with one or two neighbours until no union helps."""
    part = {v: k for k, members in enumerate(groups) for v in members}
    live = dict(enumerate(groups))
    progress = True
    while progress:
        progress = False
        for k in [k for k, m in live.items() if not _fits(g, m)]:
            if k in live and _repair_one(g, k, live, part):
                progress = True
    return list(live.values())


def _fits(g: TownGraph, members: list[int]) -> bool:
    return g.lo <= int(g.households[members].sum()) <= g.hi


def _near(g: TownGraph, keys: set[int], live: dict[int, list[int]], part: dict[int, int]) -> list[int]:
    """Grids touching the given grids, largest first (they have households to give)."""
    members = [v for k in keys for v in live[k]]
    near = {part[v] for v in g.neighbours(members).tolist() if v in part and part[v] not in keys}
    return sorted(near, key=lambda j: (-int(g.households[live[j]].sum()), j))[:REPAIR_NEIGHBOURS]


def _unions(g: TownGraph, k: int, live: dict[int, list[int]], part: dict[int, int]):
    """Ever wider groups of grids around grid k to recut: one neighbour, two, all, two rings."""
    near = _near(g, {k}, live, part)
    yield from ((k, j) for j in near)
    yield from ((k, *pair) for pair in combinations(near, 2))
    if len(near) > 2:
        yield (k, *near)
    ring = {k, *near}
    for _ in range(REPAIR_RINGS):
        ring |= set(_near(g, ring, live, part))
        yield tuple(ring)


def _repair_one(g: TownGraph, k: int, live: dict[int, list[int]], part: dict[int, int]) -> bool:
    for keys in _unions(g, k, live, part):
        nodes = np.sort(np.concatenate([live[j] for j in keys]))
        if not count_fits(int(g.households[nodes].sum()), g.lo, g.hi):
            continue
        labels = _recut(g, nodes, REPAIR_TREES, seed=1)
        if labels is None:
            continue
        fresh = max(live) + 1
        for j in keys:
            del live[j]
        for offset, members in enumerate(_group(nodes, labels)):
            live[fresh + offset] = members
            part.update(dict.fromkeys(members, fresh + offset))
        return True
    return False
