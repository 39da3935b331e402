"""An area's figures for one month, read through the domain apps' own selectors.

The dashboard, the large screen, the monthly report (print page, PDF, xlsx) and the open-data
export all call these functions, and these call the same selectors as the list and KPI pages
(concerns.selectors.kpi_report, visits.selectors.coverage_rows, projects.selectors.dashboard …):
a figure is derived once, so the pages cannot disagree. docs/insight.md gives every formula.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from gongzhi.concerns import selectors as concerns
from gongzhi.concerns.kpi import KpiRow
from gongzhi.concerns.models import Concern
from gongzhi.deliberation import selectors as deliberation
from gongzhi.deliberation.models import Vote
from gongzhi.grids import selectors as grids
from gongzhi.insights.selectors import Area, hot_issues_of_area
from gongzhi.projects import selectors as projects
from gongzhi.visits import plan as visit_plan
from gongzhi.visits import selectors as visits
from gongzhi.volunteers import selectors as volunteers
from gongzhi.volunteers.models import CallUpAnswer

TREND_MONTHS = 12
TOP_HOT = 10


def percent(share: float | None) -> float | None:
    """A share in [0, 1] as a percentage with one decimal (the KPI page's rounding); None stays None."""
    return None if share is None else round(100 * share, 1)


def add_months(month: date, n: int) -> date:
    return visit_plan.add_months(month.replace(day=1), n)


def change(now: float | int | None, before: float | int | None) -> float | int | None:
    """Month-on-month change (percentage points for rates), None when either side is missing."""
    if now is None or before is None:
        return None
    return round(now - before, 1) if isinstance(now, float) or isinstance(before, float) else now - before


# ---- concerns (the KPI page's selector) ---------------------------------------------------------


def _row_for(rows: list[KpiRow], key) -> KpiRow:
    return next((r for r in rows if r.key == key), KpiRow(key=key, label=""))


def concern_kpis(user, area: Area, month: date) -> KpiRow:
    """The area's KPI row of `month`: the KPI page's subdistrict or neighborhood line."""
    if area.neighborhood is None:
        return _row_for(concerns.kpi_rows(user, month=month, by="subdistrict"), area.subdistrict.pk)
    return _row_for(concerns.kpi_rows(user, month=month, by="neighborhood"), area.neighborhood.pk)


def kpi_dict(row: KpiRow) -> dict:
    return {
        "collected": row.collected,
        "responded_on_time": row.responded_on_time,
        "resolved": row.resolved,
        "satisfied": row.satisfied,
        "basically": row.basically,
        "dissatisfied": row.dissatisfied,
        "overdue": row.overdue,
        "response_rate": percent(row.response_rate),
        "resolution_rate": percent(row.resolution_rate),
        "satisfaction_rate": percent(row.satisfaction_rate),
    }


def _month_concerns(user, area: Area, month: date):
    start, end = concerns.month_bounds(month)
    qs = concerns.concerns_visible_to(user).filter(
        subdistrict=area.subdistrict, accepted_at__gte=start, accepted_at__lt=end
    )
    return qs.filter(neighborhood=area.neighborhood) if area.neighborhood else qs


def concerns_by_status(user, area: Area, month: date) -> list[dict]:
    labels = dict(Concern._meta.get_field("state").choices)
    counts = dict(_month_concerns(user, area, month).order_by().values_list("state").annotate(n=Count("id")))
    return [{"key": k, "label": str(labels[k]), "count": counts[k]} for k in labels if counts.get(k)]


def concerns_by_category(user, area: Area, month: date) -> list[dict]:
    rows = (
        _month_concerns(user, area, month)
        .order_by()
        .values("category__code", "category__name")
        .annotate(n=Count("id"))
    )
    ranked = sorted(rows, key=lambda r: (-r["n"], r["category__name"] or ""))
    return [
        {"code": r["category__code"] or "", "label": r["category__name"] or "—", "count": r["n"]}
        for r in ranked
    ]


def concerns_by_grid(user, area: Area, month: date) -> list[dict]:
    """The KPI page's micro-grid lines that lie in the area."""
    area_grids = grids.current_grid_ids(user, area.neighborhood or area.subdistrict)
    rows = concerns.kpi_rows(user, month=month, by="micro_grid")
    return [{"key": r.key, "label": r.label, **kpi_dict(r)} for r in rows if r.key in area_grids]


def kpi_trend(user, area: Area, month: date, span: int = TREND_MONTHS) -> list[dict]:
    """The three rates and the count for each of the `span` months ending with `month`."""
    out = []
    for back in range(span - 1, -1, -1):
        m = add_months(month, -back)
        out.append({"month": f"{m:%Y-%m}", **kpi_dict(concern_kpis(user, area, m))})
    return out


def overdue_matters(user, area: Area, limit: int = 20) -> list:
    """Overdue concerns (超期督办) of the area: the supervision page's list, most overdue first."""
    items = concerns.overdue_concerns(user).filter(subdistrict=area.subdistrict)
    if area.neighborhood:
        items = items.filter(neighborhood=area.neighborhood)
    return list(items.select_related("category", "neighborhood")[:limit])


# ---- visits (the coverage page's selector) ------------------------------------------------------


def visit_coverage(user, area: Area, month: date) -> dict:
    """Households visited in the plan's window: the coverage page's neighborhood lines of the area."""
    months = visits.plan_of(area.subdistrict.pk).household_months
    rows = visits.coverage_rows(user, month=month, months=months, by="neighborhood")
    wanted = (
        {area.neighborhood.pk}
        if area.neighborhood
        else set(area.subdistrict.neighborhoods.values_list("pk", flat=True))
    )
    total = visits.coverage_total([r for r in rows if r["key"] in wanted])
    return {**total, "months": months, "rate": percent(total["rate"])}


def visit_coverage_by_grid(user, area: Area, month: date) -> dict[int, float | None]:
    months = visits.plan_of(area.subdistrict.pk).household_months
    return {
        r["key"]: percent(r["rate"])
        for r in visits.coverage_rows(user, month=month, months=months, by="micro_grid")
    }


# ---- projects (the projects dashboard's selector) -----------------------------------------------


def project_figures(user, area: Area) -> dict:
    qs = projects.projects_visible_to(user).filter(neighborhood__subdistrict=area.subdistrict)
    if area.neighborhood:
        qs = qs.filter(neighborhood=area.neighborhood)
    board = projects.dashboard(user, qs)
    approved, spent = board["approved"] or Decimal(0), board["spent"] or Decimal(0)
    return {
        "total": board["total"],
        "by_state": [{"key": k, "label": str(label), "count": n} for k, label, n in board["by_state"] if n],
        "approved": approved,
        "spent": spent,
        "spent_percent": percent(float(spent / approved)) if approved else None,
        "overdue_milestones": board["overdue_count"],
        "use": [
            {
                "title": u["project"].title,
                "state": u["project"].get_state_display(),
                "neighborhood": str(u["project"].neighborhood),
                "budget": u["budget"],
                "spent": u["spent"],
                "percent": percent(float(u["spent"] / u["budget"])) if u["budget"] else None,
            }
            for u in board["use"]
        ],
    }


# ---- volunteers and call-ups --------------------------------------------------------------------


def volunteer_figures(user, area: Area, month: date) -> dict:
    people = volunteers.volunteers_visible_to(user).filter(neighborhood__subdistrict=area.subdistrict)
    # Drills rehearse call-ups: the month's figures count real ones only.
    emergencies = volunteers.emergencies_visible_to(user).filter(subdistrict=area.subdistrict, kind="real")
    if area.neighborhood:
        people = people.filter(neighborhood=area.neighborhood)
        emergencies = emergencies.filter(neighborhood=area.neighborhood)
    start, end = concerns.month_bounds(month)
    in_month = emergencies.filter(opened_at__gte=start, opened_at__lt=end)
    answers = CallUpAnswer.objects.filter(emergency__in=in_month).aggregate(
        called=Count("id"), yes=Count("id", filter=Q(answer=CallUpAnswer.Answer.YES))
    )
    return {
        "volunteers": people.count(),
        "call_ups": in_month.count(),
        "called": answers["called"],
        "answered_yes": answers["yes"],
        "yes_rate": percent(visit_plan.rate(answers["yes"], answers["called"])),
    }


# ---- votes --------------------------------------------------------------------------------------


def published_votes(user, area: Area, month: date | None = None) -> list[Vote]:
    """Votes whose result was published (in `month`, when given): the published-results list."""
    qs = deliberation.published_votes_visible_to(user).filter(subdistrict=area.subdistrict)
    if area.neighborhood:
        qs = qs.filter(neighborhood=area.neighborhood)
    if month is not None:
        start, end = concerns.month_bounds(month)
        # A result published before publication was timestamped counts in the month it closed.
        qs = qs.filter(
            Q(published_at__gte=start, published_at__lt=end)
            | Q(published_at__isnull=True, closes_at__gte=start, closes_at__lt=end)
        )
    return list(qs.filter(status=Vote.Status.PUBLISHED).order_by("-published_at", "-pk")[:100])


def vote_figures(user, area: Area, month: date) -> dict:
    published = published_votes(user, area, month)
    return {
        "published": len(published),
        "votes": [
            {"subject": v.subject, "kind": v.get_kind_display(), "outcome": outcome_of(v)} for v in published
        ],
    }


def outcome_of(vote: Vote) -> str:
    """The published result's verdict in words ("passed"/"not passed"/the winning options)."""
    result = vote.result or {}
    for key in ("outcome", "verdict", "decision"):
        if isinstance(result.get(key), str):
            return result[key]
    if "passed" in result:
        return "通过" if result["passed"] else "未通过"
    return ""


# ---- hot issues ---------------------------------------------------------------------------------


def hot_issues(user, area: Area, limit: int = TOP_HOT) -> list:
    return list(
        hot_issues_of_area(
            user,
            subdistrict_id=area.subdistrict.pk,
            neighborhood_id=area.neighborhood.pk if area.neighborhood else None,
        ).filter(current=True)[:limit]
    )


# ---- the grid map -------------------------------------------------------------------------------

MAP_METRICS = ("collected", "resolution_rate", "overdue", "coverage", "households")


def grid_map(user, area: Area, month: date, by_grid: list[dict]) -> dict:
    """The area's grids as GeoJSON, each carrying the figures the map can be coloured by."""
    current = grids.current_grids(user, area.neighborhood or area.subdistrict)
    geo = grids.current_grids_geojson(current)
    kpis = {r["key"]: r for r in by_grid}
    coverage = visit_coverage_by_grid(user, area, month)
    # Codes repeat between neighborhoods; a grid's code with its name is unique in an area.
    by_code = {(g.code, g.name): g for g in current}
    for feature in geo["features"]:
        grid = by_code.get((feature["properties"].get("code"), feature["properties"].get("name")))
        if grid is None:
            continue
        row = kpis.get(grid.pk, {})
        feature["properties"].update(
            {
                "grid": grid.pk,
                "name": grid.name,
                "collected": row.get("collected", 0),
                "resolution_rate": row.get("resolution_rate"),
                "overdue": row.get("overdue", 0),
                "coverage": coverage.get(grid.pk),
                "households": grid.household_count,
            }
        )
    return geo


@dataclass
class MonthReport:
    """Everything the dashboard and the monthly report show for one area and month."""

    area: Area
    month: date
    kpis: dict
    previous: dict
    by_status: list
    by_category: list
    by_grid: list
    trend: list
    coverage: dict
    coverage_previous: dict
    projects: dict
    volunteers: dict
    votes: dict
    hot: list
    overdue: list

    @property
    def changes(self) -> dict:
        keys = ("collected", "overdue", "response_rate", "resolution_rate", "satisfaction_rate")
        out = {k: change(self.kpis[k], self.previous[k]) for k in keys}
        out["coverage"] = change(self.coverage["rate"], self.coverage_previous["rate"])
        return out


def month_report(user, area: Area, month: date, *, progress=None) -> MonthReport:
    """Every figure of the month; `progress(step, total, label)` is told as each part is read."""
    steps = [
        ("kpis", lambda: kpi_dict(concern_kpis(user, area, month))),
        ("previous", lambda: kpi_dict(concern_kpis(user, area, add_months(month, -1)))),
        ("by_status", lambda: concerns_by_status(user, area, month)),
        ("by_category", lambda: concerns_by_category(user, area, month)),
        ("by_grid", lambda: concerns_by_grid(user, area, month)),
        ("trend", lambda: kpi_trend(user, area, month)),
        ("coverage", lambda: visit_coverage(user, area, month)),
        ("coverage_previous", lambda: visit_coverage(user, area, add_months(month, -1))),
        ("projects", lambda: project_figures(user, area)),
        ("volunteers", lambda: volunteer_figures(user, area, month)),
        ("votes", lambda: vote_figures(user, area, month)),
        ("hot", lambda: hot_issues(user, area)),
        ("overdue", lambda: overdue_matters(user, area)),
    ]
    parts = {}
    for index, (name, read) in enumerate(steps, start=1):
        parts[name] = read()
        if progress:
            progress(index, len(steps), name)
    return MonthReport(area=area, month=month, **parts)
