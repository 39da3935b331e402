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
from gongzhi.grids import engine
from gongzhi.grids.models import GridAssignmentHistory, GridPlan, MicroGrid
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
) -> GridPlan:
    """Draw the micro-grids of a neighborhood (or of the whole subdistrict) and store the proposal."""
    if (subdistrict is None) == (neighborhood is None):
        raise ValueError("propose_plan needs exactly one of subdistrict and neighborhood")
    org_services.require(actor, neighborhood or subdistrict, WRITE)
    lo, hi, gap = validate_bounds(min_households, max_households, gap_m)
    subdistrict = subdistrict or neighborhood.subdistrict
    stored = _stored_buildings(subdistrict, neighborhood)
    buildings = [b for b in stored if b.footprint is not None]
    previous = {b.key: b.grid_code for b in stored}
    try:
        result = engine.draw_grids(
            [b.engine_building for b in buildings],
            min_households=lo,
            max_households=hi,
            gap_m=gap,
            previous={b.key: b.grid_code for b in buildings if b.grid_code},
            full_redraw=full,
        )
    except engine.GridInputError as error:
        raise ValidationError(str(error)) from None
    with transaction.atomic():
        plan = _store_plan(actor, subdistrict, neighborhood, stored, previous, result, full)
        audit.record("propose", plan, actor=actor, summary=_plan_summary(plan))
    return plan


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
    """A stored building as the engine sees it, plus its current grid code."""

    __slots__ = ("key", "neighborhood_id", "grid_code", "households", "footprint", "nb_label")

    def __init__(self, row: dict, households: int, nb_label: str) -> None:
        self.key = str(row["id"])
        self.neighborhood_id = row["neighborhood_id"]
        level_ok = row["micro_grid__level"] == MicroGrid.Level.MICRO
        self.grid_code = row["micro_grid__code"] if level_ok else ""
        self.households = households
        self.nb_label = nb_label
        self.footprint = _footprint(row)

    @property
    def engine_building(self) -> engine.Building:
        return engine.Building(self.key, self.footprint, self.households, self.nb_label)


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
    # Neighborhood codes are unique, so the engine's new grid names `<code>-NNN` are too.
    labels = dict(Neighborhood.objects.filter(subdistrict=subdistrict).values_list("id", "code"))
    return [_Stored(r, counts.get(r["id"], 0), labels[r["neighborhood_id"]]) for r in rows.values(*fields)]


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


def _store_plan(actor, subdistrict, neighborhood, stored, previous, result, full) -> GridPlan:
    proposed = {engine.unit_building(unit): code for unit, code in result.assignment.items()}
    report = engine.report(result)
    report["unplaced"] = [b.key for b in stored if b.footprint is None]
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
        grids_unchanged=stability.grids_unchanged if stability else 0,
        grids_changed=stability.grids_changed if stability else len(result.grids),
        previous=previous,
        proposed=proposed,
        households={b.key: b.households for b in stored},
        grid_names=_grid_names(subdistrict, result.grids),
        boundaries=_outlines(stored, proposed),
    )


def _grid_names(subdistrict: Subdistrict, grids: list[engine.Grid]) -> dict[str, str]:
    """Existing grids keep their names; a new grid is called `<neighborhood>第N微网格` with the
    first N not taken in its neighborhood."""
    codes = [g.id for g in grids]
    names = dict(MicroGrid.objects.filter(code__in=codes).values_list("code", "name"))
    nb_names = dict(Neighborhood.objects.filter(subdistrict=subdistrict).values_list("code", "name"))
    taken = set(
        MicroGrid.objects.filter(neighborhood__subdistrict=subdistrict).values_list("name", flat=True)
    )
    numbers: dict[str, int] = defaultdict(int)
    for grid in grids:
        if grid.id in names:
            continue
        nb_name = nb_names.get(grid.neighborhood, grid.neighborhood)
        while True:
            numbers[nb_name] += 1
            name = f"{nb_name}第{numbers[nb_name]}微网格"
            if name not in taken:
                break
        taken.add(name)
        names[grid.id] = name
    return names


def _outlines(stored: list[_Stored], assignment: dict[str, str]) -> dict[str, dict]:
    """Per grid code, its buildings' footprints dissolved into one outline (GeoJSON)."""
    members: dict[str, list[BaseGeometry]] = defaultdict(list)
    for b in stored:
        if b.key in assignment:
            members[assignment[b.key]].append(b.footprint)
    return {code: outline(geoms) for code, geoms in members.items()}


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
    moved = sum(plan.households.get(key, 0) for key in changed if plan.previous.get(key))
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
    area = (
        Q(neighborhood_id=plan.neighborhood_id)
        if plan.neighborhood_id
        else Q(neighborhood__subdistrict_id=plan.subdistrict_id)
    )
    now = {
        str(pk): (code if level == MicroGrid.Level.MICRO else "")
        for pk, code, level in Building.objects.filter(area).values_list(
            "id", "micro_grid__code", "micro_grid__level"
        )
    }
    if now != {k: v or "" for k, v in plan.previous.items()}:
        raise ValidationError(
            _("Buildings or their grids have changed since this plan was drawn. Draw again.")
        )


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
    nb_of_building = dict(
        Building.objects.filter(pk__in=[int(k) for k in plan.proposed]).values_list("id", "neighborhood_id")
    )
    return {code: nb_of_building[int(key)] for key, code in plan.proposed.items()}


def _move_buildings(plan: GridPlan, grids: dict[str, MicroGrid]) -> list[str]:
    """Point changed buildings, their stairwells and households at their new grid (one update per
    grid and table), and write one history row per changed building."""
    changed = [key for key, code in plan.proposed.items() if (plan.previous.get(key) or "") != code]
    by_grid: dict[str, list[int]] = defaultdict(list)
    for key in changed:
        by_grid[plan.proposed[key]].append(int(key))
    for code, ids in by_grid.items():
        grid = grids[code]
        Building.objects.filter(pk__in=ids).update(micro_grid=grid)
        Stairwell.objects.filter(building_id__in=ids).update(micro_grid=grid)
        Household.objects.filter(building_id__in=ids).update(micro_grid=grid)
    old_names = dict(
        MicroGrid.objects.filter(code__in={plan.previous.get(k) for k in changed} - {None, ""}).values_list(
            "code", "name"
        )
    )
    GridAssignmentHistory.objects.bulk_create(
        GridAssignmentHistory(
            plan=plan,
            building_id=int(key),
            from_code=plan.previous.get(key) or "",
            from_name=old_names.get(plan.previous.get(key) or "", ""),
            to_code=plan.proposed[key],
            to_name=grids[plan.proposed[key]].name,
            households=plan.households.get(key, 0),
        )
        for key in changed
    )
    return changed


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
