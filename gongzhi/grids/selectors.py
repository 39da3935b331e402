"""Every read of micro-grids and grid plans, already filtered to the caller's area.

Maps are GeoJSON FeatureCollections for `gongzhi/static/gongzhi/maps.js`: each feature carries
its `name`, `households`, a ready `tooltip` and a `style` (colour, flagged border), so the script
stays a plain drawer.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.core.permissions import WRITE, can, scoped
from gongzhi.grids import units
from gongzhi.grids.models import GridAssignmentHistory, GridPlan, MicroGrid
from gongzhi.grids.services import outline
from gongzhi.org.models import Building, Household, Neighborhood, RoleAssignment, Stairwell, Subdistrict

# Distinct, print-safe colours; grids next to each other rarely share one with 12 in turn.
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#86bcb6",
    "#8cd17d",
    "#d4a6c8",
    "#a0cbe8",
    "#ffbe7d",
]
FLAG_COLOUR = "#c0392b"
DEFAULT_BOUNDS = (300, 500)


def micro_grid_count(user) -> int:
    """Micro-grids inside the user's area (the workbench's figure)."""
    return scoped(user, MicroGrid.objects.filter(level=MicroGrid.Level.MICRO)).count()


def micro_grid_counts(neighborhood_ids) -> dict[int, int]:
    """Micro-grids per neighborhood, for neighborhoods the caller already may see."""
    rows = (
        MicroGrid.objects.filter(neighborhood_id__in=neighborhood_ids, level=MicroGrid.Level.MICRO)
        .values_list("neighborhood_id")
        .annotate(n=Count("id"))
        .values_list("neighborhood_id", "n")
    )
    return dict(rows)


def plans_visible_to(user) -> QuerySet[GridPlan]:
    return scoped(user, GridPlan.objects.select_related("subdistrict", "neighborhood", "created_by"))


def plans_of_area(user, area: Subdistrict | Neighborhood) -> QuerySet[GridPlan]:
    plans = plans_visible_to(user)
    if isinstance(area, Neighborhood):
        return plans.filter(neighborhood=area)
    return plans.filter(subdistrict=area, neighborhood__isnull=True)


def may_draw(user, area: Subdistrict | Neighborhood) -> bool:
    return can(user, area, WRITE)


def may_decide(user, plan: GridPlan) -> bool:
    return plan.status == GridPlan.Status.PROPOSED and can(user, plan, WRITE)


def history_of_area(user, area: Subdistrict | Neighborhood, limit: int = 50) -> list[GridAssignmentHistory]:
    rows = scoped(user, GridAssignmentHistory.objects.select_related("building__compound"))
    if isinstance(area, Neighborhood):
        rows = rows.filter(building__neighborhood=area)
    else:
        rows = rows.filter(building__neighborhood__subdistrict=area)
    return list(rows[:limit])


# --- the current grids --------------------------------------------------------------------------


def _current_grids(user, area: Subdistrict | Neighborhood):
    grids = scoped(user, MicroGrid.objects.filter(level=MicroGrid.Level.MICRO))
    if isinstance(area, Neighborhood):
        return grids.filter(neighborhood=area)
    return grids.filter(neighborhood__subdistrict=area)


def current_grid_ids(user, area: Subdistrict | Neighborhood) -> set[int]:
    """The ids of `current_grids`, without counting their households (a district's count is the
    dearest query of a dashboard)."""
    return set(_current_grids(user, area).values_list("pk", flat=True))


def current_grids(user, area: Subdistrict | Neighborhood) -> list[MicroGrid]:
    """Level-4 grids of the area the user may see, each with `household_count` and `flags`."""
    grids = _current_grids(user, area).select_related("neighborhood")
    grids = list(grids.order_by("neighborhood__code", "code"))
    counts = dict(
        Household.objects.filter(micro_grid__in=[g.pk for g in grids])
        .values_list("micro_grid_id")
        .annotate(n=Count("id"))
        .values_list("micro_grid_id", "n")
    )
    lo, hi = adopted_bounds(area)
    for g in grids:
        g.household_count = counts.get(g.pk, 0)
        g.flags = (
            [_("undersize")] if g.household_count < lo else [_("oversize")] if g.household_count > hi else []
        )
    return grids


def adopted_bounds(area: Subdistrict | Neighborhood) -> tuple[int, int]:
    """The household bounds of the plan last adopted for the area: the standard the current grids
    were drawn to (300–500 when none was adopted here)."""
    plans = GridPlan.objects.filter(status=GridPlan.Status.ADOPTED)
    if isinstance(area, Neighborhood):
        plans = plans.filter(
            Q(neighborhood=area) | Q(neighborhood__isnull=True, subdistrict_id=area.subdistrict_id)
        )
    else:
        plans = plans.filter(subdistrict=area, neighborhood__isnull=True)
    last = plans.order_by("-adopted_at").values_list("min_households", "max_households").first()
    return last or DEFAULT_BOUNDS


def current_grids_geojson(grids: list[MicroGrid]) -> dict:
    """The grids as coloured outlines: the stored boundary, or the buildings' footprints dissolved
    when a grid has none yet (one query for all such grids)."""
    missing = [g.pk for g in grids if not g.boundary]
    drawn = _outlines_from_buildings(missing) if missing else {}
    features = []
    for index, g in enumerate(grids):
        geometry = g.boundary or drawn.get(g.pk)
        if not geometry:
            continue
        tooltip = _tooltip(g.name, g.household_count, g.flags)
        features.append(_feature(geometry, g.code, g.name, g.household_count, tooltip, index, bool(g.flags)))
    return {"type": "FeatureCollection", "features": features}


def _outlines_from_buildings(grid_ids: list[int]) -> dict[int, dict]:
    from shapely.geometry import shape

    members = defaultdict(list)
    for grid_id, footprint in Building.objects.filter(
        micro_grid_id__in=grid_ids, footprint__isnull=False
    ).values_list("micro_grid_id", "footprint"):
        members[grid_id].append(shape(footprint))
    return {grid_id: outline(geoms) for grid_id, geoms in members.items()}


def grid_totals(grids: list[MicroGrid]) -> dict:
    return {"households": sum(g.household_count for g in grids), "flagged": sum(bool(g.flags) for g in grids)}


def households_chart(grids: list[MicroGrid]) -> dict:
    """Households per grid; labels drop the neighborhood's name where the grid's name repeats it,
    so a dozen bars stay readable."""
    return {
        "labels": [g.name.removeprefix(g.neighborhood.name) or g.name for g in grids],
        "values": [g.household_count for g in grids],
        "unit": _("households"),
    }


# --- a plan -------------------------------------------------------------------------------------


def plan_grids(plan: GridPlan) -> list[dict]:
    """The plan's grids as rows for the review table: name, code, households, flags with reasons,
    households coming in from other grids (by former grid)."""
    diff = _incoming(plan)
    rows = []
    for g in plan.report.get("grids", []):
        incoming = diff.get(g["id"], Counter())
        rows.append(
            {
                "code": g["id"],
                "name": plan.grid_names.get(g["id"], g["id"]),
                "households": g["households"],
                "buildings": g["buildings"],
                "compactness": g["compactness"],
                "flags": g["flags"],
                "reasons": g["reasons"],
                "within_bounds": g["within_bounds"],
                "moved_in": sum(incoming.values()),
                "sources": [(plan_previous_name(plan, code), n) for code, n in incoming.most_common() if n],
            }
        )
    return rows


def plan_previous_name(plan: GridPlan, code: str) -> str:
    if not code:
        return _("no grid")
    return plan.report.get("previous_names", {}).get(code, code)


def _incoming(plan: GridPlan) -> dict[str, Counter]:
    """Per proposed grid, households of buildings (or stairwells) that were in another grid (or
    none) before."""
    incoming: dict[str, Counter] = defaultdict(Counter)
    for _key, before, after, households in _stairwell_changes(plan):
        incoming[after][before] += households
    return incoming


def _stairwell_changes(plan: GridPlan):
    """(building key, code before, code after, households) per building, or per stairwell of a
    building with stairwells, whose grid changes."""
    counts = {key: len(rows) for key, rows in plan.report.get("stairwells", {}).items()}
    before = units.per_stairwell(plan.previous, counts)
    after = units.per_stairwell(plan.proposed, counts)
    stairwells = plan.report.get("stairwells", {})
    for key, codes in after.items():
        old = before.get(key) or [""] * len(codes)
        for index, (was, now) in enumerate(zip(old, codes, strict=False)):
            if was != now:
                households = stairwells[key][index][2] if key in stairwells else plan.households.get(key, 0)
                yield key, was, now, households


def plan_changed_buildings(plan: GridPlan) -> list[str]:
    return list(dict.fromkeys(key for key, *_rest in _stairwell_changes(plan)))


def plan_geojson(plan: GridPlan) -> dict:
    """The proposed grids, coloured, flagged ones bordered red, with the diff to the current
    grids; changed buildings come as a second collection of dashed outlines."""
    rows = {r["code"]: r for r in plan_grids(plan)}
    features = []
    for index, (code, row) in enumerate(sorted(rows.items())):
        geometry = plan.boundaries.get(code)
        if not geometry:
            continue
        tooltip = _tooltip(row["name"], row["households"], [_flag_label(f) for f in row["flags"]])
        if row["moved_in"]:
            tooltip += " · " + _("%(n)s households move in") % {"n": row["moved_in"]}
        features.append(
            _feature(geometry, code, row["name"], row["households"], tooltip, index, bool(row["flags"]))
        )
    features.extend(_cut_line_features(plan.report.get("barriers", []), list(plan.boundaries.values())))
    return {"type": "FeatureCollection", "features": features}


def _cut_line_features(lines: list[dict], outlines: list[dict]) -> list[dict]:
    """Roads, rivers and walls the plan was drawn against, clipped to the plan's area (a
    subdistrict's lines elsewhere would only zoom the map out): thick dark lines no grid crosses."""
    import shapely
    from shapely.geometry import mapping, shape

    if not lines or not outlines:
        return []
    area = shapely.box(*shapely.union_all([shape(o) for o in outlines]).bounds).buffer(50 / 111_320)
    style = {"color": "#243b53", "weight": 4, "opacity": 0.9, "fillOpacity": 0, "className": "cut-line"}
    features = []
    for line in lines:
        clipped = shape(line).intersection(area)
        if not clipped.is_empty:
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(clipped),
                    "properties": {"tooltip": _("cut line"), "style": style},
                }
            )
    return features


def changed_buildings_geojson(plan: GridPlan) -> dict:
    keys = [int(k) for k in plan_changed_buildings(plan)]
    counts = {key: len(rows) for key, rows in plan.report.get("stairwells", {}).items()}
    before = units.per_stairwell(plan.previous, counts)
    after = units.per_stairwell(plan.proposed, counts)

    def names(codes, lookup) -> str:
        return "、".join(dict.fromkeys(lookup(c) for c in codes))

    features = [
        {
            "type": "Feature",
            "geometry": footprint,
            "properties": {
                "tooltip": _("Changes grid: %(before)s → %(after)s")
                % {
                    "before": names(before.get(str(pk), [""]), lambda c: plan_previous_name(plan, c)),
                    "after": names(after[str(pk)], lambda c: plan.grid_names.get(c, c)),
                },
                "style": {"color": "#111", "weight": 1.5, "dashArray": "3 3", "fillOpacity": 0},
            },
        }
        for pk, footprint in Building.objects.filter(pk__in=keys, footprint__isnull=False).values_list(
            "id", "footprint"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def plan_figures(plan: GridPlan) -> dict:
    totals = plan.report.get("totals", {})
    compared = plan.households_compared
    # counted again here, not taken from the drawing: hand edits change it after the drawing
    moved = sum(h for _key, was, _now, h in _stairwell_changes(plan) if was)
    return {
        "grids": totals.get("grids", 0),
        "households": totals.get("households", 0),
        "within": totals.get("grids_within_bounds", 0),
        "flagged": sum(1 for g in plan.report.get("grids", []) if g["flags"]),
        "buildings_changed": len(plan_changed_buildings(plan)),
        "households_moved": moved,
        "stable_share": round(100 * (1 - moved / compared), 1) if compared else None,
        "grids_unchanged": plan.grids_unchanged,
        "seconds": plan.seconds,
        "unplaced": len(plan.report.get("unplaced", [])),
    }


def _flag_label(flag: str) -> str:
    return {
        "oversize": _("oversize"),
        "undersize": _("undersize"),
        "split": _("split by stairwell"),
        "constrained": _("cannot fit bounds"),
    }.get(flag, flag)


def _tooltip(name: str, households: int, flags: list[str]) -> str:
    text = _("%(name)s: %(n)s households") % {"name": name, "n": households}
    return text + (" · " + ", ".join(flags) if flags else "")


def _feature(geometry: dict, code: str, name: str, households: int, tooltip: str, index: int, flagged: bool):
    colour = PALETTE[index % len(PALETTE)]
    style = {"color": FLAG_COLOUR if flagged else "#334e68", "weight": 3 if flagged else 1}
    style |= {"fillColor": colour, "fillOpacity": 0.55, "dashArray": "6 4" if flagged else None}
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": code,
            "name": name,
            "households": households,
            "tooltip": tooltip,
            "style": style,
        },
    }


# --- hand edits ---------------------------------------------------------------------------------


def plan_buildings_geojson(plan: GridPlan) -> dict:
    """The plan's buildings to select on the map: each with its grid(s), households and
    stairwells (number, name, households, grid), drawn as outlines over the grids."""
    counts = {key: len(rows) for key, rows in plan.report.get("stairwells", {}).items()}
    codes = units.per_stairwell(plan.proposed, counts)
    stairwells = plan.report.get("stairwells", {})
    rows = Building.objects.filter(pk__in=[int(k) for k in codes], footprint__isnull=False)
    features = []
    for pk, number, compound, footprint in rows.values_list("id", "number", "compound__name", "footprint"):
        key = str(pk)
        grids = list(dict.fromkeys(codes[key]))
        households = sum(r[2] for r in stairwells[key]) if key in stairwells else plan.households.get(key, 0)
        label = f"{compound} {number}"
        features.append(
            {
                "type": "Feature",
                "geometry": footprint,
                "properties": {
                    "key": key,
                    "label": label,
                    "grids": grids,
                    "households": households,
                    "stairwells": [
                        {"n": i + 1, "name": r[1], "households": r[2], "grid": codes[key][i]}
                        for i, r in enumerate(stairwells.get(key, []))
                    ],
                    "tooltip": _("%(name)s: %(n)s households") % {"name": label, "n": households},
                    "style": {
                        "color": "#1f2933",
                        "weight": 1,
                        "fillOpacity": 0.15,
                        "className": f"bld bld-{key}",
                    },
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def plan_edits(plan: GridPlan) -> list[dict]:
    """The secretary's hand edits of a plan, oldest first, with grid names."""
    return [
        e
        | {
            "from_name": plan.grid_names.get(e["from"], e["from"]),
            "to_name": plan.grid_names.get(e["to"], e["to"]),
        }
        for e in plan.report.get("edits", [])
    ]


def plan_grid_choices(plan: GridPlan) -> list[tuple[str, str, str]]:
    """(code, name, neighborhood code) of the plan's grids, for the move form."""
    return [
        (g["id"], plan.grid_names.get(g["id"], g["id"]), g["neighborhood"])
        for g in sorted(plan.report.get("grids", []), key=lambda g: g["id"])
    ]


# --- the printable grid sheet -------------------------------------------------------------------

SHEET_MM = 180  # the map's side on an A4 page, within 15 mm margins


def grid_sheet(user, pk: int) -> dict | None:
    """A micro-grid for its notice board: buildings (stairwells in this grid) with households, grid
    staff (masked names, as on visit cards) and an SVG map of the footprints. None when the user
    may not see the grid."""
    grid = (
        scoped(user, MicroGrid.objects.filter(level=MicroGrid.Level.MICRO))
        .select_related("neighborhood")
        .filter(pk=pk)
        .first()
    )
    if grid is None:
        return None
    counts = dict(
        Household.objects.filter(micro_grid=grid)
        .values_list("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )
    in_grid = Q(pk__in=list(counts)) | Q(micro_grid=grid) | Q(stairwells__micro_grid=grid)
    buildings = list(
        Building.objects.filter(in_grid)
        .distinct()
        .select_related("compound")
        .order_by("compound__name", "number")
    )
    stairwells = defaultdict(list)
    for building_id, name in (
        Stairwell.objects.filter(micro_grid=grid).order_by("name").values_list("building_id", "name")
    ):
        stairwells[building_id].append(name)
    rows = [
        {"building": b, "households": counts.get(b.pk, 0), "stairwells": stairwells.get(b.pk, [])}
        for b in buildings
    ]
    return {
        "grid": grid,
        "rows": rows,
        "households": sum(counts.values()),
        "staff": _grid_staff(grid),
        "svg": _sheet_svg(buildings),
    }


def _grid_staff(grid: MicroGrid) -> list[dict]:
    people = []
    if grid.grid_chief_id:
        people.append(("grid_chief", grid.grid_chief))
    assigned = RoleAssignment.objects.filter(micro_grid=grid, role__in=("grid_chief", "grid_worker"))
    people.extend((a.role, a.user) for a in assigned.select_related("user").order_by("role", "pk"))
    seen, out = set(), []
    labels = {"grid_chief": _("grid chief"), "grid_worker": _("grid worker")}
    for role, person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            out.append({"role": labels[role], "name": pii.mask_name(str(person))})
    return out


def _sheet_svg(buildings: list[Building]) -> dict:
    """Footprints as SVG paths in a square viewBox of SHEET_MM (north up, equal scale)."""
    from shapely.geometry import shape

    shapes = [(b, shape(b.footprint)) for b in buildings if b.footprint]
    if not shapes:
        return {"paths": [], "size": SHEET_MM}
    lat0 = sum(s.centroid.y for _b, s in shapes) / len(shapes)
    kx = math.cos(math.radians(lat0))
    xs = [x * kx for _b, s in shapes for x in (s.bounds[0], s.bounds[2])]
    ys = [y for _b, s in shapes for y in (s.bounds[1], s.bounds[3])]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1e-4
    scale = (SHEET_MM - 20) / span
    # centre the drawing in the square
    left = 10 + ((SHEET_MM - 20) - (max(xs) - min(xs)) * scale) / 2
    bottom = 10 + ((SHEET_MM - 20) - (max(ys) - min(ys)) * scale) / 2

    def point(x, y):
        return f"{left + (x * kx - min(xs)) * scale:.1f},{SHEET_MM - bottom - (y - min(ys)) * scale:.1f}"

    paths = []
    for building, geometry in shapes:
        d = ""
        for polygon in getattr(geometry, "geoms", [geometry]):
            d += "M" + " L".join(point(x, y) for x, y in polygon.exterior.coords) + " Z "
        c = geometry.centroid
        paths.append({"d": d.strip(), "label": building.number, "at": point(c.x, c.y).split(",")})
    return {"paths": paths, "size": SHEET_MM}
