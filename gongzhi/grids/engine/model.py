"""The engine's value types: what goes in (buildings) and what comes out (grids, a result).

A *unit* is what the partitioner places: a whole building, or a run of stairwells of a building
that was split because it holds more households than one grid may. A whole building's unit key is
its id; a part's key is ``"<id>#<first>-<last>"`` (1-based stairwell numbers), so the CSV and a
later redraw name the same piece the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

OVERSIZE = "oversize"
UNDERSIZE = "undersize"
SPLIT = "split"
CONSTRAINED = "constrained"
FLAGS = (OVERSIZE, UNDERSIZE, SPLIT, CONSTRAINED)


class GridInputError(ValueError):
    """Input the engine cannot draw from; the message names the feature or row at fault."""


@dataclass(frozen=True)
class Building:
    id: str
    footprint: BaseGeometry  # Polygon or MultiPolygon in WGS84 lon/lat
    households: int
    neighborhood: str
    stairwells: tuple[int, ...] | None = None  # households per stairwell, when known


@dataclass(frozen=True)
class Grid:
    id: str
    neighborhood: str
    units: tuple[str, ...]  # unit keys: building ids, or "<id>#a-b" for stairwell parts
    households: int
    compactness: float  # Polsby–Popper of the convex hull of the grid's footprints
    flags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    unavoidable: bool = False  # the breach of bounds is proven: no grid drawing could avoid it

    @property
    def building_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(unit_building(u) for u in self.units))


@dataclass(frozen=True)
class Stability:
    households_moved: int  # households of units present before and now whose grid changed
    households_compared: int  # households of units present before and now
    grids_unchanged: int  # grids with the same name and the same units as before
    grids_changed: int  # grids new, renamed or holding other units than before


@dataclass(frozen=True)
class ExactRun:
    """One group the heuristic left out of bounds, handed to the exact search (`milp`)."""

    buildings: int
    households: int
    outcome: str  # "found" (a partition within bounds), "infeasible" (proven none), "budget"
    seconds: float


@dataclass
class Result:
    grids: list[Grid]
    assignment: dict[str, str]  # unit key -> grid id
    seconds: float
    min_households: int
    max_households: int
    gap_m: float
    stability: Stability | None = None
    timings: dict[str, float] = field(default_factory=dict)
    exact: list[ExactRun] = field(default_factory=list)

    def grid_of(self, building_id: str) -> list[str]:
        """The grid(s) of a building: one, or one per stairwell part of a split building."""
        return [g for u, g in self.assignment.items() if unit_building(u) == building_id]

    def within_bounds(self, grid: Grid) -> bool:
        return self.min_households <= grid.households <= self.max_households


def unit_key(building_id: str, first: int | None = None, last: int | None = None) -> str:
    return building_id if first is None else f"{building_id}#{first}-{last}"


def unit_building(key: str) -> str:
    """The building id of a unit key (a building id may itself hold '#', so split on the last)."""
    head, sep, tail = key.rpartition("#")
    if sep and _is_range(tail):
        return head
    return key


def unit_stairwells(key: str) -> str:
    """'a-b' for a stairwell part, '' for a whole building."""
    head, sep, tail = key.rpartition("#")
    return tail if sep and _is_range(tail) else ""


def _is_range(text: str) -> bool:
    first, dash, last = text.partition("-")
    return bool(dash) and first.isdigit() and last.isdigit()
