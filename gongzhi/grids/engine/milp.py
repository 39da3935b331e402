"""Exact partition of one connected group into contiguous grids within [lo, hi], by MILP (HiGHS).

Why a MILP: the tree cutter and the repair step are fast but only search cuts of a few spanning
trees; a group they leave out of bounds may still have a valid partition. HiGHS (through
`scipy.optimize.milp`) either finds one or proves that none exists, within a time budget.

Contiguity is kept by a forest, not by grid labels (labels would make the model symmetric in the
grids' order and slow to prove infeasible). Every building either is the root of its grid
(`root[v] = 1`) or points along one graph edge to its parent (`arc[u→v] = 1`). A flow carries each
building's supply `households·K + 1` (K = n + 1) along the chosen arcs to the roots; a root absorbs
its grid's supply, which must lie in [lo·K, hi·K + n] — that is, the grid's households lie in
[lo, hi], since the `+1` per building adds at most n < K. The `+1` also forbids cycles of arcs (a
cycle could pass its flow only to itself, yet must send out at least one unit per building), so
every building reaches a root along grid edges: each grid is a tree, hence contiguous.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

FOUND, INFEASIBLE, BUDGET = "found", "infeasible", "budget"


@dataclass(frozen=True)
class ExactOutcome:
    status: str  # FOUND, INFEASIBLE (proven: no partition exists) or BUDGET (undecided)
    labels: list[int] | None  # part label per node when FOUND
    seconds: float


def milp_partition(
    weights: Sequence[int],
    adjacency: Sequence[Sequence[int]],
    lo: int,
    hi: int,
    *,
    time_limit: float = 2.0,
) -> ExactOutcome:
    """Decide whether the connected graph (`adjacency[v]` lists v's neighbours) can be cut into
    connected parts each holding lo..hi of `weights`; the labels when it can."""
    started = time.perf_counter()
    n = len(weights)
    total = int(sum(weights))
    if n == 0 or any(w > hi for w in weights) or not _count_fits(total, lo, hi):
        return ExactOutcome(INFEASIBLE, None, time.perf_counter() - started)
    arcs = [(v, u) for v in range(n) for u in adjacency[v] if u != v]
    model = _model(weights, arcs, lo, hi)
    result = milp(
        c=np.zeros(model.size),
        integrality=model.integrality,
        bounds=Bounds(model.lower, model.upper),
        constraints=model.constraints,
        options={"time_limit": max(0.05, time_limit), "presolve": True},
    )
    seconds = time.perf_counter() - started
    if result.status == 0 and result.x is not None:
        return ExactOutcome(FOUND, _labels(result.x, n, arcs), seconds)
    if result.status == 2:  # HiGHS proved the model infeasible
        return ExactOutcome(INFEASIBLE, None, seconds)
    return ExactOutcome(BUDGET, None, seconds)


@dataclass
class _Model:
    size: int
    integrality: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    constraints: list[LinearConstraint]


def _model(weights: Sequence[int], arcs: list[tuple[int, int]], lo: int, hi: int) -> _Model:
    """Variables, in order: root[v] (n, binary), arc[e] (m, binary), flow[e] (m), absorbed[v] (n)."""
    n, m = len(weights), len(arcs)
    k = n + 1
    cap = hi * k + n
    root, arc, flow, absorbed = 0, n, n + m, n + 2 * m
    size = 2 * n + 2 * m
    integrality = np.zeros(size)
    integrality[: n + m] = 1
    lower = np.zeros(size)
    upper = np.r_[np.ones(n + m), np.full(m, cap), np.full(n, cap)]
    rows: list[tuple[int, int, float]] = []
    lb: list[float] = []
    ub: list[float] = []

    def row(entries, low, high):
        r = len(lb)
        rows.extend((r, col, val) for col, val in entries)
        lb.append(low)
        ub.append(high)

    out_arcs: list[list[int]] = [[] for _ in range(n)]
    in_arcs: list[list[int]] = [[] for _ in range(n)]
    for e, (v, u) in enumerate(arcs):
        out_arcs[v].append(e)
        in_arcs[u].append(e)
    for v in range(n):
        # a building is a root or has exactly one parent
        row([(root + v, 1.0)] + [(arc + e, 1.0) for e in out_arcs[v]], 1, 1)
        # flow conservation: what leaves plus what is absorbed = what arrives plus own supply
        entries = [(flow + e, 1.0) for e in out_arcs[v]] + [(flow + e, -1.0) for e in in_arcs[v]]
        row(entries + [(absorbed + v, 1.0)], weights[v] * k + 1, weights[v] * k + 1)
        # a root absorbs a grid's worth; any other building absorbs nothing
        row([(absorbed + v, 1.0), (root + v, -lo * k)], 0, np.inf)
        row([(absorbed + v, 1.0), (root + v, -cap)], -np.inf, 0)
    index = {a: e for e, a in enumerate(arcs)}
    for e, (v, u) in enumerate(arcs):
        row([(flow + e, 1.0), (arc + e, -cap)], -np.inf, 0)  # flow only along chosen arcs
        back = index.get((u, v))
        if back is not None and back > e:
            row([(arc + e, 1.0), (arc + back, 1.0)], 0, 1)
    total = int(sum(weights))
    row([(root + v, 1.0) for v in range(n)], -(-total // hi), total // lo)
    r, c, val = zip(*rows, strict=True)
    matrix = coo_matrix((val, (r, c)), shape=(len(lb), size)).tocsr()
    return _Model(size, integrality, lower, upper, [LinearConstraint(matrix, lb, ub)])


def _labels(x: np.ndarray, n: int, arcs: list[tuple[int, int]]) -> list[int]:
    """Follow each building's chosen arc up to its root; the root's number is the label."""
    parent = list(range(n))
    for e, (v, u) in enumerate(arcs):
        if x[n + e] > 0.5:
            parent[v] = u
    roots = {v: k for k, v in enumerate(v for v in range(n) if x[v] > 0.5)}
    labels = []
    for v in range(n):
        seen = 0
        while parent[v] != v and seen <= n:
            v = parent[v]
            seen += 1
        labels.append(roots[v])
    return labels


def _count_fits(total: int, lo: int, hi: int) -> bool:
    count = -(-total // hi)
    return count * lo <= total
