"""A seeded, deterministic demo town modelled on 杨行镇 of the seeds: plain records, no database.

`generate_town(households=120_000, seed=2026)` returns a `records.Town`: 宝山区 → 杨行镇 (a town)
→ about one neighborhood per 4,000 households (one in six a village) → compounds at real compound
locations of 宝山 (tables/compounds.csv), old lane compounds (1950s–80s, low-rise, 2–3
stairwells, no lift) and new tower compounds, with household counts drawn from the real
distributions (tables/households.json) → buildings with footprints → stairwells → households →
residents; grids of all five levels, the party tree, partner units, departments, service points.

Each stage draws from its own `random.Random` stream named after the stage, so a change to one
stage leaves the others' draws as they were, and the same seed always gives the same town.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from datetime import date
from functools import cache
from pathlib import Path

from gongzhi.org.demo import catalog, grid_layout, people
from gongzhi.org.demo.records import (
    BlockRecord,
    BuildingRecord,
    CompoundRecord,
    DepartmentRecord,
    NeighborhoodRecord,
    PartnerUnitRecord,
    PartyOrgRecord,
    PledgeRecord,
    ServicePointRecord,
    StairwellRecord,
    Town,
)

TABLES = Path(__file__).with_name("tables")
SUBDISTRICT_CODE = "310113-YX-DEMO"
DEFAULT_HOUSEHOLDS = 120_000
DEFAULT_SEED = 2026
HOUSEHOLDS_PER_NEIGHBORHOOD = 4_000
METRE_LAT = 1 / 111_320  # degrees of latitude per metre
METRE_LNG = METRE_LAT / math.cos(math.radians(31.37))  # at 宝山's latitude
_OLD_NAME = re.compile(r"(新村|[一二三四五六七八九十]村|[0-9]+弄|[0-9]+号|公寓)$")
_NEW_NAME = re.compile(r"(花园|花城|苑|城|庭|湾|府|邸|公馆|名门|广场|家园|天地|时代|\d{4})")


@cache
def compound_table() -> tuple[dict, ...]:
    with (TABLES / "compounds.csv").open(encoding="utf-8") as f:
        return tuple(
            {"name": r["name"], "lng": float(r["lng"]), "lat": float(r["lat"])} for r in csv.DictReader(f)
        )


@cache
def household_table() -> dict:
    return json.loads((TABLES / "households.json").read_text(encoding="utf-8"))


def draw_quantile(rng: random.Random, points: list[float]) -> float:
    """Inverse-CDF draw from evenly spaced quantiles, interpolating between them."""
    u = rng.random() * (len(points) - 1)
    i = min(int(u), len(points) - 2)
    return points[i] + (points[i + 1] - points[i]) * (u - i)


def generate_town(
    households: int = DEFAULT_HOUSEHOLDS,
    seed: int = DEFAULT_SEED,
    *,
    code: str = SUBDISTRICT_CODE,
    name: str = "杨行镇",
    id_area: str = people.AREA_CODE,
) -> Town:
    """The demo town; other `code`, `name` and `id_area` (residents' ID numbers stay unique
    across towns) make the further towns of a district (bench/district_day.py)."""
    if households < 500:
        raise ValueError("A demo town needs at least 500 households.")
    town = Town(district="宝山区", name=name, code=code, kind="town", seed=seed, id_area=id_area)
    if code != SUBDISTRICT_CODE:
        town.grid_prefix = code.replace("-", "")
    _neighborhoods(town, households)
    _places(town, households)
    town.grid_method = grid_layout.draw(town)
    _party_orgs(town)
    people.populate(town)
    _partners(town)
    _departments(town)
    _service_points(town)
    return town


def _rng(town: Town, stage: str) -> random.Random:
    return random.Random(f"{town.seed}:{stage}")


def _neighborhood_kinds(households: int) -> list[str]:
    count = max(4, round(households / HOUSEHOLDS_PER_NEIGHBORHOOD))
    villages = max(1, round(count / 6))
    return ["urban"] * (count - villages) + ["village"] * villages


def _neighborhoods(town: Town, households: int) -> None:
    parts = people.name_parts()
    kinds = _neighborhood_kinds(households)
    town.blocks = [BlockRecord(i + 1, name) for i, name in enumerate(catalog.BLOCKS)]
    urban = kinds.count("urban")
    for i, kind in enumerate(kinds):
        key = i + 1
        # Two thirds of the urban neighborhoods lie in a block (街区); villages never do.
        block = (i * 3 // max(1, urban * 2 // 3)) + 1 if kind == "urban" and i < urban * 2 // 3 else None
        road = parts["roads"][i % len(parts["roads"])]
        name = "" if kind == "urban" else _village_name(parts["villages"], i - urban)
        town.neighborhoods.append(
            NeighborhoodRecord(key, f"{town.code}-{key:03d}", name, kind, block, f"{road}{100 + 7 * key}号")
        )


def _village_name(names: list[str], i: int) -> str:
    return names[i] if i < len(names) else f"{names[i % len(names)][:-1]}{i // len(names) + 1}村"


def _budgets(town: Town, households: int) -> list[int]:
    """Households per neighborhood; a village holds about half an urban neighborhood's."""
    weights = [1.0 if n.kind == "urban" else 0.5 for n in town.neighborhoods]
    total = sum(weights)
    budgets = [int(households * w / total) for w in weights]
    budgets[0] += households - sum(budgets)
    return budgets


def _places(town: Town, households: int) -> None:
    rng = _rng(town, "places")
    sites = _CompoundSites(compound_table(), _rng(town, "sites"))
    names: dict[str, int] = {}
    for nb, budget in zip(town.neighborhoods, _budgets(town, households), strict=True):
        if nb.kind == "village":
            _village(town, rng, nb, budget)
        else:
            _urban(town, rng, sites, nb, budget, names)


class _CompoundSites:
    """Real compound locations in table order, queued by era so that every neighborhood mixes
    old lanes and new towers; a used-up queue starts again with later phases (二期…) beside them."""

    def __init__(self, table: tuple[dict, ...], rng: random.Random) -> None:
        self.queues: dict[str, list[dict]] = {"old": [], "new": []}
        for row in table:
            self.queues[_era(rng, row["name"])].append(row)
        self.taken = {"old": 0, "new": 0}

    def take(self, era: str) -> tuple[str, float, float]:
        queue = self.queues[era]
        row = queue[self.taken[era] % len(queue)]
        phase = self.taken[era] // len(queue)
        self.taken[era] += 1
        if not phase:
            return row["name"], row["lng"], row["lat"]
        shift = 450 * phase  # metres east, beside the first phase
        return f"{row['name']}{_phase_name(phase)}", row["lng"] + shift * METRE_LNG, row["lat"]


def _phase_name(phase: int) -> str:
    return f"({'一二三四五六七八九十'[phase % 10]}期)" if phase < 10 else f"({phase + 1}期)"


def _urban(town: Town, rng: random.Random, sites: _CompoundSites, nb, budget: int, names: dict) -> None:
    remaining = budget
    compound_names: list[str] = []
    era = "old" if nb.key % 2 else "new"
    while remaining > 0:
        name, lng, lat = sites.take(era)
        target = draw_quantile(rng, household_table()[era]["compound"])
        target = min(max(int(target), 120), 4000, remaining)
        if remaining - target < 150:
            target = remaining
        built = _built_year(rng, era)
        compound = CompoundRecord(
            len(town.compounds) + 1, nb.key, name, _address(rng, name), built, lng, lat, era
        )
        town.compounds.append(compound)
        remaining -= _buildings(town, rng, compound, target)
        compound_names.append(name)
        era = "new" if era == "old" else "old"
    if not nb.name:
        first_name = _neighborhood_stem(compound_names)
        # 天馨花园第一、第二居民区: a neighborhood is named after its main compound.
        count = names.get(first_name, 0) + 1
        names[first_name] = count
        town.neighborhoods[nb.key - 1] = _renamed(nb, first_name, count)


def _era(rng: random.Random, name: str) -> str:
    """Old lane compounds by their names (新村, 一村, 3158弄), estates by theirs (花园, 苑, 城);
    a quarter of the rest are old."""
    if _OLD_NAME.search(name):
        return "old"
    return "new" if _NEW_NAME.search(name) or rng.random() >= 0.25 else "old"


def _neighborhood_stem(compound_names: list[str]) -> str:
    """A neighborhood takes the name of its first properly named compound (杨泰一村, 天馨花园);
    lanes known only by their address (宝杨路3158弄) lend their road instead."""
    for name in compound_names:
        if not re.search(r"\d+[弄号]$", name):
            return re.sub(r"[（(].*[)）]$", "", name)
    return re.sub(r"\d+[弄号]$", "", compound_names[0])


def _renamed(nb: NeighborhoodRecord, compound: str, count: int) -> NeighborhoodRecord:
    stem = re.sub(r"[（(].*[)）]$", "", compound)
    suffix = "居民区" if count == 1 else f"第{'一二三四五六七八九十'[min(count, 10) - 1]}居民区"
    return NeighborhoodRecord(nb.key, nb.code, f"{stem}{suffix}", nb.kind, nb.block_key, nb.address)


def _built_year(rng: random.Random, era: str) -> int:
    if era == "old":
        # The 1950s workers' lanes (工人新村) first, later walk-ups of the 70s and 80s.
        return rng.randint(1952, 1959) if rng.random() < 0.45 else rng.randint(1960, 1989)
    return rng.randint(1995, 2021)


def _address(rng: random.Random, name: str) -> str:
    if re.search(r"路\d+[弄号]$", name):
        return f"上海市宝山区{name}"
    road = rng.choice(people.name_parts()["roads"])
    return f"上海市宝山区{road}{rng.randint(1, 400) * 2 - 1}弄"


def _building_shape(rng: random.Random, era: str) -> tuple[int, int, int]:
    """(floors, stairwells, households per floor per stairwell) near a drawn household count."""
    target = draw_quantile(rng, household_table()[era]["building"])
    if era == "old":
        stairwells = rng.choice((2, 2, 3))
        floors = min(max(round(min(target, 72) / (stairwells * 2)), 2), 6)
        return floors, stairwells, 2
    stairwells = rng.choice((1, 1, 2))
    per_floor = rng.choice((2, 2, 4))
    floors = min(max(round(min(max(target, 24), 400) / (stairwells * per_floor)), 6), 33)
    return min(floors, 400 // (stairwells * per_floor)), stairwells, per_floor


def _buildings(town: Town, rng: random.Random, compound: CompoundRecord, target: int) -> int:
    """Lay out the compound's buildings in rows around its location; return households made."""
    shapes = []
    made = 0
    while made < target:
        floors, stairwells, per_floor = _building_shape(rng, compound.era)
        if made + floors * stairwells * per_floor > target and made:
            # The last building takes exactly what is left, so the town's size is as asked.
            floors = max(1, math.ceil((target - made) / (stairwells * per_floor)))
        shapes.append((floors, stairwells, per_floor))
        made += floors * stairwells * per_floor
    slab = compound.era == "old"
    spacing = (60, 28) if slab else (55, 50)  # lane slabs sit in tight rows; towers apart
    columns = max(1, math.ceil(math.sqrt(len(shapes) * (1.0 if slab else 1.5))))
    rows = math.ceil(len(shapes) / columns)
    for i, (floors, stairwells, per_floor) in enumerate(shapes):
        dx = (i % columns - (columns - 1) / 2) * spacing[0]
        dy = ((rows - 1) / 2 - i // columns) * spacing[1]
        size = (15 * stairwells, 10) if slab else (20 * stairwells, 16)
        _add_building(town, compound, f"{i + 1}号楼", floors, stairwells * [per_floor * floors], dx, dy, size)
    return made


def _add_building(
    town: Town, compound, number: str, floors: int, stairwells: list[int], dx, dy, size
) -> None:
    lng = compound.lng + dx * METRE_LNG
    lat = compound.lat + dy * METRE_LAT
    building = BuildingRecord(
        len(town.buildings) + 1,
        compound.key,
        compound.neighborhood_key,
        number,
        floors,
        round(lng, 7),
        round(lat, 7),
        footprint(lng, lat, *size),
        sum(stairwells),
    )
    town.buildings.append(building)
    for s in range(len(stairwells) if compound.era != "village" else 0):
        town.stairwells.append(StairwellRecord(len(town.stairwells) + 1, building.key, f"{s + 1}单元"))


def footprint(lng: float, lat: float, width_m: float, depth_m: float) -> dict:
    """A GeoJSON rectangle `width_m` × `depth_m` centred on the point (WGS84)."""
    w, d = width_m / 2 * METRE_LNG, depth_m / 2 * METRE_LAT
    ring = [
        (lng - w, lat - d),
        (lng + w, lat - d),
        (lng + w, lat + d),
        (lng - w, lat + d),
        (lng - w, lat - d),
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def _village(town: Town, rng: random.Random, nb: NeighborhoodRecord, budget: int) -> None:
    """A village: groups (村民小组) of two- and three-storey houses, many let room by room."""
    index = nb.key - sum(1 for n in town.neighborhoods if n.kind == "urban")
    # The town's villages lie north of its built-up area, in a row from west to east.
    base_lng = 121.40 + 0.022 * (index % 8)
    base_lat = 31.405 + 0.02 * (index // 8)
    remaining, group = budget, 0
    while remaining > 0:
        group += 1
        target = min(remaining, rng.randint(180, 420))
        if remaining - target < 60:
            target = remaining
        lng = base_lng + ((group - 1) % 3) * 350 * METRE_LNG
        lat = base_lat + ((group - 1) // 3) * 300 * METRE_LAT
        name = f"{nb.name}{_group_name(group)}"
        compound = CompoundRecord(
            len(town.compounds) + 1, nb.key, name, f"上海市宝山区{town.name}{name}", 1985, lng, lat, "village"
        )
        town.compounds.append(compound)
        remaining -= _houses(town, rng, compound, target)


def _group_name(group: int) -> str:
    digits = "一二三四五六七八九十"
    return f"{digits[group - 1]}组" if group <= 10 else f"{group}组"


def _houses(town: Town, rng: random.Random, compound: CompoundRecord, target: int) -> int:
    made, i = 0, 0
    columns = max(1, math.ceil(math.sqrt(target / 3)))
    while made < target:
        # The owner's family plus rooms let to newcomers (外来租户), as in the town's villages.
        count = min(1 + min(rng.choice((0, 0, 1, 1, 2, 2, 3, 4)), 5), target - made)
        dx = (i % columns) * 24.0 - columns * 12
        dy = -(i // columns) * 22.0
        _add_building(town, compound, f"{i + 1}号", rng.choice((2, 3, 3)), [count], dx, dy, (12, 10))
        made += count
        i += 1
    return made


def _party_orgs(town: Town) -> None:
    """党委 → 社区党委 per neighborhood → regular, grid and outpost branches → 楼道党小组."""
    orgs = town.party_orgs

    def add(parent, name, level, kind="", nb=None, grid=None, stairwell=None) -> int:
        orgs.append(PartyOrgRecord(len(orgs) + 1, parent, name, level, kind, nb, grid, stairwell))
        return len(orgs)

    committee = add(None, f"中共{town.name}委员会", "committee")
    micro = {}
    for g in town.grids:
        if g.level == 4:
            micro.setdefault(g.neighborhood_key, []).append(g)
    first_stairwell = _first_stairwells(town)
    tower_compounds = _tower_compounds(town)
    for nb in town.neighborhoods:
        kind_name = "党总支" if nb.kind == "urban" else "党总支部委员会"
        community = add(committee, f"{nb.name}{kind_name}", "community", nb=nb.key)
        add(community, f"{nb.name}第一党支部", "branch", "regular", nb.key)
        for compound in tower_compounds.get(nb.key, [])[:1]:
            add(community, f"{compound.name}前哨支部", "branch", "outpost", nb.key)
        for grid in micro.get(nb.key, []):
            branch = add(community, f"{grid.name}网格支部", "branch", "grid", nb.key, grid.key)
            for building, stairwell in first_stairwell.get(grid.key, [])[:3]:
                name = f"{building}{stairwell.name}楼道党小组"
                add(branch, name, "group", "", nb.key, grid.key, stairwell.key)


def _first_stairwells(town: Town) -> dict[int, list]:
    """Per micro-grid, the first stairwell of each of its buildings (where party groups sit)."""
    compounds = {c.key: c for c in town.compounds}
    firsts: dict[int, list] = {}
    seen: set[int] = set()
    for s in town.stairwells:
        if s.building_key in seen:
            continue
        seen.add(s.building_key)
        b = town.buildings[s.building_key - 1]
        firsts.setdefault(b.grid_key, []).append((f"{compounds[b.compound_key].name}{b.number}", s))
    return firsts


def _tower_compounds(town: Town) -> dict[int, list[CompoundRecord]]:
    found: dict[int, list[CompoundRecord]] = {}
    for c in town.compounds:
        if c.era == "new":
            found.setdefault(c.neighborhood_key, []).append(c)
    return found


def _partners(town: Town) -> None:
    rng = _rng(town, "partners")
    micro = {}
    for g in town.grids:
        if g.level == 4:
            micro.setdefault(g.neighborhood_key, []).append(g.key)
    for i, (name, kind) in enumerate(catalog.PARTNER_UNITS):
        town.partner_units.append(
            PartnerUnitRecord(i + 1, name, kind, people.person_name(rng, rng.random() < 0.5))
        )
        for nb in rng.sample(town.neighborhoods, k=min(len(town.neighborhoods), rng.randint(1, 4))):
            grid = rng.choice(micro[nb.key]) if micro.get(nb.key) and rng.random() < 0.4 else None
            since = date(rng.randint(2018, 2025), rng.randint(1, 12), 1)
            town.pledges.append(
                PledgeRecord(len(town.pledges) + 1, i + 1, nb.key, grid, rng.choice(catalog.OFFERINGS), since)
            )


def _departments(town: Town) -> None:
    for i, (code, name, categories) in enumerate(catalog.DEPARTMENTS):
        town.departments.append(DepartmentRecord(i + 1, code, f"{town.name}{name}", list(categories)))


def _service_points(town: Town) -> None:
    """ "1 hub + 5 village circles + N community stations" (the seeds' 杨行 layout)."""
    rng = _rng(town, "service points")
    centre = town.compounds[0]
    points = town.service_points

    def add(nb, name, kind, address, hours, lng, lat) -> None:
        points.append(ServicePointRecord(len(points) + 1, nb, name, kind, address, hours, lng, lat))

    add(
        None,
        f"{town.name}党群服务中心",
        "hub",
        "上海市宝山区杨鑫路198号",
        catalog.HUB_HOURS,
        centre.lng,
        centre.lat,
    )
    villages = [n for n in town.neighborhoods if n.kind == "village"]
    for i in range(5):
        nb = villages[i % len(villages)]
        name = f"{town.name}{'东西南北中'[i]}片乡村服务圈"
        lng, lat = _neighborhood_point(town, nb.key)
        add(
            nb.key,
            name,
            "circle",
            f"上海市宝山区{town.name}{nb.name}村委会旁",
            catalog.CIRCLE_HOURS,
            lng,
            lat,
        )
    for nb in town.neighborhoods:
        lng, lat = _neighborhood_point(town, nb.key)
        address = f"上海市宝山区{nb.address}"
        add(
            nb.key,
            f"{nb.name}党群服务站",
            "station",
            address,
            catalog.STATION_HOURS,
            lng,
            lat + rng.random() * 1e-4,
        )


def _neighborhood_point(town: Town, key: int) -> tuple[float, float]:
    compound = next(c for c in town.compounds if c.neighborhood_key == key)
    return compound.lng, compound.lat
