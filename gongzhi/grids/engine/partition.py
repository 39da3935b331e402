"""Cut a tree into connected parts whose household sums lie in [lo, hi], exactly when possible.

Why a tree: every subtree of a spanning tree of the adjacency graph is contiguous, so any set of
cut edges yields contiguous grids by construction. The spanning tree is built to follow a Hilbert
order (see `draw`), so its subtrees are compact runs of the town.

How: one bottom-up pass computes, for each node, the set of household sums the *open* part
containing it can have while every part already closed below it is within bounds. A set of sums
0..hi is a Python int used as a bitset, so merging a child is a shifted OR. Whether the tree can be
cut at all is then known exactly (the root's set meets [lo, hi]). A top-down pass picks the cuts:
close a child's part when it can close near the target (more grids of ~400 households), else merge
it. Cost is O(n · hi / 64) word operations in the worst case and close to O(n) on path-like trees.
"""

from __future__ import annotations

from collections.abc import Sequence


def partition_tree(
    weights: Sequence[int],
    parent: Sequence[int],
    order: Sequence[int],
    lo: int,
    hi: int,
    *,
    target: int,
    strict: tuple[int, int] | None = None,
) -> list[int] | None:
    """Part label of each node, or None when no cut of this tree has every part in [lo, hi].

    `order` is a breadth-first order from the root (order[0]); `parent[v]` is v's parent.
    `strict` are the bounds wanted when [lo, hi] was relaxed: a closure inside them is preferred,
    so a relaxed run breaks the bounds only where it has to.
    """
    if any(w > hi or w < 0 for w in weights):
        return None
    children: list[list[int]] = [[] for _ in weights]
    for v in order[1:]:
        children[parent[v]].append(v)
    sets, prefixes = _reachable_sums(weights, children, order, lo, hi)
    if sets is None:
        return None
    window = _window(lo, hi)
    root = order[0]
    if not sets[root] & window:
        return None
    return _choose_cuts(
        weights, children, order, sets, prefixes, window, _window(*(strict or (lo, hi))), target
    )


def _window(lo: int, hi: int) -> int:
    return ((1 << (hi + 1)) - 1) ^ ((1 << lo) - 1)


def _reachable_sums(
    weights: Sequence[int], children: list[list[int]], order: Sequence[int], lo: int, hi: int
) -> tuple[list[int], list[list[int]]] | tuple[None, None]:
    cap = (1 << (hi + 1)) - 1
    window = _window(lo, hi)
    sets = [0] * len(weights)
    prefixes: list[list[int]] = [[] for _ in weights]
    for v in reversed(order):
        acc = 1 << weights[v]
        before = prefixes[v]
        for c in children[v]:
            before.append(acc)
            child = sets[c]
            merged = _sumset(acc, child, cap)
            if child & window:  # the child's part may close here, leaving acc as it was
                merged |= acc
            acc = merged
            if not acc:
                return None, None
        sets[v] = acc
    return sets, prefixes


def _sumset(a: int, b: int, cap: int) -> int:
    """{x + y : x in a, y in b} ∩ [0, cap], for int bitsets; loops over the sparser one."""
    if a.bit_count() > b.bit_count():
        a, b = b, a
    out = 0
    while a:
        low = a & -a
        out |= b << (low.bit_length() - 1)
        a ^= low
    return out & cap


def _choose_cuts(
    weights: Sequence[int],
    children: list[list[int]],
    order: Sequence[int],
    sets: list[int],
    prefixes: list[list[int]],
    window: int,
    strict_window: int,
    target: int,
) -> list[int]:
    labels = [-1] * len(weights)
    need = [0] * len(weights)
    root = order[0]
    need[root] = _nearest(sets[root] & strict_window or sets[root] & window, target)
    labels[root] = 0
    count = 1
    for v in order:  # parents before children
        r = need[v]
        kids = children[v]
        for j in range(len(kids) - 1, -1, -1):
            c = kids[j]
            before, child = prefixes[v][j], sets[c]
            can_cut = (before >> r) & 1
            merge = _merge_value(child, before, r)
            if can_cut and (child & strict_window or merge is None):
                need[c] = _nearest(child & strict_window or child & window, target)
                labels[c] = count
                count += 1
            else:
                need[c] = merge
                labels[c] = labels[v]
                r -= merge
    return labels


def _merge_value(child: int, before: int, r: int) -> int | None:
    """The largest x in `child` with r - x in `before` (merge as much of the child as fits)."""
    candidates = child & ((1 << (r + 1)) - 1)
    while candidates:
        x = candidates.bit_length() - 1
        if (before >> (r - x)) & 1:
            return x
        candidates ^= 1 << x
    return None


def _nearest(bits: int, target: int) -> int:
    """The member of a non-empty bitset nearest to target (ties go down: fewer households)."""
    above = bits >> target
    up = target + (above & -above).bit_length() - 1 if above else None
    below = bits & ((1 << (target + 1)) - 1)
    down = below.bit_length() - 1 if below else None
    if up is None:
        return down
    if down is None or up - target < target - down:
        return up
    return down


def split_run(values: Sequence[int], lo: int, hi: int, *, target: int) -> list[int]:
    """Labels cutting a sequence (stairwells along a building) into consecutive runs within
    [lo, hi], relaxing the bounds step by step when they cannot hold."""
    parent = [-1] + list(range(len(values) - 1))
    order = list(range(len(values)))
    for low, high in relaxations(lo, hi, max(values, default=0)):
        labels = partition_tree(values, parent, order, low, high, target=target, strict=(lo, hi))
        if labels is not None:
            return labels
    raise AssertionError("the loosest bounds always admit one part per value")


def relaxations(lo: int, hi: int, heaviest: int) -> list[tuple[int, int]]:
    """Bounds to try in turn: the real ones, then ever looser, ending with bounds any cut meets."""
    steps = [(lo, hi)]
    for delta in (25, 50, 100, 200, 400):
        steps.append((max(0, lo - delta), hi + delta))
    steps.append((0, max(hi, heaviest) + max(hi, heaviest)))
    return steps
