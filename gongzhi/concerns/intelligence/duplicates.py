"""Likely duplicates of a new concern among open ones: similar words, same place, recent.

A pure function: the platform passes the open concerns it may show (already scoped), this
ranks them. Place first: the same building or within `radius_m`; a candidate with no known
place on either side needs clearly more similar text to be offered.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .segmentation import segment
from .similarity import cosine, weighted_bag

DEFAULT_MAX_DAYS = 30
DEFAULT_RADIUS_M = 300.0
DEFAULT_MIN_SCORE = 0.35
# Multipliers on text similarity by how sure we are it is the same place.
SAME_BUILDING = 1.0
NEARBY = 0.9
PLACE_UNKNOWN = 0.75


@dataclass(frozen=True)
class ConcernText:
    id: str
    text: str
    time: datetime | None = None
    building_id: str | None = None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class DuplicateMatch:
    id: str
    score: float
    text_similarity: float
    same_building: bool
    distance_m: float | None
    days_apart: float | None


def find_duplicates(
    new: ConcernText,
    candidates: Sequence[ConcernText],
    *,
    max_days: float = DEFAULT_MAX_DAYS,
    radius_m: float = DEFAULT_RADIUS_M,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int = 5,
    idf: Mapping[str, float] | None = None,
) -> list[DuplicateMatch]:
    """Candidates that `new` probably repeats, best first, with a score in 0..1."""
    bag = weighted_bag(segment(new.text), idf)
    matches = []
    for other in candidates:
        if other.id == new.id:
            continue
        match = _match(new, bag, other, max_days=max_days, radius_m=radius_m, idf=idf)
        if match and match.score >= min_score:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.id))
    return matches[:limit]


def _match(
    new: ConcernText,
    bag: Mapping[str, float],
    other: ConcernText,
    *,
    max_days: float,
    radius_m: float,
    idf: Mapping[str, float] | None,
) -> DuplicateMatch | None:
    days = abs((new.time - other.time).total_seconds()) / 86400 if new.time and other.time else None
    if days is not None and days > max_days:
        return None
    same_building = bool(new.building_id) and new.building_id == other.building_id
    distance = _distance_m(new, other)
    place_known = bool(new.building_id and other.building_id) or distance is not None
    if same_building:
        factor = SAME_BUILDING
    elif distance is not None and distance <= radius_m:
        factor = NEARBY
    elif place_known:
        return None  # known to be elsewhere: not the same matter
    else:
        factor = PLACE_UNKNOWN
    similarity = cosine(bag, weighted_bag(segment(other.text), idf))
    # Older candidates fade a little, so of two equal texts the fresher is offered first.
    freshness = 1.0 - 0.2 * (days / max_days) if days is not None and max_days else 1.0
    return DuplicateMatch(
        id=other.id,
        score=round(similarity * factor * freshness, 4),
        text_similarity=round(similarity, 4),
        same_building=same_building,
        distance_m=None if distance is None else round(distance, 1),
        days_apart=None if days is None else round(days, 2),
    )


def _distance_m(a: ConcernText, b: ConcernText) -> float | None:
    if None in (a.lon, a.lat, b.lon, b.lat):
        return None
    return haversine_m(a.lon, a.lat, b.lon, b.lat)  # type: ignore[arg-type]


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (WGS84 degrees in)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))
