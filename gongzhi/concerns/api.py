"""API of concerns at /api/v1/concerns… and /api/v1/visits (a visit may open a concern): same scope
and services as the pages.

Intake takes an `Idempotency-Key` header (or `idempotency_key` field): a retry returns the first
concern with 200 instead of 201. A stale `version` on a transition answers 409 with the reason.
"""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.concerns import joint, selectors, services, visit_intake
from gongzhi.concerns.services import Conflict
from gongzhi.core import paging
from gongzhi.core.errors import NotInScope, ValidationError
from gongzhi.core.pages import parse_month
from gongzhi.org import selectors as org_selectors

# Bearer token first, then the session: the API-wide authentication (gongzhi/api.py).
router = Router(tags=["concerns"])


class ConcernIn(Schema):
    category: str = Field(..., description="category code, e.g. parking")
    description: str
    title: str = ""
    household_id: int | None = None
    building_id: int | None = None
    neighborhood_id: int | None = None
    channel: str = "hotline"
    households_affected: int = 1
    estimated_cost: Decimal | None = None
    urgent: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str = ""


class ConcernOut(Schema):
    id: int
    title: str
    description: str
    category: str = Field(..., alias="category.code")
    state: str
    tier: str
    tier_by_rule: str
    version: int
    channel: str
    neighborhood_id: int | None
    household_id: int | None
    handler_kind: str
    accepted_at: datetime
    response_due: datetime
    resolution_due: datetime
    closed_at: datetime | None
    rating: str
    # The intake suggestion (classifier) and joined reports (see docs/concerns.md).
    suggested_category_id: int | None = None
    suggestion_confidence: float | None = None
    joined_to_id: int | None = None
    supporters: int = 0


class TransitionIn(Schema):
    action: str
    version: int
    note: str = ""
    # Closing over a reply the reply check flags: the reason to close anyway.
    reply_override: str = ""


class ConflictOut(Schema):
    detail: str


def category_for(user, code: str):
    """The category of the user's subdistrict with this code (a field error when unknown)."""
    found = selectors.category_for_user(user, code)
    if found is None:
        raise ValidationError({"category": "Unknown category code."})
    return found


def place_for(user, payload: ConcernIn) -> services.Place:
    """Where the concern sits: the household, else the building, else the neighborhood given,
    each looked up in the user's area (outside it: not found)."""
    if payload.household_id is not None:
        household = org_selectors.household_in_area(user, payload.household_id)
        if household is None:
            raise NotInScope("No such household in your area.")
        return services.place_of(household=household)
    if payload.building_id is not None:
        building = org_selectors.buildings_visible_to(user).filter(pk=payload.building_id).first()
        if building is None:
            raise NotInScope("No such building in your area.")
        return services.place_of(building=building)
    if payload.neighborhood_id is not None:
        neighborhood = org_selectors.neighborhoods_visible_to(user).filter(pk=payload.neighborhood_id).first()
        if neighborhood is None:
            raise NotInScope("No such neighborhood in your area.")
        return services.place_of(neighborhood=neighborhood)
    return services.place_of()


@router.post("/concerns", response={200: ConcernOut, 201: ConcernOut})
def create_concern(request, payload: ConcernIn):
    key = request.headers.get("Idempotency-Key", "") or payload.idempotency_key
    concern = submit(request.user, payload, key)
    return Status(200 if getattr(concern, "replayed", False) else 201, concern)


def submit(actor, payload: ConcernIn, key: str):
    """Intake of one `ConcernIn` (this endpoint, and the offline sync's concern items)."""
    return services.submit_concern(
        actor=actor,
        channel=payload.channel,
        category=category_for(actor, payload.category),
        place=place_for(actor, payload),
        idempotency_key=key,
        title=payload.title,
        description=payload.description,
        households_affected=payload.households_affected,
        estimated_cost=payload.estimated_cost,
        urgent=payload.urgent,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
    )


@router.get("/concerns", response=list[ConcernOut])
def list_concerns(request, state: str = "", limit: int = 100, offset: int = 0):
    qs = selectors.concern_queue(request.user, state=state)
    return list(qs[paging.window(offset, limit)])


class KpiOut(Schema):
    """One KPI line; rates are percentages with one decimal (null: nothing to measure), as the
    page, chart and xlsx show them (docs/concerns.md defines each figure)."""

    label: str
    households_visited: int
    collected: int
    resolved: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    overdue: int
    median_close_hours: float | None


class KpiReportOut(Schema):
    month: str
    by: str
    rows: list[KpiOut]
    total: KpiOut


def _kpi_line(row) -> dict:
    hours = row.median_close_hours
    return {
        "label": row.label,
        "households_visited": row.households_visited,
        "collected": row.collected,
        "resolved": row.resolved,
        "response_rate": row.response_pct,
        "resolution_rate": row.resolution_pct,
        "satisfaction_rate": row.satisfaction_pct,
        "overdue": row.overdue,
        "median_close_hours": None if hours is None else round(hours, 1),
    }


@router.get("/concerns/kpi", response=KpiReportOut)
def concern_kpis(request, month: str = "", by: str = "neighborhood"):
    """The KPI ledger of a month (`YYYY-MM`, this month by default) for the caller's area."""
    if by not in selectors.KPI_GROUPS:
        raise ValidationError({"by": f"one of {', '.join(selectors.KPI_GROUPS)}"})
    first = parse_month(month)
    rows, total = selectors.kpi_report(request.user, month=first, by=by)
    return {
        "month": f"{first:%Y-%m}",
        "by": by,
        "rows": [_kpi_line(r) for r in rows],
        "total": _kpi_line(total) | {"label": ""},
    }


@router.get("/concerns/{concern_id}", response=ConcernOut)
def get_concern(request, concern_id: int):
    return get_object_or_404(selectors.concerns_visible_to(request.user), pk=concern_id)


@router.post("/concerns/{concern_id}/transitions", response={200: ConcernOut, 409: ConflictOut})
def move_concern(request, concern_id: int, payload: TransitionIn):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=concern_id)
    try:
        return Status(
            200,
            services.transition(
                actor=request.user,
                concern=concern,
                action=payload.action,
                note=payload.note,
                expected_version=payload.version,
                reply_override=payload.reply_override,
            ),
        )
    except Conflict as exc:
        return Status(409, {"detail": str(exc)})


# ---- joint cases (联合执法): one part per department of the block's joint team (concerns/joint.py) --


class PartIn(Schema):
    department_id: int
    task: str


class JointCaseIn(Schema):
    parts: list[PartIn]
    working_days: int | None = Field(
        None, description="joint deadline in working days; the category's by default"
    )


class JointPartOut(Schema):
    id: int
    case_id: int
    concern_id: int = Field(..., alias="case.concern_id")
    block_id: int = Field(..., alias="case.block_id")
    department_id: int
    department: str = Field(..., alias="department.name")
    task: str
    state: str
    reply: str
    due_at: datetime = Field(..., alias="case.due_at")
    done_at: datetime | None


class JointCaseOut(Schema):
    id: int
    concern_id: int
    block_id: int
    due_at: datetime
    working_days: int
    completed_at: datetime | None
    parts: list[JointPartOut]


class PartDoneIn(Schema):
    reply: str


def _case_out(case) -> dict:
    parts = list(case.parts.select_related("case", "department").order_by("department__code"))
    return {
        **{f: getattr(case, f) for f in ("id", "concern_id", "block_id", "due_at", "working_days")},
        "completed_at": case.completed_at,
        "parts": parts,
    }


@router.post("/concerns/{concern_id}/joint-case", response={201: JointCaseOut})
def open_joint_case(request, concern_id: int, payload: JointCaseIn):
    """Hand the concern to its block's joint team; the same parts sent again answer the same case."""
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=concern_id)
    case = joint.open_joint_case(
        actor=request.user,
        concern=concern,
        parts=[joint.PartRequest(p.department_id, p.task) for p in payload.parts],
        working_days=payload.working_days,
    )
    return Status(201, _case_out(case))


@router.get("/joint-parts", response=list[JointPartOut])
def list_joint_parts(
    request, show: str = "open", block: int | None = None, limit: int = 100, offset: int = 0
):
    """Joint-case parts of the caller's area (a department's own): `open`, `overdue` or `done`."""
    if show not in selectors.PART_FILTERS:
        raise ValidationError({"show": f"one of {', '.join(selectors.PART_FILTERS)}"})
    return list(selectors.part_queue(request.user, show=show, block=block)[paging.window(offset, limit)])


@router.post("/joint-parts/{part_id}/done", response=JointPartOut)
def finish_joint_part(request, part_id: int, payload: PartDoneIn):
    part = get_object_or_404(selectors.joint_parts_visible_to(request.user), pk=part_id)
    return joint.finish_part(actor=request.user, part=part, reply=payload.reply)


# ---- visits: a visit may open a concern, so recording one is intake (concerns/visit_intake.py) ---


class VisitIn(Schema):
    household_id: int
    channel: str = "door"
    raised: str = ""
    handled: str = ""
    suggestions: str = ""
    category: str = Field("", description="category code: the raised problem becomes a concern")
    idempotency_key: str = ""


class VisitOut(Schema):
    id: int
    household_id: int
    channel: str
    visited_at: datetime
    concern_id: int | None


@router.post("/visits", response={201: VisitOut})
def create_visit(request, payload: VisitIn):
    """A retry with the same `idempotency_key` returns the first visit (and opens no second concern)."""
    household = get_object_or_404(org_selectors.households_visible_to(request.user), pk=payload.household_id)
    visit = visit_intake.record_visit(
        actor=request.user,
        household=household,
        channel=payload.channel,
        raised=payload.raised,
        handled=payload.handled,
        suggestions=payload.suggestions,
        category=category_for(request.user, payload.category) if payload.category else None,
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, visit)
