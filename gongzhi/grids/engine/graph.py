"""The town as arrays and an adjacency graph, with the bounds the partitioner works to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree
from shapely.geometry.base import BaseGeometry

from .geometry import adjacency_pairs, hilbert_rank, origin_of, project
from .model import Building


class TownGraph:
    """Buildings as numpy arrays (households, neighborhood code, Hilbert rank, footprints in
    metres) and the graph of adjacent buildings within the ceiling, one neighborhood at a time."""

    def __init__(
        self,
        buildings: Sequence[Building],
        lo: int,
        hi: int,
        gap_m: float,
        barriers: Sequence[BaseGeometry] | None = None,
    ) -> None:
        self.buildings = list(buildings)
        self.lo, self.hi, self.gap_m = lo, hi, gap_m
        self.target = (lo + hi) // 2
        self.index = {b.id: v for v, b in enumerate(self.buildings)}
        self.households = np.array([b.households for b in buildings], dtype=np.int64)
        self.nb_names, self.nb = np.unique([b.neighborhood for b in buildings], return_inverse=True)
        origin = origin_of([b.footprint for b in buildings])
        self.footprints = project([b.footprint for b in buildings], origin)
        xy = shapely.get_coordinates(shapely.centroid(self.footprints))
        self.rank = hilbert_rank(xy[:, 0], xy[:, 1])
        lines = project(list(barriers), origin) if barriers else None
        self.pairs = adjacency_pairs(self.footprints, gap_m, self.nb, lines)
        self.normal = self.households <= hi  # buildings above the ceiling stay out of the graph
        self.graph = self._graph(xy)
        self.strict_cuts: dict[bytes, list[int] | None] = {}
        self.proven_impossible: set[bytes] = set()  # node sets no partition within bounds exists for
        self.exact_runs: list = []  # model.ExactRun per group sent to the exact search
        self.exact_budget: tuple[float, float] = (2.0, 6.0)  # seconds per group, in all

    def _graph(self, xy: np.ndarray) -> csr_matrix:
        """Edge weight: Hilbert rank distance (plus a sub-unit distance tie-break), so the minimum
        spanning tree follows the curve and its subtrees are compact runs of the town."""
        n = len(self.households)
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        keep = self.normal[i] & self.normal[j]
        i, j = i[keep], j[keep]
        dist = np.hypot(*(xy[i] - xy[j]).T)
        weight = np.abs(self.rank[i] - self.rank[j]) + dist / (dist.max(initial=0) + 1.0)
        m = coo_matrix((np.r_[weight, weight], (np.r_[i, j], np.r_[j, i])), shape=(n, n))
        return m.tocsr()

    def subgraph(self, nodes: np.ndarray) -> csr_matrix:
        return self.graph[nodes][:, nodes]

    def components(self, nodes: np.ndarray) -> list[np.ndarray]:
        """Connected pieces of the graph restricted to `nodes`, each in ascending node order."""
        nodes = np.sort(np.asarray(nodes, dtype=np.int64))
        if not len(nodes):
            return []
        count, labels = connected_components(self.subgraph(nodes), directed=False)
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(count + 1))
        return [nodes[order[bounds[k] : bounds[k + 1]]] for k in range(count)]

    def is_contiguous(self, nodes: Sequence[int]) -> bool:
        return len(self.components(np.asarray(nodes))) == 1

    def neighbours(self, nodes: Sequence[int]) -> np.ndarray:
        return np.unique(self.graph[np.asarray(nodes)].indices)

    def spanning_trees(self, nodes: np.ndarray, count: int, seed: int = 0) -> Iterator[tuple[list, list]]:
        """(parent, breadth-first order) of spanning trees of a connected node set: first the
        Hilbert-following tree, then trees on jittered weights. A tree that happens to block a
        valid cut is not rare when a grid holds two or three towers; another tree often does not."""
        sub = self.subgraph(nodes)
        root = int(np.argmin(self.rank[nodes]))
        rng = np.random.default_rng(seed + len(nodes))
        for attempt in range(count):
            weighted = sub
            if attempt:
                weighted = sub.copy()
                weighted.data = weighted.data * rng.uniform(0.1, 10.0, len(weighted.data))
                weighted = weighted.maximum(weighted.T)  # keep the jittered graph symmetric
            tree = minimum_spanning_tree(weighted)
            order, pred = breadth_first_order(tree, root, directed=False, return_predecessors=True)
            yield pred.tolist(), order.tolist()

    def random_spanning_trees(
        self, nodes: np.ndarray, count: int, seed: int = 0
    ) -> Iterator[tuple[list, list]]:
        """(parent, breadth-first order) of spanning trees on uniformly random edge weights: no
        bias to the Hilbert curve, so they reach cuts the curve-following trees cannot."""
        sub = self.subgraph(nodes)
        rng = np.random.default_rng(seed + len(nodes))
        for _ in range(count):
            weighted = sub.copy()
            weighted.data = rng.uniform(1.0, 2.0, len(weighted.data))
            weighted = weighted.maximum(weighted.T)
            tree = minimum_spanning_tree(weighted)
            order, pred = breadth_first_order(tree, 0, directed=False, return_predecessors=True)
            yield pred.tolist(), order.tolist()
