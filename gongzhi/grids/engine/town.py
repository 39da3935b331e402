"""A deterministic synthetic subdistrict for tests, the benchmark and the demo.

It mimics what the seed articles describe around Shanghai: neighborhoods of high-rise compounds
(towers of 80–400 households, a few above 500 with stairwell counts), old lane-house (里弄)
compounds of small houses (5–40 households) packed along alleys, six-storey walk-up estates, and a
few small villages far from the rest that cannot reach 300 households. Compounds inside a
neighborhood are separated by internal roads, which the generator returns as barrier lines;
neighborhoods are separated by wider roads. The same seed always gives the same town.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely import LineString, box
from shapely.geometry.base import BaseGeometry

from .model import Building

ORIGIN = (121.42, 31.33)  # near 杨行镇, Baoshan, Shanghai
METRES_PER_DEGREE = 111_195.0

# kind: (buildings per neighborhood, buildings per compound, footprint w×h, pitch x×y, households)
KINDS = {
    "towers": ((20, 45), (8, 18), (22, 16), (38, 34), (80, 400)),
    "lanes": ((120, 320), (40, 90), (9, 12), (12, 15), (5, 40)),
    "walkups": ((30, 70), (12, 24), (48, 12), (58, 30), (24, 96)),
    "village": ((3, 8), (3, 8), (12, 10), (40, 36), (5, 30)),
}
KIND_WEIGHTS = {"towers": 0.45, "lanes": 0.25, "walkups": 0.25, "village": 0.05}
ROAD_M = 22  # an internal road: buildings across it are within the 30 m gap, the road cuts them
NEIGHBORHOOD_GAP_M = 60


@dataclass(frozen=True)
class Town:
    buildings: list[Building]
    barriers: list[BaseGeometry]  # roads between compounds, WGS84 lines

    @property
    def households(self) -> int:
        return sum(b.households for b in self.buildings)


def generate_town(n_buildings: int, seed: int = 0, *, mean_households: float | None = None) -> Town:
    """`n_buildings` buildings in neighborhoods named N001…; with `mean_households` the counts are
    rescaled so the town holds about n × mean households (the benchmark's 20,000 → 1,000,000)."""
    rng = np.random.default_rng(seed)
    rects, barriers = [], []  # rects: (x0, y0, x1, y1, households, neighborhood, stairwells)
    placer = _ShelfPlacer(width=math.sqrt(max(n_buildings, 1)) * 45)
    number = 0
    while len(rects) < n_buildings:
        number += 1
        kind = rng.choice(list(KIND_WEIGHTS), p=list(KIND_WEIGHTS.values()))
        count = min(int(rng.integers(*KINDS[kind][0], endpoint=True)), n_buildings - len(rects))
        hood_rects, hood_roads, (w, h) = _neighborhood(rng, str(kind), count, f"N{number:03d}")
        dx, dy = placer.place(w, h)
        rects.extend((x0 + dx, y0 + dy, x1 + dx, y1 + dy, *rest) for x0, y0, x1, y1, *rest in hood_rects)
        barriers.extend([(ax + dx, ay + dy), (bx + dx, by + dy)] for (ax, ay), (bx, by) in hood_roads)
    if mean_households:
        rects = _rescale(rects, mean_households * len(rects))
    buildings = [
        Building(f"B{k:05d}", _to_lonlat_box(x0, y0, x1, y1), hh, hood, stairs)
        for k, (x0, y0, x1, y1, hh, hood, stairs) in enumerate(rects)
    ]
    lines = [LineString([_to_lonlat(*a), _to_lonlat(*b)]) for a, b in barriers]
    return Town(buildings, lines)


def _neighborhood(rng: np.random.Generator, kind: str, count: int, name: str):
    """Buildings of one neighborhood laid out compound by compound, with a road between
    compounds; returns rects, road segments and the bounding size."""
    _, per_compound, (fw, fh), (px, py), _ = KINDS[kind]
    rects, roads = [], []
    x = 0.0
    height = 0.0
    placed = 0
    while placed < count:
        size = min(int(rng.integers(*per_compound, endpoint=True)), count - placed)
        cols = max(1, round(math.sqrt(size * py / px)))
        rows = math.ceil(size / cols)
        for k in range(size):
            r, c = divmod(k, cols)
            jx, jy = rng.uniform(-2, 2, 2)
            x0, y0 = x + c * px + jx, r * py + jy
            rects.append((x0, y0, x0 + fw, y0 + fh, *_households(rng, kind), name))
        placed += size
        x += (cols - 1) * px + fw
        height = max(height, (rows - 1) * py + fh)
        if placed < count:
            roads.append(((x + ROAD_M / 2, -10.0), (x + ROAD_M / 2, 10.0 + rows * py)))
            x += ROAD_M
    if kind == "towers" and rng.random() < 0.5 and rects:
        # a lone tower across a field: an island in its own neighborhood
        rects[-1] = (x + 80, 0.0, x + 80 + fw, fh, *rects[-1][4:])
        x += 80 + fw
    rects = [(x0, y0, x1, y1, hh, name, stairs) for x0, y0, x1, y1, hh, stairs, name in rects]
    return rects, roads, (x, height)


def _households(rng: np.random.Generator, kind: str) -> tuple[int, tuple[int, ...] | None]:
    lo, hi = KINDS[kind][4]
    if kind == "towers" and rng.random() < 0.05:
        total = int(rng.integers(520, 900))  # a super-tall block above any grid's ceiling
        if rng.random() < 0.5:
            return total, _stairwells(rng, total)
        return total, None
    return int(rng.integers(lo, hi, endpoint=True)), None


def _stairwells(rng: np.random.Generator, total: int) -> tuple[int, ...]:
    n = int(rng.integers(4, 9))
    shares = rng.multinomial(total - n * 20, np.full(n, 1 / n)) + 20
    return tuple(int(s) for s in shares)


def _rescale(rects: list, wanted: float) -> list:
    """Scale ordinary buildings' counts so the town totals about `wanted` households; buildings
    with stairwell data keep theirs (their stairwells must still add up)."""
    fixed = sum(r[4] for r in rects if r[6])
    scalable = sum(r[4] for r in rects if not r[6]) or 1
    factor = max(wanted - fixed, 0) / scalable
    return [r if r[6] else (*r[:4], max(1, round(r[4] * factor)), *r[5:]) for r in rects]


class _ShelfPlacer:
    """Packs neighborhood rectangles in rows (shelves) of a given width, a road between each."""

    def __init__(self, width: float) -> None:
        self.width, self.x, self.y, self.row_height = width, 0.0, 0.0, 0.0

    def place(self, w: float, h: float) -> tuple[float, float]:
        if self.x > 0 and self.x + w > self.width:
            self.x, self.y, self.row_height = 0.0, self.y + self.row_height + NEIGHBORHOOD_GAP_M, 0.0
        spot = (self.x, self.y)
        self.x += w + NEIGHBORHOOD_GAP_M
        self.row_height = max(self.row_height, h)
        return spot


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon0, lat0 = ORIGIN
    return (
        lon0 + x / (METRES_PER_DEGREE * math.cos(math.radians(lat0))),
        lat0 + y / METRES_PER_DEGREE,
    )


def _to_lonlat_box(x0: float, y0: float, x1: float, y1: float):
    (a, b), (c, d) = _to_lonlat(x0, y0), _to_lonlat(x1, y1)
    return box(a, b, c, d)
