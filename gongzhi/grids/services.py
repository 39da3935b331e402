"""Every write to micro-grids: draw a plan, adopt or discard it, assign grid staff.

Drawing reads the stored buildings of a neighborhood or a whole subdistrict, hands them to the
pure engine (`gongzhi.grids.engine.draw_grids`) and stores what came out as a `GridPlan`, with
everything the review page needs. Adopting writes the plan's grids into `MicroGrid`, moves
buildings, stairwells and households, and keeps a history row per building that changed grid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from gongzhi.core import audit
from gongzhi.core.permissions import WRITE
from gongzhi.grids import engine, mapfiles, units
from gongzhi.grids.models import CutLine, GridAssignmentHistory, GridPlan, MicroGrid
from gongzhi.grids.signals import households_regridded
from gongzhi.org import services as org_services
from gongzhi.org.models import Building, Household, Neighborhood, Stairwell, Subdistrict

DEGREE_M = 111_320  # metres per degree of latitude
# Grid outlines close gaps up to twice this between a grid's own buildings, so a grid reads as
# one area on the map rather than a scatter of rectangles.
OUTLINE_CLOSING_M = 10
POINT_FOOTPRINT_M = 6  # a building known only by its coordinates is drawn as a small square


# --- draw a plan ---------------------------------------------------------------------------------


def propose_plan(
    *,
    actor,
    subdistrict: Subdistrict | None = None,
    neighborhood: Neighborhood | None = None,
    min_households=300,
    max_households=500,
    gap_m=30,
    full: bool = False,
    keep_edits: bool = True,
) -> GridPlan:
    """Draw the micro-grids of a neighborhood (or of the whole subdistrict) and store the proposal.
    Grids edited by hand stay as they are unless `keep_edits` is False."""
    if (subdistrict is None) == (neighborhood is None):
        raise ValueError("propose_plan needs exactly one of subdistrict and neighborhood")
    org_services.require(actor, neighborhood or subdistrict, WRITE)
    lo, hi, gap = validate_bounds(min_households, max_households, gap_m)
    subdistrict = subdistrict or neighborhood.subdistrict
    stored = _stored_buildings(subdistrict, neighborhood)
    locked = _locked_codes(stored) if keep_edits else set()
    placed = [b for b in stored if b.footprint is not None]
    drawn = [b for b in placed if not locked & set(b.units().values())]
    lines = list(CutLine.objects.filter(subdistrict=subdistrict).values_list("geometry", flat=True))
    barriers = [shape(line) for line in lines]
    try:
        result = engine.draw_grids(
            [b.engine_building for b in drawn],
            min_households=lo,
            max_households=hi,
            gap_m=gap,
            # kept grids' units too, so their codes are not given to a new grid
            previous={u: c for b in placed for u, c in b.units().items() if c},
            full_redraw=full,
            barriers=barriers,
        )
    except engine.GridInputError as error:
        raise ValidationError(str(error)) from None
    with transaction.atomic():
        plan = _store_plan(actor, subdistrict, neighborhood, stored, result, full, locked, lines)
        audit.record("propose", plan, actor=actor, summary=_plan_summary(plan))
    return plan


def _locked_codes(stored: list[_Stored]) -> set[str]:
    codes = {c for b in stored for c in b.units().values() if c}
    return set(MicroGrid.objects.filter(code__in=codes, hand_edited=True).values_list("code", flat=True))


def validate_bounds(min_households, max_households, gap_m) -> tuple[int, int, float]:
    """The drawing parameters as numbers, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    lo = _number(min_households, int, "min_households", errors)
    hi = _number(max_households, int, "max_households", errors)
    gap = _number(gap_m, float, "gap_m", errors)
    if lo is not None and lo < 0:
        errors["min_households"] = _("The minimum must be 0 or more households.")
    if hi is not None and hi < 1:
        errors["max_households"] = _("The maximum must be at least 1 household.")
    if lo is not None and hi is not None and lo > hi and "max_households" not in errors:
        errors["max_households"] = _("The maximum must not be below the minimum.")
    if gap is not None and not 0 <= gap <= 1000:
        errors["gap_m"] = _("The gap must be between 0 and 1000 metres.")
    if errors:
        raise ValidationError(errors)
    return lo, hi, gap


def _number(value, kind: type, field: str, errors: dict) -> int | float | None:
    try:
        number = kind(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = _("Enter a number.") if kind is float else _("Enter a whole number.")
        return None
    if kind is float and number != number:  # NaN
        errors[field] = _("Enter a number.")
        return None
    return number


class _Stored:
    """A stored building as the engine sees it, with its stairwells and current grid codes."""

    __slots__ = ("key", "neighborhood_id", "grid_code", "households", "footprint", "nb_label", "stairwells")

    def __init__(self, row: dict, households: int, nb_label: str, stairwells: list[list]) -> None:
        self.key = str(row["id"])
        self.neighborhood_id = row["neighborhood_id"]
        level_ok = row["micro_grid__level"] == MicroGrid.Level.MICRO
        self.grid_code = row["micro_grid__code"] if level_ok else ""
        self.households = households
        self.nb_label = nb_label
        self.footprint = _footprint(row)
        self.stairwells = stairwells  # [pk, name, households, grid code], two or more, in order

    def units(self) -> dict[str, str]:
        """Unit key → grid code now: the building, or runs of stairwells when they differ."""
        if len(self.stairwells) < 2:
            return {self.key: self.grid_code or ""}
        return units.compress({self.key: [s[3] or self.grid_code or "" for s in self.stairwells]})

    def unit_households(self, key: str) -> int:
        return units.unit_households(key, self.households, [s[2] for s in self.stairwells])

    @property
    def engine_building(self) -> engine.Building:
        counts = tuple(s[2] for s in self.stairwells) if len(self.stairwells) > 1 else None
        return engine.Building(self.key, self.footprint, self.households, self.nb_label, counts)


def _stored_buildings(subdistrict: Subdistrict, neighborhood: Neighborhood | None) -> list[_Stored]:
    area = Q(neighborhood=neighborhood) if neighborhood else Q(neighborhood__subdistrict=subdistrict)
    rows = Building.objects.filter(area).order_by("id")
    fields = ("id", "neighborhood_id", "footprint", "lng", "lat", "micro_grid__code", "micro_grid__level")
    counts = dict(
        Household.objects.filter(building__in=rows.values("id"))
        .values_list("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )
    stairwells = _stairwells_of(rows)
    # Neighborhood codes are unique, so the engine's new grid names `<code>-NNN` are too.
    labels = dict(Neighborhood.objects.filter(subdistrict=subdistrict).values_list("id", "code"))
    return [
        _Stored(r, counts.get(r["id"], 0), labels[r["neighborhood_id"]], stairwells.get(r["id"], []))
        for r in rows.values(*fields)
    ]


def _stairwells_of(buildings) -> dict[int, list[list]]:
    """Per building with two or more stairwells: [pk, name, households, grid code] in order.
    Households of the building on no stairwell count with its first stairwell."""
    per_stairwell = dict(
        Household.objects.filter(building__in=buildings.values("id"), stairwell__isnull=False)
        .values_list("stairwell_id")
        .annotate(n=Count("id"))
        .values_list("stairwell_id", "n")
    )
    loose = dict(
        Household.objects.filter(building__in=buildings.values("id"), stairwell__isnull=True)
        .values_list("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )
    out: dict[int, list[list]] = defaultdict(list)
    rows = Stairwell.objects.filter(building__in=buildings.values("id")).order_by("building_id", "name", "id")
    for pk, building_id, name, code, level in rows.values_list(
        "id", "building_id", "name", "micro_grid__code", "micro_grid__level"
    ):
        code = code if level == MicroGrid.Level.MICRO else ""
        out[building_id].append([pk, name, per_stairwell.get(pk, 0), code or ""])
    for building_id, rows_ in list(out.items()):
        if len(rows_) < 2:
            del out[building_id]
        else:
            rows_[0][2] += loose.get(building_id, 0)
    return out


def _footprint(row: dict) -> BaseGeometry | None:
    """The stored GeoJSON footprint, repaired if self-intersecting; else a small square at the
    building's coordinates; else None (the building cannot be placed and keeps its grid)."""
    raw = row["footprint"]
    if raw:
        try:
            geometry = shape(raw)
        except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
            geometry = None
        if geometry is not None and not geometry.is_empty:
            return geometry if geometry.is_valid else shapely.make_valid(geometry).buffer(0)
    if row["lng"] is not None and row["lat"] is not None:
        half = POINT_FOOTPRINT_M / 2 / DEGREE_M
        return shapely.box(row["lng"] - half, row["lat"] - half, row["lng"] + half, row["lat"] + half)
    return None


def _store_plan(actor, subdistrict, neighborhood, stored, result, full, locked, lines) -> GridPlan:
    previous = {u: c for b in stored for u, c in b.units().items()}
    counts = {b.key: len(b.stairwells) for b in stored if b.stairwells}
    proposed = dict(result.assignment)
    proposed |= {u: c for b in stored if b.footprint is not None for u, c in b.units().items() if c in locked}
    proposed = units.compress(units.per_stairwell(proposed, counts))
    by_key = {b.key: b for b in stored}
    households = {u: by_key[units.unit_building(u)].unit_households(u) for u in {*previous, *proposed}}
    report = engine.report(result)
    _add_kept_grids(report, proposed, households, locked, by_key, result)
    report["unplaced"] = [b.key for b in stored if b.footprint is None]
    report["stairwells"] = {b.key: [s[:3] for s in b.stairwells] for b in stored if b.stairwells}
    report["locked"] = sorted(locked)
    report["edits"] = []
    report["barriers"] = lines  # the cut lines drawn against; hand edits check contiguity with them
    # Names of the grids the buildings are in now, for the review page's "from" column.
    report["previous_names"] = dict(
        MicroGrid.objects.filter(code__in=set(previous.values()) - {""}).values_list("code", "name")
    )
    stability = result.stability
    return GridPlan.objects.create(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        min_households=result.min_households,
        max_households=result.max_households,
        gap_m=result.gap_m,
        full_redraw=full,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        seconds=result.seconds,
        report=report,
        households_moved=stability.households_moved if stability else 0,
        households_compared=stability.households_compared if stability else 0,
        grids_unchanged=(stability.grids_unchanged if stability else 0) + len(locked),
        grids_changed=stability.grids_changed if stability else len(result.grids),
        previous=previous,
        proposed=proposed,
        households=households,
        grid_names=_grid_names(subdistrict, [(g["id"], g["neighborhood"]) for g in report["grids"]]),
        boundaries=_outlines(stored, proposed),
    )


def _add_kept_grids(report, proposed, households, locked, by_key, result) -> None:
    """Grids kept because they were edited by hand join the report as rows of their own."""
    for code in sorted(locked):
        keys = [u for u, c in proposed.items() if c == code]
        if not keys:
            continue
        total = sum(households[u] for u in keys)
        within = result.min_households <= total <= result.max_households
        report["grids"].append(
            {
                "id": code,
                "neighborhood": by_key[units.unit_building(keys[0])].nb_label,
                "households": total,
                "buildings": len({units.unit_building(u) for u in keys}),
                "units": keys,
                "compactness": None,
                "within_bounds": within,
                "flags": [] if within else [engine.CONSTRAINED],
                "reasons": [_("Edited by hand and kept as it is.")],
                "unavoidable": False,
                "hand_edited": True,
            }
        )
    _retotal(report, result.min_households, result.max_households)


def _retotal(report: dict, lo: int, hi: int) -> None:
    grids = report["grids"]
    report["grids"] = sorted(grids, key=lambda g: g["id"])
    for g in grids:
        g["within_bounds"] = lo <= g["households"] <= hi
    totals = report["totals"]
    totals["grids"] = len(grids)
    totals["households"] = sum(g["households"] for g in grids)
    totals["grids_within_bounds"] = sum(g["within_bounds"] for g in grids)


def _grid_names(subdistrict: Subdistrict, grids: list[tuple[str, str]]) -> dict[str, str]:
    """Existing grids keep their names; a new grid is called `<neighborhood>第N微网格` with the
    first N not taken in its neighborhood. `grids` are (code, neighborhood code) pairs."""
    codes = [code for code, _nb in grids]
    names = dict(MicroGrid.objects.filter(code__in=codes).values_list("code", "name"))
    nb_names = dict(Neighborhood.objects.filter(subdistrict=subdistrict).values_list("code", "name"))
    taken = set(
        MicroGrid.objects.filter(neighborhood__subdistrict=subdistrict).values_list("name", flat=True)
    )
    numbers: dict[str, int] = defaultdict(int)
    for code, nb_code in grids:
        if code in names:
            continue
        nb_name = nb_names.get(nb_code, nb_code)
        while True:
            numbers[nb_name] += 1
            name = f"{nb_name}第{numbers[nb_name]}微网格"
            if name not in taken:
                break
        taken.add(name)
        names[code] = name
    return names


def _outlines(stored: list[_Stored], assignment: dict[str, str]) -> dict[str, dict]:
    """Per grid code, its buildings' footprints dissolved into one outline (GeoJSON); a building
    split by stairwell belongs to each of its grids."""
    footprints = {b.key: b.footprint for b in stored}
    return {
        code: outline(footprints[k] for k in keys) for code, keys in units.grid_members(assignment).items()
    }


def outline(geoms: Iterable[BaseGeometry]) -> dict:
    """Footprints dissolved and closed (buffer out, union, buffer in; mitred, so rectangular
    blocks stay rectangular), without holes, simplified to ~1 m: one area per group of buildings."""
    d = OUTLINE_CLOSING_M / DEGREE_M
    merged = shapely.union_all(shapely.buffer(list(geoms), d, join_style="mitre"))
    merged = merged.buffer(-d, join_style="mitre")
    solid = shapely.union_all(shapely.polygons(shapely.get_exterior_ring(shapely.get_parts(merged))))
    return mapping(shapely.set_precision(solid.simplify(1 / DEGREE_M), 1e-7))


def _plan_summary(plan: GridPlan) -> str:
    totals = plan.report.get("totals", {})
    return f"{plan}: {totals.get('grids', 0)} grids, {plan.households_moved} households change grid"


# --- adopt or discard ---------------------------------------------------------------------------


@transaction.atomic
def adopt_plan(*, actor, plan: GridPlan) -> GridPlan:
    """Make a proposal the current micro-grids. One adoption per subdistrict at a time; a plan
    already decided, or drawn before a later adoption or change in its area, is refused."""
    # Locking the subdistrict serialises adoptions of overlapping areas, not only of one plan.
    Subdistrict.objects.select_for_update().filter(pk=plan.subdistrict_id).first()
    plan = GridPlan.objects.select_for_update().get(pk=plan.pk)
    org_services.require(actor, plan, WRITE)
    _refuse_decided(plan)
    _refuse_stale(plan)
    grids = _write_grids(plan)
    changed = _move_buildings(plan, grids)
    _retire_emptied(plan, grids)
    plan.status = GridPlan.Status.ADOPTED
    plan.adopted_at = timezone.now()
    plan.adopted_by = actor
    plan.save(update_fields=["status", "adopted_at", "adopted_by"])
    _mark_hand_edits(plan, grids)
    moved = sum(h.households for h in GridAssignmentHistory.objects.filter(plan=plan).exclude(from_code=""))
    audit.record(
        "adopt",
        plan,
        actor=actor,
        summary=_plan_summary(plan),
        changes={"grids": len(grids), "buildings_changed": len(changed), "households_moved": moved},
    )
    return plan


@transaction.atomic
def discard_plan(*, actor, plan: GridPlan) -> GridPlan:
    plan = GridPlan.objects.select_for_update().get(pk=plan.pk)
    org_services.require(actor, plan, WRITE)
    _refuse_decided(plan)
    plan.status = GridPlan.Status.DISCARDED
    plan.discarded_at = timezone.now()
    plan.discarded_by = actor
    plan.save(update_fields=["status", "discarded_at", "discarded_by"])
    audit.record("discard", plan, actor=actor, summary=str(plan))
    return plan


def _mark_hand_edits(plan: GridPlan, grids: dict[str, MicroGrid]) -> None:
    """Grids a secretary edited in this plan (or kept from an earlier edit) are marked, so the
    next redraw keeps them; the plan's other grids are the engine's."""
    edited = set(plan.report.get("locked", []))
    for edit in plan.report.get("edits", []):
        edited |= {edit["from"], edit["to"]}
    MicroGrid.objects.filter(pk__in=[g.pk for c, g in grids.items() if c in edited]).update(hand_edited=True)
    MicroGrid.objects.filter(pk__in=[g.pk for c, g in grids.items() if c not in edited]).update(
        hand_edited=False
    )


def _refuse_decided(plan: GridPlan) -> None:
    if plan.status == GridPlan.Status.ADOPTED:
        raise ValidationError(_("This plan has already been adopted."))
    if plan.status == GridPlan.Status.DISCARDED:
        raise ValidationError(_("This plan has been discarded."))


def _refuse_stale(plan: GridPlan) -> None:
    later = GridPlan.objects.filter(
        subdistrict_id=plan.subdistrict_id, status=GridPlan.Status.ADOPTED, adopted_at__gt=plan.created_at
    )
    if plan.neighborhood_id:
        later = later.filter(Q(neighborhood__isnull=True) | Q(neighborhood_id=plan.neighborhood_id))
    if later.exists():
        raise ValidationError(
            _("Another plan for this area was adopted after this one was drawn. Draw again.")
        )
    neighborhood = Neighborhood.objects.filter(pk=plan.neighborhood_id).first()
    stored = _stored_buildings(plan.subdistrict, neighborhood)
    counts = _stairwell_counts(plan) | {b.key: len(b.stairwells) for b in stored if b.stairwells}
    now = units.per_stairwell({u: c for b in stored for u, c in b.units().items()}, counts)
    if now != units.per_stairwell(plan.previous, counts):
        raise ValidationError(
            _("Buildings or their grids have changed since this plan was drawn. Draw again.")
        )


def _stairwell_counts(plan: GridPlan) -> dict[str, int]:
    return {key: len(rows) for key, rows in plan.report.get("stairwells", {}).items()}


def _write_grids(plan: GridPlan) -> dict[str, MicroGrid]:
    """The plan's grids as MicroGrid rows: existing codes keep their row (and staff), new codes
    are created; every grid's outline is refreshed."""
    codes = set(plan.proposed.values())
    nb_of_code = _neighborhood_of_codes(plan)
    grids = {g.code: g for g in MicroGrid.objects.select_for_update().filter(code__in=codes)}
    for code, grid in grids.items():
        if grid.neighborhood_id != nb_of_code[code] or grid.level != MicroGrid.Level.MICRO:
            raise ValidationError(_("Grid code %(code)s is already used elsewhere.") % {"code": code})
        grid.boundary = plan.boundaries.get(code)
    MicroGrid.objects.bulk_update(grids.values(), ["boundary"])
    new = [
        MicroGrid(
            neighborhood_id=nb_of_code[code],
            level=MicroGrid.Level.MICRO,
            code=code,
            name=plan.grid_names.get(code, code),
            boundary=plan.boundaries.get(code),
        )
        for code in sorted(codes - grids.keys())
    ]
    for grid in MicroGrid.objects.bulk_create(new):
        grids[grid.code] = grid
    if any(g.pk is None for g in grids.values()):  # backends that return no ids from bulk_create
        grids = {g.code: g for g in MicroGrid.objects.filter(code__in=codes)}
    return grids


def _neighborhood_of_codes(plan: GridPlan) -> dict[str, int]:
    keys = {int(units.unit_building(k)) for k in plan.proposed}
    nb_of_building = dict(Building.objects.filter(pk__in=keys).values_list("id", "neighborhood_id"))
    return {code: nb_of_building[int(units.unit_building(key))] for key, code in plan.proposed.items()}


def _move_buildings(plan: GridPlan, grids: dict[str, MicroGrid]) -> list[str]:
    """Point changed buildings, their stairwells and households at their new grid (one update per
    grid and table; a building split by stairwell moves stairwell by stairwell), write one history
    row per changed unit, and tell other apps (visits) whose households changed grid."""
    counts = _stairwell_counts(plan)
    before = units.per_stairwell(plan.previous, counts)
    after = units.per_stairwell(plan.proposed, counts)
    changed = [key for key, codes in after.items() if before.get(key) != codes]
    whole: dict[str, list[int]] = defaultdict(list)
    for key in changed:
        codes = after[key]
        if len(set(codes)) == 1:
            whole[codes[0]].append(int(key))
        else:
            _move_split(plan, key, codes, grids)
    for code, ids in whole.items():
        grid = grids[code]
        Building.objects.filter(pk__in=ids).update(micro_grid=grid)
        Stairwell.objects.filter(building_id__in=ids).update(micro_grid=grid)
        Household.objects.filter(building_id__in=ids).update(micro_grid=grid)
    _write_history(plan, grids, before, changed)
    if changed:
        households_regridded.send(sender=GridPlan, building_ids=[int(k) for k in changed])
    return changed


def _move_split(plan: GridPlan, key: str, codes: list[str], grids: dict[str, MicroGrid]) -> None:
    """A building split by stairwell: each stairwell and its households to their grid; the
    building itself (and any household on no stairwell) to the grid holding most households."""
    rows = plan.report["stairwells"][key]
    weight: dict[str, int] = defaultdict(int)
    by_code: dict[str, list[int]] = defaultdict(list)
    for (pk, _name, households), code in zip(rows, codes, strict=True):
        weight[code] += households
        by_code[code].append(pk)
    main = grids[max(weight, key=lambda c: (weight[c], c))]
    Building.objects.filter(pk=int(key)).update(micro_grid=main)
    Household.objects.filter(building_id=int(key), stairwell__isnull=True).update(micro_grid=main)
    for code, pks in by_code.items():
        Stairwell.objects.filter(pk__in=pks).update(micro_grid=grids[code])
        Household.objects.filter(stairwell_id__in=pks).update(micro_grid=grids[code])


def _write_history(plan: GridPlan, grids: dict[str, MicroGrid], before: dict, changed: list[str]) -> None:
    changed_set = set(changed)
    rows = []
    for unit, code in plan.proposed.items():
        key = units.unit_building(unit)
        if key not in changed_set:
            continue
        span = units.stairwell_range(unit) or (1, 1)
        old = (before.get(key) or [""])[min(span[0], len(before.get(key) or [""])) - 1]
        if old != code:
            rows.append((key, old, code, plan.households.get(unit, 0)))
    old_names = dict(
        MicroGrid.objects.filter(code__in={old for _k, old, _c, _h in rows} - {""}).values_list(
            "code", "name"
        )
    )
    GridAssignmentHistory.objects.bulk_create(
        GridAssignmentHistory(
            plan=plan,
            building_id=int(key),
            from_code=old,
            from_name=old_names.get(old, ""),
            to_code=code,
            to_name=grids[code].name,
            households=households,
        )
        for key, old, code, households in rows
    )


def _retire_emptied(plan: GridPlan, grids: dict[str, MicroGrid]) -> None:
    """Grids of the area's old drawing that hold no building now: removed when nothing refers to
    them; kept (without outline) when staff, party organisations or pledges still point at them."""
    emptied = set(filter(None, plan.previous.values())) - grids.keys()
    for grid in MicroGrid.objects.filter(code__in=emptied, level=MicroGrid.Level.MICRO):
        if _referenced(grid):
            MicroGrid.objects.filter(pk=grid.pk).update(boundary=None)
        else:
            grid.delete()


def _referenced(grid: MicroGrid) -> bool:
    if grid.grid_chief_id:
        return True
    relations = [
        f for f in MicroGrid._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete
    ]
    return any(r.related_model._base_manager.filter(**{r.field.name: grid}).exists() for r in relations)


# --- grid staff ---------------------------------------------------------------------------------


@transaction.atomic
def assign_grid_staff(*, actor, micro_grid: MicroGrid, grid_chief=None, grid_workers=()) -> MicroGrid:
    """Name a grid chief (网格长) and add grid workers (网格员): each gets the role on the grid."""
    micro_grid = MicroGrid.objects.select_for_update().get(pk=micro_grid.pk)
    org_services.require(actor, micro_grid, WRITE)
    if micro_grid.level != MicroGrid.Level.MICRO:
        raise ValidationError({"micro_grid": _("Grid staff are assigned to micro-grids only.")})
    if grid_chief is not None:
        org_services.assign_role(actor=actor, user=grid_chief, role="grid_chief", unit=micro_grid)
        if micro_grid.grid_chief_id != grid_chief.pk:
            before = micro_grid.grid_chief_id
            micro_grid.grid_chief = grid_chief
            micro_grid.save(update_fields=["grid_chief"])
            audit.record("update", micro_grid, actor=actor, changes={"grid_chief": [before, grid_chief.pk]})
    for worker in grid_workers:
        org_services.assign_role(actor=actor, user=worker, role="grid_worker", unit=micro_grid)
    return micro_grid


# --- hand edits on a proposed plan ---------------------------------------------------------------

REASON_MAX = 200


def preview_move(plan: GridPlan, selection: list[str], to_code: str) -> dict:
    """What moving the selected buildings ("12") or stairwells ("12#2", 1-based) of a plan to
    grid `to_code` would do: both grids' households before and after, whether each stays
    contiguous and within bounds, and the problems that refuse the move (empty when allowed)."""
    counts = _stairwell_counts(plan)
    codes = units.per_stairwell(plan.proposed, counts)
    picked, problems = _picked(selection, codes, counts)
    sources = {codes[key][index] for key, index in picked}
    rows = {g["id"]: g for g in plan.report.get("grids", [])}
    if to_code not in rows:
        problems.append(_("Choose the grid to move to."))
    if len(sources) > 1:
        problems.append(_("Select buildings or stairwells of one grid."))
    if problems or not picked:
        return {"problems": problems or [_("Select a building or stairwell.")], "grids": []}
    source = sources.pop()
    if source == to_code:
        return {"problems": [_("They are already in this grid.")], "grids": []}
    after = {key: list(c) for key, c in codes.items()}
    for key, index in picked:
        after[key][index] = to_code
    return _judge_move(plan, rows, codes, after, source, to_code, picked)


def _picked(selection: list[str], codes: dict, counts: dict) -> tuple[list[tuple[str, int]], list[str]]:
    """(building key, stairwell index) pairs of a selection; a whole building means all its
    stairwells (one pair for a building without stairwells)."""
    picked, problems = [], []
    for token in selection:
        key, sep, number = str(token).partition("#")
        if key not in codes:
            problems.append(_("Building %(key)s is not in this plan.") % {"key": key})
            continue
        if not sep:
            picked.extend((key, i) for i in range(len(codes[key])))
            continue
        if not number.isdigit() or not 1 <= int(number) <= counts.get(key, 0):
            problems.append(_("Building %(key)s has no stairwell %(n)s.") % {"key": key, "n": number})
            continue
        picked.append((key, int(number) - 1))
    return list(dict.fromkeys(picked)), problems


def _judge_move(plan, rows, codes, after, source, target, picked) -> dict:
    problems = []
    if rows[source]["neighborhood"] != rows[target]["neighborhood"]:
        problems.append(_("A grid never crosses a neighborhood: choose a grid of the same neighborhood."))
    new_units = units.compress(after)
    members = units.grid_members(new_units)
    involved = {source: members.get(source, set()), target: members.get(target, set())}
    footprints = _footprints({k for m in involved.values() for k in m})
    barriers = [shape(b) for b in plan.report.get("barriers", [])]
    contiguous = engine.contiguous_groups(footprints, involved, plan.gap_m, barriers)
    names = {code: plan.grid_names.get(code, code) for code in (source, target)}
    grids = []
    households = _unit_households_of(plan)
    for code in (source, target):
        before = sum(h for u, h in households(plan.proposed).items() if plan.proposed[u] == code)
        now = sum(h for u, h in households(new_units).items() if new_units[u] == code)
        grids.append(
            {
                "code": code,
                "name": names[code],
                "before": before,
                "after": now,
                "within": plan.min_households <= now <= plan.max_households,
                "contiguous": contiguous[code],
                "emptied": not involved[code],
            }
        )
        if not contiguous[code]:
            problems.append(
                _("%(name)s would no longer be contiguous: move buildings next to the grid only.")
                % {"name": names[code]}
            )
    moved = sum(_stairwell_households(plan, key, index) for key, index in picked)
    return {"problems": problems, "grids": grids, "households": moved, "units": new_units}


def _unit_households_of(plan: GridPlan):
    rows = plan.report.get("stairwells", {})

    def households(mapping: dict[str, str]) -> dict[str, int]:
        out = {}
        for unit in mapping:
            if unit in plan.households:
                out[unit] = plan.households[unit]
                continue
            key = units.unit_building(unit)
            whole = plan.households.get(key)
            if whole is None:
                whole = sum(
                    h for u, h in plan.households.items() if units.unit_building(u) == key and "#" in u
                )
            out[unit] = units.unit_households(unit, whole, [r[2] for r in rows.get(key, [])])
        return out

    return households


def _stairwell_households(plan: GridPlan, key: str, index: int) -> int:
    rows = plan.report.get("stairwells", {}).get(key)
    if rows:
        return rows[index][2]
    return plan.households.get(key, 0)


def _footprints(keys: set[str]) -> dict[str, BaseGeometry]:
    rows = Building.objects.filter(pk__in=[int(k) for k in keys]).values_list("id", "footprint", "lng", "lat")
    out = {}
    for pk, footprint, lng, lat in rows:
        geometry = _footprint({"footprint": footprint, "lng": lng, "lat": lat})
        if geometry is not None:
            out[str(pk)] = geometry
    return out


@transaction.atomic
def move_units(*, actor, plan: GridPlan, selection: list[str], to_code: str, reason: str) -> GridPlan:
    """A secretary's hand edit: move the selected buildings or stairwells of a proposed plan to a
    neighbouring grid of the same neighborhood, with the reason. Refused (nothing changes) when
    it would break a grid's contiguity or cross a neighborhood. The plan is then reviewed and
    adopted as any other; adoption marks both grids as edited by hand."""
    plan = GridPlan.objects.select_for_update().get(pk=plan.pk)
    org_services.require(actor, plan, WRITE)
    _refuse_decided(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the buildings move: the reason is kept with the plan.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}})
    verdict = preview_move(plan, selection, to_code)
    if verdict["problems"]:
        raise ValidationError(verdict["problems"])
    _apply_move(plan, verdict, actor, selection, reason)
    audit.record(
        "update",
        plan,
        actor=actor,
        summary=_("Hand edit: %(n)s households to %(grid)s") % {"n": verdict["households"], "grid": to_code},
        changes={"moved": selection, "to": to_code, "reason": reason},
    )
    return plan


def _apply_move(plan: GridPlan, verdict: dict, actor, selection: list[str], reason: str) -> None:
    source, target = verdict["grids"][0], verdict["grids"][1]
    new_units = verdict["units"]
    households = _unit_households_of(plan)(new_units)
    plan.households = {**plan.households, **households}
    plan.proposed = new_units
    rows = {g["id"]: g for g in plan.report["grids"]}
    members = units.grid_members(new_units)
    footprints = _footprints(members.get(source["code"], set()) | members.get(target["code"], set()))
    for grid in (source, target):
        code = grid["code"]
        if grid["emptied"]:
            rows.pop(code, None)
            plan.boundaries.pop(code, None)
            continue
        keys = [u for u, c in new_units.items() if c == code]
        rows[code] |= _edited_row(plan, code, keys, grid["after"])
        plan.boundaries[code] = outline(footprints[k] for k in members[code] if k in footprints)
    plan.report["grids"] = list(rows.values())
    _retotal(plan.report, plan.min_households, plan.max_households)
    plan.report.setdefault("edits", []).append(
        {
            "selection": list(selection),
            "from": source["code"],
            "to": target["code"],
            "households": verdict["households"],
            "reason": reason,
            "by": str(actor),
            "at": timezone.now().isoformat(),
        }
    )
    plan.save(update_fields=["proposed", "households", "report", "boundaries"])


def _edited_row(plan: GridPlan, code: str, keys: list[str], households: int) -> dict:
    within = plan.min_households <= households <= plan.max_households
    reason = _("Edited by hand: %(n)s households.") % {"n": households}
    return {
        "households": households,
        "buildings": len({units.unit_building(u) for u in keys}),
        "units": keys,
        "within_bounds": within,
        "flags": [] if within else [engine.CONSTRAINED],
        "reasons": [reason],
        "unavoidable": False,
        "hand_edited": True,
    }


# --- a map from the district's GIS --------------------------------------------------------------


@transaction.atomic
def import_map(*, actor, area: Subdistrict | Neighborhood, raw: bytes | str, crs: str) -> dict:
    """Read a GeoJSON of buildings (polygons with an address) and cut lines (roads, rivers,
    walls), converted from `crs` to WGS84. Buildings are matched to the ledger's buildings of the
    area by address and get their footprint; cut lines replace the area's earlier ones. Returns
    the report: matched, lines, features that matched no building (or several), and ledger
    buildings no feature matched. A bad file changes nothing."""
    org_services.require(actor, area, WRITE)
    features, lines = mapfiles.read_geojson(raw, crs)
    ledger = _ledger_addresses(area)
    matched, unmatched = {}, []
    for item in features:
        found = ledger.get(mapfiles.address_key(item.address), [])
        if len(found) == 1 and found[0] not in matched:
            matched[found[0]] = item
        else:
            why = (
                _("no building with this address")
                if not found
                else _("several features or buildings share it")
            )
            unmatched.append({"row": item.row, "address": item.address, "why": why})
    for pk, item in matched.items():
        point = item.geometry.representative_point()
        Building.objects.filter(pk=pk).update(
            footprint=mapfiles.geojson_of(item.geometry), lng=round(point.x, 7), lat=round(point.y, 7)
        )
    _replace_cut_lines(area, lines)
    report = _import_report(area, matched, unmatched, lines, crs)
    audit.record(
        "import",
        area,
        actor=actor,
        summary=_import_summary(report),
        changes=report | {"unmatched": len(unmatched)},
    )
    return report


def _ledger_addresses(area) -> dict[str, list[int]]:
    """Address key → building ids of the area: "<compound><number>" and "<compound address><number>"."""
    rows = Building.objects.filter(_area_q(area)).values_list(
        "id", "number", "compound__name", "compound__address"
    )
    out: dict[str, list[int]] = defaultdict(list)
    for pk, number, compound, address in rows:
        for prefix in {compound, address} - {None, ""}:
            out[mapfiles.address_key(f"{prefix}{number}")].append(pk)
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def _area_q(area) -> Q:
    return Q(neighborhood=area) if isinstance(area, Neighborhood) else Q(neighborhood__subdistrict=area)


def _replace_cut_lines(area, lines) -> None:
    neighborhood = area if isinstance(area, Neighborhood) else None
    subdistrict = area.subdistrict if neighborhood else area
    CutLine.objects.filter(subdistrict=subdistrict, neighborhood=neighborhood).delete()
    CutLine.objects.bulk_create(
        CutLine(
            subdistrict=subdistrict,
            neighborhood=neighborhood,
            kind=item.kind,
            name=item.name,
            geometry=mapfiles.geojson_of(item.geometry),
        )
        for item in lines
    )


def _import_report(area, matched, unmatched, lines, crs) -> dict:
    missing = Building.objects.filter(_area_q(area)).exclude(pk__in=list(matched)).select_related("compound")
    return {
        "crs": crs,
        "buildings_matched": len(matched),
        "lines": len(lines),
        "unmatched_features": unmatched,
        "ledger_without_feature": [str(b) for b in missing.order_by("compound__name", "number")[:500]],
        "ledger_without_feature_count": missing.count(),
    }


def _import_summary(report: dict) -> str:
    return (
        f"map import: {report['buildings_matched']} buildings matched, {report['lines']} cut lines, "
        f"{len(report['unmatched_features'])} features unmatched"
    )
