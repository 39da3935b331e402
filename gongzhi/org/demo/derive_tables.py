"""Derive the demo town's small committed tables from the real data in ../shared/data/compounds/.

Run once by a maintainer (`python -m gongzhi.org.demo.derive_tables [DATA_DIR]`); the output in
`tables/` is committed, so `make run` on a user's clone never needs the shared folder.

- `compounds.csv`: real compounds of 宝山区 (name, source subdistrict, WGS84 lng/lat), those of
  杨行 first, then the others by distance from 杨行 (大场 and its neighbours come early). The
  source coordinates are Baidu BD-09; they are converted BD-09 → GCJ-02 → WGS84.
- `households.json`: quantiles of households per compound and per building (Beijing file, split
  by era: built before 1990 or after; Harbin file pooled as a check), never the raw rows.

No Django imports; the coordinate conversions are `gongzhi.core.coords` (shared with the grid
map import).
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

from gongzhi.core.coords import bd09_to_wgs84

TABLES = Path(__file__).with_name("tables")
DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "compounds"
QUANTILES = [i / 40 for i in range(41)]  # 0, 2.5 %, …, 100 %: 41 points are plenty to resample


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
