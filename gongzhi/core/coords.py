"""Coordinates as Chinese GIS exports them, to WGS84 (what the grid engine and Leaflet use): the
map import of grids and the demo's compound table (org/demo/derive_tables.py). Pure functions.

WGS84 and CGCS2000 differ by centimetres (same datum for mapping at building scale): taken as
they are. GCJ-02 (the "Mars" offset of Amap, Tencent) is undone by a few fixed-point steps of
the published forward formula (under a millimetre); BD-09 (Baidu) goes to GCJ-02 first.
"""

from __future__ import annotations

import math

CRS = ("wgs84", "cgcs2000", "gcj02", "bd09")
_A = 6378245.0  # Krasovsky 1940, the ellipsoid of the GCJ-02 offset
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def to_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    if crs in ("wgs84", "cgcs2000"):
        return lng, lat
    if crs == "gcj02":
        return gcj02_to_wgs84(lng, lat)
    if crs == "bd09":
        return bd09_to_wgs84(lng, lat)
    raise ValueError(f"unknown coordinate system {crs!r}; one of {', '.join(CRS)}")


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    d_lng, d_lat = _gcj_offset(lng, lat)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    w_lng, w_lat = lng, lat
    for _ in range(5):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        w_lng, w_lat = w_lng - (g_lng - lng), w_lat - (g_lat - lat)
    return w_lng, w_lat


def _gcj_offset(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * math.sqrt(magic)) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / math.sqrt(magic) * math.cos(rad) * math.pi)
    return d_lng, d_lat


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))
