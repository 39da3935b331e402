"""Reading a map exported from the district's GIS: GeoJSON buildings (polygons with an address)
and cut lines (roads, rivers, walls), converted to WGS84. Pure parsing: no database; bad input
raises a ValidationError naming the feature and why, before anything is written."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from gongzhi.core.coords import CRS, to_wgs84

ADDRESS_KEYS = ("address", "地址", "addr", "name", "名称")
KIND_KEYS = ("kind", "type", "类型")
KINDS = {"road": "road", "道路": "road", "路": "road", "river": "river", "河": "river", "河流": "river",
         "wall": "wall", "围墙": "wall", "墙": "wall"}  # fmt: skip
MAX_FEATURES = 50_000


@dataclass
class MapFeature:
    row: int  # 1-based position in the file, as the report names it
    geometry: BaseGeometry  # WGS84
    address: str = ""
    kind: str = ""  # for lines: road, river, wall, other
    name: str = ""


def read_geojson(raw: bytes | str, crs: str) -> tuple[list[MapFeature], list[MapFeature]]:
    """(buildings, cut lines) of a GeoJSON FeatureCollection in coordinate system `crs`."""
    if crs not in CRS:
        raise ValidationError({"crs": _("Choose the coordinate system of the file.")})
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"file": _("The file is not GeoJSON: %(error)s") % {"error": error}}) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ValidationError(
            {"file": _("The file holds no features (a GeoJSON FeatureCollection is needed).")}
        )
    if len(features) > MAX_FEATURES:
        raise ValidationError({"file": _("At most %(n)s features per file.") % {"n": MAX_FEATURES}})
    buildings, lines = [], []
    for row, feature in enumerate(features, start=1):
        item = _feature(row, feature, crs)
        (lines if item.geometry.geom_type in ("LineString", "MultiLineString") else buildings).append(item)
    return buildings, lines


def _feature(row: int, feature, crs: str) -> MapFeature:
    def bad(why: str) -> ValidationError:
        return ValidationError({"file": _("Feature %(row)s: %(why)s") % {"row": row, "why": why}})

    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        raise bad(_("no geometry"))
    try:
        geometry = shape(feature["geometry"])
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        raise bad(_("the geometry cannot be read")) from None
    kind = geometry.geom_type
    if kind not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString") or geometry.is_empty:
        raise bad(
            _("only polygons (buildings) and lines (roads, rivers, walls) are read, not %(kind)s")
            % {"kind": kind}
        )
    geometry = shapely.transform(geometry, lambda xy: _convert(xy, crs))
    lng, lat = geometry.centroid.x, geometry.centroid.y
    if not (73 <= lng <= 136 and 3 <= lat <= 54):
        raise bad(
            _("coordinates %(lng).5f, %(lat).5f are not in China: is the coordinate system right?")
            % {"lng": lng, "lat": lat}
        )
    if kind.endswith("Polygon") and not geometry.is_valid:
        geometry = shapely.make_valid(geometry).buffer(0)
    props = feature.get("properties") or {}
    address = next((str(props[k]).strip() for k in ADDRESS_KEYS if props.get(k)), "")
    raw_kind = next((str(props[k]).strip().lower() for k in KIND_KEYS if props.get(k)), "")
    return MapFeature(
        row, geometry, address, KINDS.get(raw_kind, "other"), str(props.get("name") or address)[:64]
    )


def _convert(xy, crs: str):
    import numpy as np

    return np.array([to_wgs84(float(x), float(y), crs) for x, y in xy]).reshape(-1, 2)


def address_key(text: str) -> str:
    """An address as compared: full-width folded, spaces and the words for "building" dropped
    (宝山新村 12号楼 = 宝山新村12号 = 宝山新村12幢)."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s号楼幢栋座#\-－、,，]", "", folded)


def geojson_of(geometry: BaseGeometry) -> dict:
    return mapping(shapely.set_precision(geometry, 1e-7))
