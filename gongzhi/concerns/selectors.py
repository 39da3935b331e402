"""Every read of concerns and their figures (the KPIs count visits too), already filtered to the
caller's area."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import lifecycle
from gongzhi.concerns.kpi import KpiRow, median_or_none
from gongzhi.concerns.models import (
    CalendarDay,
    Category,
    Concern,
    ConcernEvent,
    ConcernPhoto,
    JointCase,
    JointPart,
    Rating,
    Supervision,
)
from gongzhi.concerns.personal_data import concern_ids_of
from gongzhi.core.idempotency import sender_key
from gongzhi.core.memo import memo
from gongzhi.core.pages import parse_int
from gongzhi.core.permissions import assignments_of, has_capability, scoped
from gongzhi.grids.models import MicroGrid
from gongzhi.org.models import (
    Building,
    Compound,
    Department,
    Neighborhood,
    PartnerUnit,
    Subdistrict,
)
from gongzhi.org.selectors import neighborhoods_visible_to
from gongzhi.visits.models import Visit

GROUPINGS = {
    "subdistrict": ("subdistrict_id", "subdistrict_id"),
    "neighborhood": ("neighborhood_id", "neighborhood_id"),
    "micro_grid": ("micro_grid_id", "micro_grid_id"),
    "worker": ("created_by_id", "worker_id"),  # (concern field, visit field)
}


def concerns_visible_to(user) -> QuerySet[Concern]:
    return scoped(
        user,
        Concern.objects.select_related(
            "category",
            "neighborhood",
            "building__compound",
            "handler_department",
            "handler_partner_unit",
            "handler_compound",
        ),
    )


def overdue_q(now: datetime | None = None) -> Q:
    """超期, one definition for the supervision list, the queue's deadline filter, the KPIs and the
    workbench: flagged overdue by the escalation sweep, or still open past its resolution deadline
    (the sweep runs every few minutes; a concern late since then counts already)."""
    now = now or timezone.now()
    return Q(overdue=True) | Q(closed_at__isnull=True, resolution_due__lt=now)


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, parsed once (views, export and workbench links build the same one)."""

    q: str = ""
    state: str = ""  # a State value; "" is every open concern
    category: int | None = None
    grid: int | None = None
    due: str = ""  # "" any, "overdue", "today" (due before today ends), "week" (within 7 days)
    handler_only: bool = False
    block: int | None = None  # concerns of the block's neighborhoods (the block dashboard's links)

    @classmethod
    def from_query(cls, source) -> "QueueFilter":
        """The filters from a query string (page, export request); unknown values are dropped."""
        state, due = source.get("state", ""), source.get("due", "")
        due = due or ("overdue" if source.get("overdue") == "1" else "")
        return cls(
            q=(source.get("q") or "").strip()[:60],
            state=state if state in lifecycle.STATES or state == AWAITING_RATING else "",
            category=parse_int(source.get("category"), low=1),
            grid=parse_int(source.get("grid"), low=1),
            due=due if due in DUE_CHOICES else "",
            block=parse_int(source.get("block"), low=1),
        )

    def params(self) -> dict[str, str]:
        """The query string that gives this filter back (links and the export request)."""
        values = {"q": self.q, "state": self.state, "category": self.category, "grid": self.grid}
        values["due"] = self.due
        values["block"] = self.block
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


DUE_CHOICES = ("overdue", "today", "week")
# The queue's one state that is not a lifecycle state: closed and not yet rated by the resident
# (staff call them back for the rating, 回访). Newest closed first.
AWAITING_RATING = "to_rate"


def _due_q(due: str, now: datetime) -> Q:
    if due == "overdue":
        return overdue_q(now)
    end_of_today = datetime.combine(timezone.localdate(now), time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))
    until = end_of_today if due == "today" else now + timedelta(days=7)
    return Q(resolution_due__lte=until) & ~overdue_q(now)


def concern_queue(
    user,
    *,
    state: str = "",
    overdue: bool = False,
    handler_only: bool = False,
    filters: QueueFilter | None = None,
) -> QuerySet[Concern]:
    """The worklist: open concerns first by resolution deadline; a handler sees only theirs anyway."""
    f = filters or QueueFilter(state=state, due="overdue" if overdue else "", handler_only=handler_only)
    qs = concerns_visible_to(user)
    if f.state == AWAITING_RATING:
        qs = qs.filter(state=lifecycle.CLOSED, rating="")  # as rate_concern accepts a rating
    elif f.state:
        qs = qs.filter(state=f.state)
    else:
        # Reports joined to a similar concern are worked through that one.
        qs = qs.filter(state__in=lifecycle.OPEN_STATES, joined_to__isnull=True)
    if f.due in DUE_CHOICES:
        qs = qs.filter(_due_q(f.due, timezone.now()))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q) | Q(place__icontains=f.q))
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.grid:
        qs = qs.filter(micro_grid_id=f.grid)
    if f.block:
        qs = qs.filter(neighborhood__block_id=f.block)
    if f.handler_only:
        qs = qs.exclude(handler_kind="residents_committee")
    if f.state == AWAITING_RATING:
        return qs.order_by("-closed_at", "-id")
    return qs.order_by("resolution_due", "id")


def queue_grids(user) -> QuerySet[MicroGrid]:
    """The micro-grids the queue's grid filter offers: those of the user's area."""
    return scoped(user, MicroGrid.objects.select_related("neighborhood")).order_by("neighborhood_id", "name")[
        :300
    ]


def overdue_concerns(user, *, month: date | None = None) -> QuerySet[Concern]:
    """The supervision list: every overdue concern of the user's area (of one month's intake if
    given, as the KPI page counts it), with its escalations."""
    qs = concerns_visible_to(user).filter(overdue_q())
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(accepted_at__gte=start, accepted_at__lt=end)
    return qs.prefetch_related("supervisions").order_by("resolution_due", "id")


def concern_by_token(token: str) -> Concern | None:
    """The resident's own concern, found by the unguessable token of their progress link."""
    if not token or len(token) > 32:
        return None
    return Concern.objects.select_related("category", "neighborhood").filter(public_token=token).first()


def concern_map(concern: Concern, *, radius: float = 0.003) -> dict | None:
    """GeoJSON for the concern page's small map: the point the resident reported (or its
    building's) and the buildings around it, so staff see where to go. None without a place."""
    building = concern.building
    lat, lng = concern.lat, concern.lng
    if lat is None and building is not None and building.lat is not None:
        lat, lng = building.lat, building.lng
    if lat is None or lng is None:
        return None
    near = Building.objects.filter(
        neighborhood__subdistrict_id=concern.subdistrict_id,
        lat__range=(lat - radius, lat + radius),
        lng__range=(lng - radius, lng + radius),
    ).select_related("compound")[:80]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [b.lng, b.lat]},
            "properties": {"tooltip": str(b), "style": {"color": "#7f8c8d", "fillOpacity": 0.2}},
        }
        for b in near
    ]
    here = _("Reported here") if concern.lat is not None else _("The concern's building")
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "tooltip": here,
                "households": 400,
                "reported": True,
                "style": {"color": "#c0392b", "fillColor": "#c0392b", "fillOpacity": 0.9, "weight": 3},
            },
        }
    )
    return {"type": "FeatureCollection", "features": features}


# The session key under which the resident page remembers the concerns reported from this browser
# (their progress tokens): a resident sees what they just reported even under another phone number.
REPORTED_TOKENS = "gongzhi_reported_concerns"
MINE_SHOWN = 20


def concerns_of_resident(user, resident, tokens: list[str]) -> list[Concern]:
    """A signed-in resident's concerns: those matched to their account or phone (as their copy of
    their data counts them) and those reported from this session. Each with the reply (答复) they
    were given when it was resolved."""
    ids = concern_ids_of(user, resident) if user.is_authenticated else set()
    mine = Q(pk__in=ids) | Q(public_token__in=[t for t in tokens if isinstance(t, str)][:MINE_SHOWN])
    concerns = list(
        Concern.objects.select_related("category").filter(mine).order_by("-accepted_at")[:MINE_SHOWN]
    )
    replies = resolution_notes([c.pk for c in concerns])
    for c in concerns:
        c.reply = replies.get(c.pk, "")
        c.awaits_rating = c.state == lifecycle.CLOSED and not c.rating
    return concerns


def events_of(concern: Concern) -> QuerySet[ConcernEvent]:
    return concern.events.order_by("at", "id")


def public_events_of(concern: Concern) -> list[dict]:
    """Progress for the resident and the building notice: steps and times, no staff names or notes
    beyond the handling result ("楼内事、群内议" publishes this de-identified)."""
    shown = {"accept", "dispatch", "start", "resolve", "close", "reopen", "rate"}
    return [
        {"action": e.action, "state": e.to_state, "at": e.at, "note": e.note if e.action == "resolve" else ""}
        for e in events_of(concern)
        if e.action in shown
    ]


def public_progress(concern: Concern) -> list[dict]:
    """The resident's steps; a report joined to a similar concern also shows that one's handling
    (the main concern's steps carry no names either)."""
    steps = public_events_of(concern)
    if concern.joined_to_id is None:
        return steps
    joined = [
        {"action": e.action, "state": e.to_state, "at": e.at, "note": ""}
        for e in concern.events.filter(action="join")
    ]
    main = Concern.objects.filter(pk=concern.joined_to_id).first()
    followed = (
        [s for s in public_events_of(main) if s["action"] in ("dispatch", "start", "resolve")] if main else []
    )
    return sorted(steps + joined + followed, key=lambda s: s["at"])


def public_concerns() -> QuerySet[Concern]:
    """Every concern, for the public report page's offer to join one: it shows only category,
    place, date, state and supporters, never a description, reporter or staff name."""
    return Concern.objects.all()


def building_notice(building_id: int) -> list[dict]:
    """The building's published concerns for its notice page: category, state, dates and the
    handler's resolution note; no description, reporter, room or staff name."""
    concerns = list(
        Concern.objects.select_related("category")
        .filter(building_id=building_id, published=True)
        .order_by("-accepted_at")[:50]
    )
    notes = resolution_notes([c.pk for c in concerns])
    return [
        {
            "category": c.category.name,
            "state": c.get_state_display(),
            "state_code": c.state,
            "accepted_at": c.accepted_at,
            "closed_at": c.closed_at,
            "handler": c.get_handler_kind_display(),
            "note": notes.get(c.pk, ""),
        }
        for c in concerns
    ]


def building_for_notice(building_id: int) -> Building | None:
    return Building.objects.select_related("compound", "neighborhood").filter(pk=building_id).first()


def urgent_supervisions(user) -> QuerySet[Supervision]:
    """Urgent matters under supervision that are not (yet) overdue: shown below the overdue list."""
    return (
        scoped(user, Supervision.objects.select_related("concern__category", "concern__neighborhood"))
        .filter(cleared_at__isnull=True, reason=Supervision.Reason.URGENT)
        .exclude(concern__in=Concern.objects.filter(overdue_q()))
        .order_by("concern__resolution_due", "id")
    )


def categories_for(subdistrict_id: int | None) -> QuerySet[Category]:
    """The shared taxonomy plus the subdistrict's own categories."""
    own = Q(subdistrict_id=subdistrict_id) if subdistrict_id else Q(pk__in=[])
    return Category.objects.filter(Q(subdistrict__isnull=True) | own, active=True).order_by("order", "code")


def already_taken(principal: str, key: str) -> bool:
    """A retry of a form already sent: it gets the first concern back, not the offer to join."""
    stored = sender_key(principal, key)
    return bool(stored) and Concern.objects.filter(idempotency_key=stored).exists()


def visible_concern(user, concern_id: int | None) -> Concern | None:
    """One concern by id if the user may see it (None otherwise: a form's choice, not a page)."""
    return concerns_visible_to(user).filter(pk=concern_id).first() if concern_id else None


def photos_visible_to(user) -> QuerySet[ConcernPhoto]:
    return scoped(user, ConcernPhoto.objects.all())


def neighborhood_in_area(user, neighborhood_id: int | None) -> Neighborhood | None:
    return neighborhoods_visible_to(user).filter(pk=neighborhood_id).first() if neighborhood_id else None


def calendar_days(year: int) -> QuerySet[CalendarDay]:
    """The holidays and make-up working days of a year (the calendar is shared by every area)."""
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def may_export(user) -> bool:
    """Whether the export buttons show (the export request is checked again when asked)."""
    return has_capability(user, "export")


def category_by_id(subdistrict_id: int | None, category_id: int | None) -> Category | None:
    """A category the subdistrict may file under, by the id a form sent (None: not one of them)."""
    if category_id is None:
        return None
    return categories_for(subdistrict_id).filter(pk=category_id).first()


@memo(Category)
def category_by_code(subdistrict_id: int | None, code: str) -> Category | None:
    return categories_for(subdistrict_id).filter(code=code).first()


def category_for_user(user, code: str) -> Category | None:
    """The category of this code in the user's home subdistrict (the API names categories by code)."""
    return category_by_code(home_subdistrict_id(user), code)


def home_subdistrict_id(user) -> int | None:
    items = assignments_of(user)
    return items[0].subdistrict_id if items else None


def handler_options(subdistrict_id: int | None) -> tuple[QuerySet[Department], QuerySet[PartnerUnit]]:
    """Whom a concern can be dispatched to: the town's departments and partner units (names only)."""
    return (
        Department.objects.filter(subdistrict_id=subdistrict_id).order_by("name"),
        PartnerUnit.objects.filter(subdistrict_id=subdistrict_id).order_by("name"),
    )


def neighborhood_by_code(code: str) -> Neighborhood | None:
    """The resident page's place, from the QR code on the contact card (public: names only)."""
    return Neighborhood.objects.select_related("subdistrict").filter(code=code).first() if code else None


def neighborhood_by_id(value: str) -> Neighborhood | None:
    return (
        Neighborhood.objects.select_related("subdistrict").filter(pk=number).first()
        if (number := parse_int(value)) is not None
        else None
    )


def card_building(neighborhood: Neighborhood | None, value: str) -> Building | None:
    """The building on a contact card's QR code (`b=`), only inside the card's neighborhood."""
    if neighborhood is None or (number := parse_int(value)) is None:
        return None
    building = building_in(neighborhood.subdistrict, number)
    return building if building is not None and building.neighborhood_id == neighborhood.pk else None


def public_neighborhoods() -> QuerySet[Neighborhood]:
    return Neighborhood.objects.select_related("subdistrict").order_by("subdistrict_id", "code")[:500]


# ---- KPIs ---------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(nxt, time.min, tzinfo=zone)


class Median(Aggregate):
    """PostgreSQL's ordered-set median; other engines take the Python fallback in kpi_rows."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _sql_median() -> bool:
    return connection.vendor == "postgresql"


def _month_concerns(user, month: date) -> QuerySet[Concern]:
    start, end = month_bounds(month)
    return scoped(user, Concern.objects.all()).filter(accepted_at__gte=start, accepted_at__lt=end)


def _month_visits(user, month: date) -> QuerySet[Visit]:
    start, end = month_bounds(month)
    return scoped(user, Visit.objects.all()).filter(visited_at__gte=start, visited_at__lt=end)


KPI_GROUPS = ("worker", "micro_grid", "neighborhood", "subdistrict")


def kpi_group_label(group: str) -> str:
    return {
        "worker": _("worker"),
        "micro_grid": _("micro-grid"),
        "neighborhood": _("neighborhood"),
        "subdistrict": _("subdistrict"),
    }[group]


def kpi_rows(user, *, month: date, by: str = "neighborhood") -> list[KpiRow]:
    """One row per worker/grid/neighborhood/subdistrict for the concerns accepted in `month`."""
    concern_field, visit_field = GROUPINGS[by]
    concerns = _month_concerns(user, month)
    rows: dict = {}
    for values in _concern_counts(concerns, concern_field):
        rows[values.pop("key")] = values
    hours: dict = {}
    if not _sql_median():
        for key, h in concerns.filter(close_hours__isnull=False).values_list(concern_field, "close_hours"):
            hours.setdefault(key, []).append(h)
    visits = _month_visits(user, month)
    visited = dict(
        visits.values_list(visit_field)
        .annotate(n=Count("household_id", distinct=True))
        .values_list(visit_field, "n")
    )
    labels = _labels(by, set(rows) | set(visited))
    result = [
        KpiRow(
            key=key,
            label=labels.get(key, "—"),
            households_visited=visited.get(key, 0),
            close_hours=hours.get(key, []),
            **rows.get(key, {}),
        )
        for key in set(rows) | set(visited)
    ]
    return sorted(result, key=lambda r: r.label)


def kpi_report(user, *, month: date, by: str = "neighborhood") -> tuple[list[KpiRow], KpiRow]:
    """The rows and their total; the total's median is over all the month's concerns, and its
    households visited are distinct ones (two workers visiting one household count it once)."""
    rows = kpi_rows(user, month=month, by=by)
    total = kpi_total(rows)
    if by == "worker":
        total.households_visited = _month_visits(user, month).values("household_id").distinct().count()
    if _sql_median():
        total.median_close_hours_value = _month_concerns(user, month).aggregate(m=Median("close_hours"))["m"]
    return rows, total


def _concern_counts(concerns: QuerySet, field: str):
    now = timezone.now()
    closed = Q(state=lifecycle.CLOSED)
    return (
        concerns.values(key=F(field))
        .annotate(
            collected=Count("id"),
            responded_on_time=Count("id", filter=Q(responded_on_time=True)),
            resolved=Count("id", filter=closed & ~Q(rating=Rating.DISSATISFIED)),
            satisfied=Count("id", filter=Q(rating=Rating.SATISFIED)),
            basically=Count("id", filter=Q(rating=Rating.BASICALLY)),
            dissatisfied=Count("id", filter=Q(rating=Rating.DISSATISFIED)),
            overdue=Count("id", filter=overdue_q(now)),
            **({"median_close_hours_value": Median("close_hours")} if _sql_median() else {}),
        )
        .order_by()
    )


def _labels(by: str, keys: set) -> dict:
    model = {
        "subdistrict": Subdistrict,
        "neighborhood": Neighborhood,
        "micro_grid": MicroGrid,
        "worker": get_user_model(),
    }[by]
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=[k for k in keys if k])}


def kpi_total(rows: list[KpiRow]) -> KpiRow:
    total = KpiRow(key=None, label="")
    hours: list[float] = []
    for r in rows:
        for name in (
            "households_visited",
            "collected",
            "responded_on_time",
            "resolved",
            "satisfied",
            "basically",
            "dissatisfied",
            "overdue",
        ):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        hours.extend(r.close_hours)
    total.median_close_hours_value = median_or_none(hours)
    return total


# ---- visit coverage -----------------------------------------------------------------------------


# ---- Open311 (public reads: no personal data leaves through these) ------------------------------


def subdistrict_by_code(code: str) -> Subdistrict | None:
    return Subdistrict.objects.filter(code=code).first()


def only_subdistrict() -> Subdistrict | None:
    towns = list(Subdistrict.objects.all()[:2])
    return towns[0] if len(towns) == 1 else None


def open311_requests(subdistrict: Subdistrict | None) -> QuerySet[Concern]:
    qs = Concern.objects.select_related("category", "neighborhood", "building__compound")
    if subdistrict is not None:
        qs = qs.filter(subdistrict=subdistrict)
    return qs.order_by("-accepted_at", "-id")


def resolution_notes(concern_ids: list[int]) -> dict[int, str]:
    """The handler's latest resolution note per concern: the public status_notes."""
    notes: dict[int, str] = {}
    events = ConcernEvent.objects.filter(concern_id__in=concern_ids, action="resolve").order_by("at", "id")
    for concern_id, note in events.values_list("concern_id", "note"):
        notes[concern_id] = note
    return notes


def building_in(subdistrict: Subdistrict, building_id: str) -> Building | None:
    return (
        Building.objects.select_related("neighborhood__subdistrict", "compound")
        .filter(pk=building_id, neighborhood__subdistrict=subdistrict)
        .first()
    )


def nearest_building(
    subdistrict: Subdistrict, lat: float, lng: float, radius: float = 0.005
) -> Building | None:
    """The closest building with coordinates within about 500 m, or None."""
    near = Building.objects.select_related("neighborhood__subdistrict", "compound").filter(
        neighborhood__subdistrict=subdistrict,
        lat__range=(lat - radius, lat + radius),
        lng__range=(lng - radius, lng + radius),
    )
    return min(near[:500], key=lambda b: (b.lat - lat) ** 2 + (b.lng - lng) ** 2, default=None)


def building_by_address(subdistrict: Subdistrict, address: str) -> Building | None:
    """ "康城 12" → building 12 of the compound whose name the address contains."""
    candidates = Building.objects.select_related("neighborhood__subdistrict", "compound").filter(
        neighborhood__subdistrict=subdistrict
    )
    for compound_id, name in (
        Compound.objects.filter(neighborhood__subdistrict=subdistrict)
        .values_list("id", "name")
        .order_by("-name")
    ):
        if name and name in address:
            in_compound = candidates.filter(compound_id=compound_id)
            for building in in_compound:
                if building.number and building.number in address.replace(name, "", 1):
                    return building
            return in_compound.first()
    return None


# ---- joint cases (联合执法) ---------------------------------------------------------------------

PART_FILTERS = ("open", "overdue", "done")


def joint_overdue_q(now: datetime | None = None) -> Q:
    """A part is overdue while it is still to do past its case's joint deadline."""
    return Q(state=JointPart.State.OPEN, case__due_at__lt=now or timezone.now())


def joint_parts_visible_to(user) -> QuerySet[JointPart]:
    """Parts of the user's area; a department's handler reaches its own department's parts only."""
    return scoped(
        user, JointPart.objects.select_related("case__concern__category", "case__block", "department")
    )


def part_queue(user, *, show: str = "open", block: int | None = None) -> QuerySet[JointPart]:
    """The joint-case parts list (and the workbench's count): to do, overdue or done."""
    qs = joint_parts_visible_to(user)
    if block:
        qs = qs.filter(case__block_id=block)
    if show == "done":
        return qs.filter(state=JointPart.State.DONE).order_by("-done_at", "-id")
    qs = qs.filter(state=JointPart.State.OPEN)
    if show == "overdue":
        qs = qs.filter(joint_overdue_q())
    return qs.order_by("case__due_at", "id")


def joint_cases_visible_to(user) -> QuerySet[JointCase]:
    return scoped(user, JointCase.objects.select_related("concern", "block"))


def joint_case_of(user, concern: Concern) -> JointCase | None:
    """The concern's joint case with its parts, for a reader of the concern's area."""
    case = joint_cases_visible_to(user).filter(concern=concern).first()
    if case is not None:
        case.part_list = list(case.parts.select_related("department", "done_by").order_by("department__code"))
        now = timezone.now()
        for part in case.part_list:
            part.late = part.state == JointPart.State.OPEN and case.due_at < now
    return case


def block_concerns(user, block_id: int) -> QuerySet[Concern]:
    """Every concern of the block's neighborhoods in the user's area (the queue's block filter)."""
    return concerns_visible_to(user).filter(neighborhood__block_id=block_id)
