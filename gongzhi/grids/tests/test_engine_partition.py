"""The tree cutter and the exact search: parts within bounds exactly when a cut exists."""

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.grids.engine.exact import exact_partition
from gongzhi.grids.engine.partition import partition_tree, split_run


def _sums(weights, labels):
    out = {}
    for w, label in zip(weights, labels, strict=True):
        out[label] = out.get(label, 0) + w
    return sorted(out.values())


def _path_feasible(weights, lo, hi) -> bool:
    """Brute force over every set of cut positions of a path."""
    for cuts in product((0, 1), repeat=len(weights) - 1):
        sums, run = [], weights[0]
        for w, cut in zip(weights[1:], cuts, strict=True):
            if cut:
                sums.append(run)
                run = 0
            run += w
        sums.append(run)
        if all(lo <= s <= hi for s in sums):
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(weights=st.lists(st.integers(0, 300), min_size=1, max_size=10))
def test_a_path_is_cut_within_bounds_exactly_when_brute_force_finds_a_cut(weights):
    parent = [-1, *range(len(weights) - 1)]
    labels = partition_tree(weights, parent, list(range(len(weights))), 300, 500, target=400)
    assert (labels is not None) == _path_feasible(weights, 300, 500)
    if labels is not None:
        assert all(300 <= s <= 500 for s in _sums(weights, labels))
        # parts of a path are runs: a label never comes back once left
        seen = []
        for label in labels:
            if not seen or seen[-1] != label:
                assert label not in seen
                seen.append(label)


def test_a_star_of_towers_around_a_heavy_core_cannot_be_cut():
    weights = [450, 80, 80, 80]  # each leaf must join the core: 530 > 500
    assert partition_tree(weights, [-1, 0, 0, 0], [0, 1, 2, 3], 300, 500, target=400) is None


def test_many_small_houses_are_cut_near_the_target():
    weights = [20] * 200
    labels = partition_tree(weights, [-1, *range(199)], list(range(200)), 300, 500, target=400)
    assert _sums(weights, labels) == [400] * 10


def test_stairwells_split_into_consecutive_runs_and_a_too_big_stairwell_stands_alone():
    assert split_run([200, 206, 203, 203], 300, 500, target=400) == [0, 0, 1, 1]
    labels = split_run([150, 180, 700, 200, 210], 300, 500, target=400)
    assert labels[2] not in (labels[1], labels[3])


@settings(max_examples=60, deadline=None)
@given(weights=st.lists(st.integers(50, 400), min_size=1, max_size=7), ring=st.booleans())
def test_exact_search_agrees_with_brute_force_on_a_cycle_or_path(weights, ring):
    n = len(weights)
    adjacency = [[u for u in (v - 1, v + 1) if 0 <= u < n] for v in range(n)]
    if ring and n > 2:
        adjacency[0].append(n - 1)
        adjacency[n - 1].append(0)
    labels = exact_partition(weights, adjacency, 300, 500, target=400)
    rotations = range(n) if ring and n > 2 else [0]
    feasible = any(_path_feasible(weights[r:] + weights[:r], 300, 500) for r in rotations)
    assert (labels is not None) == feasible
