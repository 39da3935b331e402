"""Every read of the visit plan: rules, coverage against them, due and overdue households, the
map layer of buildings. Filtered to the caller's area (the contact card: `cards.py`).

Coverage counts the households a user may see in an area where they may also read visits
(subdistrict, neighborhood, grid or building roles with the concern data class): property staff
and handlers, who read concerns routed to them, see no coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from gongzhi.core import pii
from gongzhi.core.idempotency import sender_key
from gongzhi.core.permissions import assignments_of, can_create, has_capability, may_read_class, scoped
from gongzhi.core.roles import ROLES
from gongzhi.grids.models import MicroGrid
from gongzhi.org import household_search
from gongzhi.org.household_search import SearchResult
from gongzhi.org.models import (
    Building,
    Household,
    Neighborhood,
    Resident,
    RoleAssignment,
    SensitiveTag,
    Subdistrict,
)
from gongzhi.org.selectors import households_visible_to, tags_visible_to
from gongzhi.visits import plan as visit_plan
from gongzhi.visits.models import Hotline, Visit, VisitRule

# Roles that go visiting: the staff rule counts them (a rule may name one of them).
VISITING_ROLES = ("neighborhood_secretary", "social_worker", "grid_chief", "grid_worker")
# Household paths per unit kind a visit reader may hold.
_HOUSEHOLD_PATHS = {
    "subdistrict": "neighborhood__subdistrict_id",
    "neighborhood": "neighborhood_id",
    "micro_grid": "micro_grid_id",
    "building": "building_id",
}
ORDER = ("building__compound__name", "building__number", "room")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(month: date) -> datetime:
    return datetime.combine(month.replace(day=1), time.min, tzinfo=_zone())


# ---- the plan ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """The rules a subdistrict measures visits against (defaults when it stored none)."""

    subdistrict_id: int | None
    household_months: int = visit_plan.DEFAULT_HOUSEHOLD_MONTHS
    tagged: dict[str, int] = field(default_factory=lambda: {"elderly_alone": visit_plan.DEFAULT_TAGGED_DAYS})
    staff: dict[str, int] = field(default_factory=dict)  # role ("" = every visiting role) → households
    stored: bool = False

    def staff_target(self, role: str) -> int | None:
        return self.staff.get(role, self.staff.get(""))


def home_subdistrict_id(user) -> int | None:
    items = assignments_of(user)
    if items:
        return items[0].subdistrict_id
    return None


def home_subdistrict(user) -> Subdistrict | None:
    """The subdistrict whose plan the user works under (their first role assignment's)."""
    return Subdistrict.objects.filter(pk=home_subdistrict_id(user)).first()


def plan_of(subdistrict_id: int | None) -> Plan:
    rules = list(VisitRule.objects.filter(subdistrict_id=subdistrict_id, active=True))
    if not rules:
        return Plan(subdistrict_id)
    plan = Plan(subdistrict_id, tagged={}, stored=True)
    for rule in rules:
        if rule.kind == VisitRule.Kind.HOUSEHOLD:
            plan.household_months = rule.every
        elif rule.kind == VisitRule.Kind.TAGGED:
            plan.tagged[rule.tag] = rule.every
        else:
            plan.staff[rule.role] = rule.every
    return plan


def rules_visible_to(user) -> QuerySet[VisitRule]:
    return scoped(user, VisitRule.objects.select_related("subdistrict", "updated_by"))


def rule_of(subdistrict: Subdistrict, rule_id: int | None) -> VisitRule | None:
    return VisitRule.objects.filter(subdistrict=subdistrict, pk=rule_id).first()


def map_area(user) -> tuple[str, int] | None:
    """The grid map where the due layer is drawn: the user's neighborhood's, else the subdistrict's."""
    for a in assignments_of(user):
        return ("neighborhood", a.neighborhood_id) if a.neighborhood_id else ("subdistrict", a.subdistrict_id)
    return None


def may_edit_rules(user, subdistrict_id: int | None) -> bool:
    return subdistrict_id is not None and can_create(user, VisitRule, {"subdistrict": subdistrict_id})


def tag_label(tag: str) -> str:
    return dict(SensitiveTag.choices).get(tag, tag)


def role_label(role: str) -> str:
    return str(ROLES[role].label) if role in ROLES else ""


# ---- whose households -------------------------------------------------------------------------


def coverage_households(user) -> QuerySet[Household]:
    """Households the user may see, where the user may also read visits."""
    households = households_visible_to(user)
    parts = [
        Q(**{_HOUSEHOLD_PATHS[role.unit_kind]: a.unit_id})
        for a in assignments_of(user)
        if (role := ROLES[a.role]).unit_kind in _HOUSEHOLD_PATHS and "concern" in role.read
    ]
    return households.filter(reduce(or_, parts)) if parts else households.none()


def sees_tags(user) -> bool:
    return may_read_class(user, "sensitive")


def _window(month: date, months: int) -> tuple[datetime, datetime, datetime]:
    """(start of the N-month window ending with `month`, its end, start of the overdue test)."""
    start = month_start(visit_plan.window_first_month(month, months))
    end = month_start(visit_plan.add_months(month, 1))
    overdue_from = month_start(visit_plan.overdue_first_month(month, months))
    return start, end, overdue_from


def _with_status(households: QuerySet[Household], month: date, months: int) -> QuerySet[Household]:
    start, end, overdue_from = _window(month, months)
    return households.annotate(
        seen=Exists(
            Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end)
        ),
        recent=Exists(
            Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=overdue_from, visited_at__lt=end)
        ),
    )


def _last_visit(until: datetime | None = None):
    visits = Visit.objects.filter(household=OuterRef("pk"))
    if until is not None:
        visits = visits.filter(visited_at__lt=until)
    return Subquery(visits.order_by("-visited_at").values("visited_at")[:1])


# ---- coverage ---------------------------------------------------------------------------------

GROUP_FIELDS = {"micro_grid": "micro_grid_id", "neighborhood": "neighborhood_id"}


def _group_labels(by: str, keys: set) -> dict:
    model = {"micro_grid": MicroGrid, "neighborhood": Neighborhood}[by]
    return dict(model.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))


def coverage_rows(user, *, month: date, months: int, by: str = "micro_grid") -> list[dict]:
    """Per grid or neighborhood: households, visited in the plan's window, due, overdue."""
    key = GROUP_FIELDS[by]
    counts = (
        _with_status(coverage_households(user).order_by(), month, months)
        .values(key)
        .annotate(
            total=Count("id"),
            visited=Count("id", filter=Q(seen=True)),
            overdue=Count("id", filter=Q(recent=False)),
        )
        .order_by()
    )
    labels = _group_labels(by, {c[key] for c in counts})
    rows = [
        {
            "key": c[key],
            "label": labels.get(c[key], "—"),
            "total": c["total"],
            "visited": c["visited"],
            "due": c["total"] - c["visited"],
            "overdue": c["overdue"],
            "rate": visit_plan.rate(c["visited"], c["total"]),
        }
        for c in counts
    ]
    return sorted(rows, key=lambda r: r["label"])


def coverage_total(rows: list[dict]) -> dict:
    total = {k: sum(r[k] for r in rows) for k in ("total", "visited", "due", "overdue")}
    total["rate"] = visit_plan.rate(total["visited"], total["total"])
    return total


def coverage_trend(user, *, month: date, months: int, span: int = 12) -> list[dict]:
    """Coverage of the plan's window for each of the `span` months ending with `month`, against
    today's households: one count per month over the visits the user may read (their area paths
    are copied onto the visit, so the (neighborhood, time) index answers it)."""
    total = coverage_households(user).order_by().count()
    in_scope = scoped(user, Visit.objects.all()).order_by()
    rows = []
    for back in range(span - 1, -1, -1):
        m = visit_plan.add_months(month, -back)
        start, end, _ = _window(m, months)
        figures = in_scope.filter(visited_at__gte=start, visited_at__lt=end).aggregate(
            visits=Count("id", filter=Q(visited_at__gte=month_start(m))),
            visited=Count("household_id", distinct=True),
        )
        rows.append(
            {"month": m, "total": total, **figures, "rate": visit_plan.rate(figures["visited"], total)}
        )
    return rows


def _staff_assignments(user) -> QuerySet[RoleAssignment]:
    """Visiting staff whose figures the user may see: under the user's own area (a grid worker
    sees their grid's staff, a secretary the neighborhood's, the admin the subdistrict's)."""
    staff = RoleAssignment.objects.filter(role__in=VISITING_ROLES).select_related("user")
    parts = []
    for a in assignments_of(user):
        role = ROLES[a.role]
        if "concern" not in role.read or role.unit_kind not in ("subdistrict", "neighborhood", "micro_grid"):
            continue
        parts.append(Q(**{f"{role.unit_kind}_id": a.unit_id}))
    return staff.filter(reduce(or_, parts)) if parts else staff.none()


def worker_rows(user, *, month: date, plan: Plan) -> list[dict]:
    """Per visiting staff member in the user's area: visits and distinct households in `month`
    against the staff rule (every staff member visits at least N households a month)."""
    start, end = month_start(month), month_start(visit_plan.add_months(month, 1))
    people: dict[int, dict] = {}
    for a in _staff_assignments(user):
        person = people.setdefault(a.user_id, {"user": a.user, "roles": [], "target": None})
        person["roles"].append(a.role)
        target = plan.staff_target(a.role)
        if target is not None:
            person["target"] = max(person["target"] or 0, target)
    counts = {
        c["worker_id"]: c
        for c in scoped(user, Visit.objects.all())
        .filter(visited_at__gte=start, visited_at__lt=end)
        .values("worker_id")
        .annotate(visits=Count("id"), households=Count("household_id", distinct=True))
        .order_by()
    }
    others = set(counts) - set(people)
    for u in get_user_model().objects.filter(pk__in=others):
        people[u.pk] = {"user": u, "roles": [], "target": None}
    rows = []
    for pk, person in people.items():
        c = counts.get(pk, {"visits": 0, "households": 0})
        target = person["target"]
        status = visit_plan.StaffTarget(c["households"], target) if target else None
        rows.append(
            {
                "key": pk,
                "label": str(person["user"]),
                "roles": ", ".join(role_label(r) for r in person["roles"]),
                "visits": c["visits"],
                "households": c["households"],
                "target": target,
                "met": status.met if status else None,
                "shortfall": status.shortfall if status else 0,
            }
        )
    return sorted(rows, key=lambda r: (r["met"] is not False, r["label"]))


# ---- due and overdue households ---------------------------------------------------------------


def due_households(
    user, *, month: date, months: int, grid_id: int | None = None, overdue_only: bool = False
) -> QuerySet[Household]:
    """Households not yet visited in the plan's window ending with `month`, each with `recent`
    (False = overdue) and `last_visit`; the list a worker works through."""
    qs = _with_status(coverage_households(user), month, months).filter(seen=False)
    if overdue_only:
        qs = qs.filter(recent=False)
    if grid_id:
        qs = qs.filter(micro_grid_id=grid_id)
    return qs.annotate(last_visit=_last_visit()).order_by(*ORDER)


def with_masked_names(households) -> list[Household]:
    """Attach `masked_name` (张*, the first resident on record) to each household of a page."""
    items = list(households)
    names: dict[int, str] = {}
    for household_id, name in (
        Resident.objects.filter(household_id__in=[h.pk for h in items]).order_by("household_id", "pk")
    ).values_list("household_id", "name"):
        names.setdefault(household_id, pii.mask_name(name))
    for h in items:
        h.masked_name = names.get(h.pk, "")
    return items


def _tagged_ids(user, tag: str) -> list[int]:
    """Households with a resident carrying `tag`, as ids: a few thousand in a town. Taken first,
    so the planner never nests the tag join inside the household scan (on PostgreSQL with stale
    statistics that nesting took 13 s for 60,000 households; with the ids, 0.2 s)."""
    return list(
        tags_visible_to(user)
        .filter(tag=tag)
        .values_list("resident__household_id", flat=True)
        .distinct()
        .order_by()
    )


def tagged_households(user, *, tag: str, days: int, now: datetime | None = None) -> list[Household]:
    """Households with a resident carrying `tag`, due or overdue under the every-N-days rule.
    Only for roles that read sensitive tags: the tag itself is personal data."""
    if not sees_tags(user):
        return []
    now = now or timezone.now()
    tagged = _tagged_ids(user, tag)
    warn_from = now - timedelta(days=days - visit_plan.warning_days(days))
    recent = Visit.objects.filter(household=OuterRef("pk"), visited_at__gt=warn_from)
    items = (
        coverage_households(user)
        .filter(pk__in=tagged)
        .filter(~Exists(recent))
        .annotate(last_visit=_last_visit())
        .order_by(*ORDER)
    )
    result = []
    for h in items[:500]:
        h.status = visit_plan.tagged_status(h.last_visit, now, days)
        result.append(h)
    return sorted(result, key=lambda h: h.status != "overdue")


TAGGED_SHOWN = 100  # per tag on the page, overdue first; the counts cover them all


def tagged_rows(user, *, plan: Plan, now: datetime | None = None) -> list[dict]:
    if not sees_tags(user):
        return []
    rows = []
    for tag, days in sorted(plan.tagged.items()):
        items = tagged_households(user, tag=tag, days=days, now=now)
        rows.append(
            {
                "tag": tag,
                "label": tag_label(tag),
                "days": days,
                "households": with_masked_names(items[:TAGGED_SHOWN]),
                "overdue": sum(h.status == "overdue" for h in items),
                "due": sum(h.status == "due" for h in items),
            }
        )
    return rows


def due_for_visit(user, *, limit: int = 6) -> list[Household]:
    """A few households of the user's area still due this month, overdue first: one tap on the
    visit form instead of a search."""
    plan = plan_of(home_subdistrict_id(user))
    month = timezone.localdate().replace(day=1)
    due = due_households(user, month=month, months=plan.household_months).order_by("pk")
    # In id order, so the scan stops after a few rows instead of sorting a whole town.
    found = list(due.filter(recent=False)[:limit])
    if len(found) < limit:
        found += list(due.filter(recent=True)[: limit - len(found)])
    return found


def household_to_visit(user, household_id: int | None) -> Household | None:
    return coverage_households(user).filter(pk=household_id).first()


def households_to_visit(user, text: str) -> SearchResult:
    """The one household search (org/household_search.py) over the area where the user records
    visits: the flat typed first, and a hint when nothing matches."""
    return household_search.search(coverage_households(user), text)


def visit_by_key(actor, idempotency_key: str) -> Visit | None:
    """The visit a retried submission already recorded (None: the first time)."""
    key = sender_key(str(actor.pk), idempotency_key)
    return Visit.objects.filter(idempotency_key=key).first() if key else None


def may_export(user) -> bool:
    """Whether the export buttons show (the export request is checked again when asked)."""
    return has_capability(user, "export")


# ---- the grid map layer -----------------------------------------------------------------------

# Green: nothing due; yellow: some due; orange: some overdue; red: half or more overdue.
LAYER_COLOURS = ("#2f9e44", "#f1c40f", "#e67e22", "#c0392b")


def _colour(households: int, due: int, overdue: int) -> str:
    if overdue and overdue * 2 >= households:
        return LAYER_COLOURS[3]
    if overdue:
        return LAYER_COLOURS[2]
    return LAYER_COLOURS[1] if due else LAYER_COLOURS[0]


def building_layer(user, *, area: Subdistrict | Neighborhood, month: date, plan: Plan) -> dict:
    """Buildings with coordinates as GeoJSON points: households, due and overdue counts (one
    aggregate query, so a phone gets a few kilobytes, not a list of households)."""
    households = coverage_households(user).order_by()
    if isinstance(area, Neighborhood):
        households = households.filter(neighborhood=area)
    else:
        households = households.filter(neighborhood__subdistrict=area)
    counts = (
        _with_status(households, month, plan.household_months)
        .values("building_id")
        .annotate(
            total=Count("id"),
            due=Count("id", filter=Q(seen=False)),
            overdue=Count("id", filter=Q(recent=False)),
        )
        .order_by()
    )
    by_building = {c["building_id"]: c for c in counts}
    tagged = _tagged_overdue_by_building(user, plan, list(by_building)) if sees_tags(user) else {}
    features = []
    for b in Building.objects.filter(pk__in=list(by_building), lat__isnull=False, lng__isnull=False).values(
        "pk", "lat", "lng", "number", "compound__name"
    ):
        c = by_building[b["pk"]]
        name = f"{b['compound__name']} {b['number']}".strip()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(b["lng"], 6), round(b["lat"], 6)]},
                "properties": {
                    "id": b["pk"],
                    "name": name,
                    "households": c["total"],
                    "due": c["due"],
                    "overdue": c["overdue"],
                    "tagged_overdue": tagged.get(b["pk"], 0),
                    "colour": _colour(c["total"], c["due"], c["overdue"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _tagged_overdue_by_building(user, plan: Plan, building_ids: list[int]) -> dict[int, int]:
    now = timezone.now()
    result: dict[int, int] = {}
    for tag, days in plan.tagged.items():
        tagged = _tagged_ids(user, tag)
        recent = Visit.objects.filter(household=OuterRef("pk"), visited_at__gt=now - timedelta(days=days))
        for building_id, n in (
            coverage_households(user)
            .filter(building_id__in=building_ids, pk__in=tagged)
            .filter(~Exists(recent))
            .values_list("building_id")
            .annotate(n=Count("id", distinct=True))
            .values_list("building_id", "n")
            .order_by()
        ):
            result[building_id] = result.get(building_id, 0) + n
    return result


def building_due(user, *, building_id: int, month: date, plan: Plan) -> list[Household]:
    """The due and overdue households of one building (the map popup), names masked."""
    items = due_households(user, month=month, months=plan.household_months).filter(building_id=building_id)
    return with_masked_names(items[:200])


def hotlines_visible_to(user, subdistrict_id: int | None) -> QuerySet[Hotline]:
    return scoped(user, Hotline.objects.select_related("neighborhood")).filter(subdistrict_id=subdistrict_id)
