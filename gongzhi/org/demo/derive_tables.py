"""Derive the demo town's small committed tables from the real data in ../shared/data/compounds/.

Run once by a maintainer (`python -m gongzhi.org.demo.derive_tables [DATA_DIR]`); the output in
`tables/` is committed, so `make run` on a user's clone never needs the shared folder.

- `compounds.csv`: real compounds of 宝山区 (name, source subdistrict, WGS84 lng/lat), those of
  杨行 first, then the others by distance from 杨行 (大场 and its neighbours come early). The
  source coordinates are Baidu BD-09; they are converted BD-09 → GCJ-02 → WGS84.
- `households.json`: quantiles of households per compound and per building (Beijing file, split
  by era: built before 1990 or after; Harbin file pooled as a check), never the raw rows.

No Django imports: the conversion functions are pure and tested alone.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

TABLES = Path(__file__).with_name("tables")
DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "compounds"
QUANTILES = [i / 40 for i in range(41)]  # 0, 2.5 %, …, 100 %: 41 points are plenty to resample

# Krasovsky 1940 ellipsoid, the one the GCJ-02 offset is defined on.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """Baidu BD-09 → GCJ-02 (the published inverse of Baidu's forward formula)."""
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _gcj_offset(lng: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 shift (degrees) at a WGS84 point."""
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


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    d_lng, d_lat = _gcj_offset(lng, lat)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS84. The usual one-step inverse (subtract the offset taken at the GCJ point) is
    off by a metre or two; a few fixed-point steps bring it under a millimetre."""
    w_lng, w_lat = lng, lat
    for _ in range(5):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        w_lng, w_lat = w_lng - (g_lng - lng), w_lat - (g_lat - lat)
    return w_lng, w_lat


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def quantiles(values: list[float], qs: list[float] = QUANTILES) -> list[float]:
    """Linear-interpolated quantiles (numpy's default), rounded to one decimal."""
    ordered = sorted(values)
    out = []
    for q in qs:
        pos = q * (len(ordered) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(ordered) - 1)
        out.append(round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 1))
    return out


def _clean_name(name: str) -> str | None:
    """Drop villa parts (别墅: a few detached houses, not the town's fabric); strip (公寓)."""
    if "别墅" in name:
        return None
    return re.sub(r"[（(]公寓[)）]$", "", name.strip())


def derive_compounds(path: Path) -> list[dict]:
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["district"] == "宝山"]
    seen: set[str] = set()
    out = []
    for r in rows:
        name = _clean_name(r["name"])
        if not name or name in seen:
            continue
        seen.add(name)
        lng, lat = bd09_to_wgs84(float(r["lng"]), float(r["lat"]))
        out.append(
            {"name": name, "subdistrict": r["subdistrict"], "lng": round(lng, 6), "lat": round(lat, 6)}
        )
    home = [c for c in out if c["subdistrict"] == "杨行"]
    c_lng = sum(c["lng"] for c in home) / len(home)
    c_lat = sum(c["lat"] for c in home) / len(home)

    def distance(c: dict) -> float:
        return math.hypot((c["lng"] - c_lng) * math.cos(math.radians(c_lat)), c["lat"] - c_lat)

    return sorted(out, key=lambda c: (c["subdistrict"] != "杨行", round(distance(c), 6), c["name"]))


def _number(text: str) -> float | None:
    match = re.match(r"\s*(\d+(?:\.\d+)?)", text or "")
    return float(match.group(1)) if match else None


def derive_households(beijing: Path, harbin: Path) -> dict:
    by_era: dict[str, dict[str, list[float]]] = {e: {"compound": [], "building": []} for e in ("old", "new")}
    for r in csv.DictReader(beijing.open(encoding="utf-8")):
        households, buildings, year = _number(r["households"]), _number(r["buildings"]), _number(r["year"])
        if not households or not buildings or not year:
            continue
        era = "old" if year < 1990 else "new"
        by_era[era]["compound"].append(households)
        by_era[era]["building"].append(households / buildings)
    pooled: dict[str, list[float]] = {"compound": [], "building": []}
    for r in csv.DictReader(harbin.open(encoding="utf-8")):
        households, buildings = _number(r["door_count"]), _number(r["buiding_count"])
        if households and buildings:
            pooled["compound"].append(households)
            pooled["building"].append(households / buildings)
    table = {
        "source": "beijing_compounds_households_480.csv (by era), harbin_compounds_households_689.csv (pooled)",
        "quantiles": QUANTILES,
    }
    for era, series in by_era.items():
        table[era] = {k: quantiles(v) for k, v in series.items()} | {"rows": len(series["compound"])}
    table["harbin"] = {k: quantiles(v) for k, v in pooled.items()} | {"rows": len(pooled["compound"])}
    return table


def main(data_dir: Path = DEFAULT_DATA) -> None:
    TABLES.mkdir(exist_ok=True)
    compounds = derive_compounds(data_dir / "shanghai_baoshan_minhang_compounds.csv")
    with (TABLES / "compounds.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["name", "subdistrict", "lng", "lat"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(compounds)
    households = derive_households(
        data_dir / "beijing_compounds_households_480.csv", data_dir / "harbin_compounds_households_689.csv"
    )
    (TABLES / "households.json").write_text(json.dumps(households, ensure_ascii=False, indent=1) + "\n")
    print(
        f"{len(compounds)} compounds, households quantiles from {households['old']['rows']} old, "
        f"{households['new']['rows']} new, {households['harbin']['rows']} Harbin compounds"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA)
