"""The engine's inputs and outputs (volunteers, posts, shifts, needs, rules, plans) and the
prepared problem: distances, shift conflicts, who may fill what. No Django."""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

EARTH_RADIUS_M = 6_371_000.0
# Leaving a place empty costs more than any travel could: coverage always comes first.
UNCOVERED_COST = 1e9
# Each place considers this many of the nearest fitting volunteers per person it needs, plus a
# margin: more than a matching usually reaches for. Places left open while fitting volunteers
# are still free get another round (`_fill_shift_fully`).
CANDIDATES_PER_PLACE = 4
CANDIDATE_MARGIN = 30


@dataclass(frozen=True)
class Volunteer:
    id: int
    lat: float
    lon: float
    skills: frozenset[str] = frozenset()
    max_shifts: int = 2
    # The shift ids this volunteer can work; None when they have not limited themselves.
    available: frozenset[int] | None = None


@dataclass(frozen=True)
class Post:
    id: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Shift:
    """A time window in minutes from any fixed origin; `end` is exclusive."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class Need:
    post_id: int
    shift_id: int
    count: int
    skill: str | None = None


@dataclass(frozen=True)
class Rules:
    min_rest_minutes: int = 8 * 60
    extra_shift_penalty_m: float = 3_000.0


# The rules a caller gives none of (a frozen value, safe to share as a default).
DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Placement:
    volunteer_id: int
    post_id: int
    shift_id: int
    skill: str | None = None


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)

    def filled(self) -> Counter:
        """How many places of each (post, shift, skill) are filled."""
        return Counter((p.post_id, p.shift_id, p.skill) for p in self.placements)

    def shifts_of(self, volunteer_id: int) -> list[int]:
        return [p.shift_id for p in self.placements if p.volunteer_id == volunteer_id]


@dataclass(frozen=True)
class Cost:
    uncovered: int
    travel_m: float
    extra_shifts: int

    def total(self, rules: Rules) -> float:
        return (
            self.uncovered * UNCOVERED_COST + self.travel_m + self.extra_shifts * rules.extra_shift_penalty_m
        )


@dataclass
class _Problem:
    """The inputs as arrays, indexed by position rather than id."""

    volunteers: list[Volunteer]
    posts: list[Post]
    shifts: list[Shift]
    needs: list[Need]
    rules: Rules
    distance: np.ndarray = field(init=False)  # volunteers × posts, metres
    conflict: np.ndarray = field(init=False)  # shifts × shifts, True when one person cannot do both
    post_index: dict[int, int] = field(init=False)
    shift_index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.post_index = {p.id: i for i, p in enumerate(self.posts)}
        self.shift_index = {s.id: i for i, s in enumerate(self.shifts)}
        self.distance = distances_m(self.volunteers, self.posts)
        self.conflict = shift_conflicts(self.shifts, self.rules.min_rest_minutes)
        self.available = np.ones((len(self.volunteers), len(self.shifts)), dtype=bool)
        for i, v in enumerate(self.volunteers):
            if v.available is not None:
                self.available[i] = [s.id in v.available for s in self.shifts]
        self.cap = np.array([v.max_shifts for v in self.volunteers], dtype=int)
        self._skill_masks: dict[str | None, np.ndarray] = {}

    def has_skill(self, skill: str | None) -> np.ndarray:
        if skill not in self._skill_masks:
            fits = (skill is None or skill in v.skills for v in self.volunteers)
            self._skill_masks[skill] = np.fromiter(fits, bool, len(self.volunteers))
        return self._skill_masks[skill]


def distances_m(volunteers: list[Volunteer], posts: list[Post]) -> np.ndarray:
    """Equirectangular distance: exact enough inside one subdistrict, and fast."""
    vlat = np.radians([v.lat for v in volunteers])[:, None]
    vlon = np.radians([v.lon for v in volunteers])[:, None]
    plat = np.radians([p.lat for p in posts])[None, :]
    plon = np.radians([p.lon for p in posts])[None, :]
    x = (plon - vlon) * np.cos((vlat + plat) / 2)
    return EARTH_RADIUS_M * np.hypot(x, plat - vlat)


def shift_conflicts(shifts: list[Shift], min_rest_minutes: int) -> np.ndarray:
    """Two shifts conflict when they overlap or the rest between them is too short."""
    start = np.array([s.start for s in shifts])[:, None]
    end = np.array([s.end for s in shifts])[:, None]
    apart = (start.T >= end + min_rest_minutes) | (start >= end.T + min_rest_minutes)
    return ~apart


def _validate(volunteers, posts, shifts, needs) -> None:
    post_ids = {p.id for p in posts}
    shift_ids = {s.id for s in shifts}
    for need in needs:
        if need.post_id not in post_ids or need.shift_id not in shift_ids:
            raise ValueError(f"need {need} names an unknown post or shift")
        if need.count < 0:
            raise ValueError(f"need {need} has a negative count")
    if len({v.id for v in volunteers}) != len(volunteers):
        raise ValueError("volunteer ids repeat")
    for s in shifts:
        if s.end <= s.start:
            raise ValueError(f"shift {s.id} ends before it starts")
