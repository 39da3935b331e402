"""Reading GeoJSON and assignment CSVs, writing the assignment and its report.

Reading validates everything first and raises GridInputError naming the feature (index and id)
or row at fault; writing happens only after a drawing succeeded, through temporary files renamed
into place, so bad input never leaves a half-written output behind.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import shapely
import shapely.geometry
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gongzhi.core import sheets

from .model import Building, GridInputError, Result, unit_building, unit_key, unit_stairwells

POLYGONS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")


def load_geojson(path: str | Path) -> list[Building]:
    """Buildings from a FeatureCollection of Polygon/MultiPolygon features in WGS84 whose
    properties hold `id` (string), `households` (integer ≥ 0), `neighborhood` (string) and
    optionally `stairwells` (households per stairwell, adding up to `households`)."""
    features = _features(path)
    buildings, seen = [], {}
    for index, feature in enumerate(features):
        building = _building(index, feature)
        if building.id in seen:
            raise GridInputError(f"要素 #{index} (id={building.id!r})：id 与要素 #{seen[building.id]} 重复")
        seen[building.id] = index
        buildings.append(building)
    return buildings


def load_barriers(path: str | Path) -> list[BaseGeometry]:
    """Barrier lines (roads, rivers) from GeoJSON; a polygon (a river's water area) counts by its
    outline."""
    lines = []
    for index, feature in enumerate(_features(path)):
        geometry = _geometry(index, feature, None, LINES)
        lines.append(geometry.boundary if geometry.geom_type in POLYGONS else geometry)
    return lines


def _features(path: str | Path) -> list:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise GridInputError(f"无法读取 {path}：{error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GridInputError(f"{path} 不是有效的 GeoJSON：{error}") from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GridInputError(f"{path} 不是 GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise GridInputError(f"{path} 的 features 不是列表")
    return features


def _building(index: int, feature) -> Building:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GridInputError(f"要素 #{index}：不是 GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise GridInputError(f"要素 #{index}：缺少 properties")
    fid = props.get("id")
    if not isinstance(fid, str) or not fid.strip():
        raise GridInputError(f"要素 #{index} (id={fid!r})：属性 id 必须是非空字符串")
    where = f"要素 #{index} (id={fid!r})"
    households = props.get("households")
    if "households" not in props:
        raise GridInputError(f"{where}：缺少属性 households")
    if not _is_int(households) or households < 0:
        raise GridInputError(f"{where}：households 必须是不小于 0 的整数，而不是 {households!r}")
    neighborhood = props.get("neighborhood")
    if not isinstance(neighborhood, str) or not neighborhood.strip():
        raise GridInputError(f"{where}：缺少属性 neighborhood（非空字符串）")
    stairwells = _stairwells(where, props.get("stairwells"), households)
    footprint = _geometry(index, feature, fid, POLYGONS)
    return Building(fid, footprint, int(households), neighborhood, stairwells)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stairwells(where: str, value, households: int) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(_is_int(v) and v >= 0 for v in value):
        raise GridInputError(f"{where}：stairwells 必须是各楼道户数（不小于 0 的整数）的列表")
    if sum(value) != households:
        raise GridInputError(f"{where}：stairwells 合计 {sum(value)} 户，与 households {households} 不符")
    return tuple(value)


def _geometry(index: int, feature, fid, kinds: tuple[str, ...]) -> BaseGeometry:
    where = f"要素 #{index}" + (f" (id={fid!r})" if fid is not None else "")
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(raw, dict) or raw.get("type") not in kinds:
        kind = raw.get("type") if isinstance(raw, dict) else None
        raise GridInputError(f"{where}：几何类型必须是 {'/'.join(kinds)}，而不是 {kind}")
    try:
        geometry = shape(raw)
    except Exception as error:  # shapely raises several types for malformed coordinates
        raise GridInputError(f"{where}：几何坐标损坏（{error}）") from error
    if geometry.is_empty:
        raise GridInputError(f"{where}：几何为空")
    if not geometry.is_valid:
        raise GridInputError(f"{where}：几何无效（{shapely.is_valid_reason(geometry)}）")
    xmin, ymin, xmax, ymax = geometry.bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise GridInputError(f"{where}：坐标超出 WGS84 经纬度范围，请使用经纬度（EPSG:4326）")
    return geometry


def to_geojson(buildings: list[Building]) -> dict:
    """Buildings as a FeatureCollection load_geojson reads back (for fixtures and the demo)."""
    features = []
    for b in buildings:
        props = {"id": b.id, "households": b.households, "neighborhood": b.neighborhood}
        if b.stairwells:
            props["stairwells"] = list(b.stairwells)
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(b.footprint)}
        )
    return {"type": "FeatureCollection", "features": features}


def lines_to_geojson(lines: list[BaseGeometry]) -> dict:
    features = [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)} for g in lines]
    return {"type": "FeatureCollection", "features": features}


def read_assignment(path: str | Path) -> dict[str, str]:
    """A previous assignment CSV (`id,grid[,stairwells]`) as unit key -> grid name."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise GridInputError(f"无法读取 {path}：{error.strerror or error}") from error
    previous: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        building, grid = (row.get("id") or "").strip(), (row.get("grid") or "").strip()
        if not building or not grid:
            raise GridInputError(f"{path} 第 {number} 行：需要 id 和 grid 两列")
        run = (row.get("stairwells") or "").strip()
        key = unit_key(building, *run.split("-")) if run else building
        if key in previous:
            raise GridInputError(f"{path} 第 {number} 行：{key} 重复")
        previous[key] = grid
    return previous


def write_assignment(result: Result, buildings: list[Building], path: str | Path) -> None:
    """CSV `id,grid`: one row per building in input order. Only when a building was split by
    stairwell does a third column `stairwells` appear, with one row per part (`a-b`, 1-based),
    so the plain format stays exactly `id,grid` for every input without stairwell data."""
    units_of: dict[str, list[str]] = {}
    for unit in result.assignment:
        units_of.setdefault(unit_building(unit), []).append(unit)
    split = any(len(units) > 1 for units in units_of.values())
    rows = [("id", "grid", "stairwells") if split else ("id", "grid")]
    for b in buildings:
        for unit in units_of[b.id]:
            row = (b.id, result.assignment[unit])
            rows.append((*row, unit_stairwells(unit)) if split else row)
    with _atomic(path) as handle:
        sheets.csv_writer(handle, lineterminator="\n").writerows(rows)


def report(result: Result) -> dict:
    """The report as plain data: totals, stability, and each grid with its flags and reasons."""
    grids = result.grids
    within = sum(result.within_bounds(g) for g in grids)
    unavoidable = sum(g.unavoidable and not result.within_bounds(g) for g in grids)
    return {
        "min_households": result.min_households,
        "max_households": result.max_households,
        "gap_m": result.gap_m,
        "seconds": round(result.seconds, 4),
        "totals": {
            "grids": len(grids),
            "buildings": len({unit_building(u) for u in result.assignment}),
            "households": sum(g.households for g in grids),
            "grids_within_bounds": within,
            "share_within_bounds": round(within / len(grids), 4) if grids else 1.0,
            "grids_out_of_bounds_unavoidable": unavoidable,
            "share_within_bounds_where_feasible": round(within / (len(grids) - unavoidable), 4)
            if len(grids) > unavoidable
            else 1.0,
            "mean_compactness": round(sum(g.compactness for g in grids) / len(grids), 4) if grids else None,
            "flags": dict(Counter(f for g in grids for f in g.flags)),
        },
        "stability": None if result.stability is None else vars(result.stability),
        "exact": {
            "groups": len(result.exact),
            "outcomes": dict(Counter(run.outcome for run in result.exact)),
            "seconds": round(sum(run.seconds for run in result.exact), 4),
            "runs": [vars(run) | {"seconds": round(run.seconds, 4)} for run in result.exact],
        },
        "grids": [
            {
                "id": g.id,
                "neighborhood": g.neighborhood,
                "households": g.households,
                "buildings": len(g.building_ids),
                "units": list(g.units),
                "compactness": g.compactness,
                "within_bounds": result.within_bounds(g),
                "flags": list(g.flags),
                "reasons": list(g.reasons),
                "unavoidable": g.unavoidable,
            }
            for g in grids
        ],
    }


def write_report(result: Result, path: str | Path) -> None:
    with _atomic(path) as handle:
        json.dump(report(result), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


class _atomic:
    """Write to a temporary file beside `path`, rename it into place only when writing worked."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __enter__(self):
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.handle

    def __exit__(self, kind, value, traceback) -> None:
        self.handle.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
