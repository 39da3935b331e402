"""Units of a plan: a whole building ("12"), or a run of its stairwells ("12#2-3", 1-based, in
the building's stairwell order) when the building is split between grids.

A plan's `previous` and `proposed` map unit keys to grid codes. Comparing two plans' units, or a
plan with the grids now, goes through `per_stairwell`: each building as a list of codes, one per
stairwell (one code for a building without stairwells), so "12" → A and "12#1-2" → A,
"12#3-3" → B compare stairwell by stairwell. `compress` turns such lists back into unit keys:
the whole building when every stairwell has the same grid, else runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from gongzhi.grids.engine.model import unit_building, unit_key, unit_stairwells


def stairwell_range(key: str) -> tuple[int, int] | None:
    """(first, last), 1-based, of a stairwell unit; None for a whole building."""
    tail = unit_stairwells(key)
    if not tail:
        return None
    first, _, last = tail.partition("-")
    return int(first), int(last)


def per_stairwell(mapping: Mapping[str, str], counts: Mapping[str, int]) -> dict[str, list[str]]:
    """Building key → grid code per stairwell (`counts[building]` stairwells, at least one)."""
    out: dict[str, list[str]] = {}
    for key, code in mapping.items():
        building = unit_building(key)
        size = max(1, counts.get(building, 1))
        codes = out.setdefault(building, [""] * size)
        span = stairwell_range(key)
        first, last = span if span else (1, size)
        for index in range(first - 1, min(last, size)):
            codes[index] = code or ""
    return out


def compress(codes_by_building: Mapping[str, list[str]]) -> dict[str, str]:
    """Unit key → code: the building when all its stairwells share a grid, else runs."""
    out: dict[str, str] = {}
    for building, codes in codes_by_building.items():
        if len(set(codes)) <= 1:
            out[building] = codes[0] if codes else ""
            continue
        start = 0
        for index in range(1, len(codes) + 1):
            if index == len(codes) or codes[index] != codes[start]:
                out[unit_key(building, start + 1, index)] = codes[start]
                start = index
    return out


def unit_households(key: str, households: int, stairwell_households: list[int] | None) -> int:
    """Households of a unit: the building's, or the sum over its stairwells."""
    span = stairwell_range(key)
    if span is None or not stairwell_households:
        return households
    return sum(stairwell_households[span[0] - 1 : span[1]])


def grid_members(mapping: Mapping[str, str]) -> dict[str, set[str]]:
    """Grid code → building keys with at least one stairwell in it."""
    members: dict[str, set[str]] = defaultdict(set)
    for key, code in mapping.items():
        if code:
            members[code].add(unit_building(key))
    return members
