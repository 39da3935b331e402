"""Exact search for a partition of a small graph into connected parts within [lo, hi].

Used by the repair step on a handful of towers, where a spanning tree is too blunt: a grid there
is one to three towers, and which towers pair up is a small combinatorial question. The search
takes the lowest unplaced node, tries each connected set around it whose sum fits (nearest the
target first), and prunes when a leftover piece can no longer reach `lo`. A step budget keeps a
hopeless case from running long: it then raises SearchBudgetExceeded, while None is a proof
that no partition exists.
"""

from __future__ import annotations

from collections.abc import Sequence


class SearchBudgetExceeded(Exception):
    """The search gave up before deciding: neither a partition nor a proof that none exists."""


def exact_partition(
    weights: Sequence[int],
    adjacency: Sequence[Sequence[int]],
    lo: int,
    hi: int,
    *,
    target: int,
    budget: int = 2_000,
) -> list[int] | None:
    n = len(weights)
    masks = [sum(1 << u for u in adjacency[v]) for v in range(n)]
    state = {"steps": budget, "failed": set()}
    parts = _place(((1 << n) - 1), weights, masks, lo, hi, target, state)
    if parts is None:
        return None
    labels = [0] * n
    for label, part in enumerate(parts):
        for v in _bits(part):
            labels[v] = label
    return labels


def _place(free: int, weights, masks, lo, hi, target, state) -> list[int] | None:
    if not free:
        return []
    if free in state["failed"]:
        return None
    start = (free & -free).bit_length() - 1
    options = sorted(
        _connected_sets(start, free, weights, masks, hi, state), key=lambda s: abs(s[1] - target)
    )
    for part, total in options:
        if total < lo:
            continue
        rest = free & ~part
        if not _pieces_can_fill(rest, weights, masks, lo):
            continue
        tail = _place(rest, weights, masks, lo, hi, target, state)
        if tail is not None:
            return [part, *tail]
    state["failed"].add(free)
    return None


def _connected_sets(start: int, free: int, weights, masks, hi: int, state):
    """Connected subsets of `free` that contain `start` and weigh at most `hi` (each once)."""
    seen = set()
    stack = [(1 << start, weights[start])]
    while stack:
        part, total = stack.pop()
        if part in seen:
            continue
        seen.add(part)
        state["steps"] -= 1
        if state["steps"] < 0:
            raise SearchBudgetExceeded
        yield part, total
        frontier = 0
        for v in _bits(part):
            frontier |= masks[v]
        frontier &= free & ~part
        for u in _bits(frontier):
            if total + weights[u] <= hi:
                stack.append((part | 1 << u, total + weights[u]))


def _pieces_can_fill(free: int, weights, masks, lo: int) -> bool:
    """Every connected piece of what is left must weigh at least `lo`, or it can never close."""
    while free:
        seed = free & -free
        piece, grow = seed, seed
        while grow:
            nxt = 0
            for v in _bits(grow):
                nxt |= masks[v]
            grow = nxt & free & ~piece
            piece |= grow
        if sum(weights[v] for v in _bits(piece)) < lo:
            return False
        free &= ~piece
    return True


def _bits(mask: int):
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
