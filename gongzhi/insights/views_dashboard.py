"""The area dashboard, the large screen (大屏) and the monthly report (print page, PDF, xlsx).

Staff only and scoped: the area comes from the caller's own areas (`views.area_of`, 404 outside
them) and every figure is read through the caller's scope (insights.figures)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.pages import parse_month, require_concern_reader, staff_page
from gongzhi.core.replica import reads_replica
from gongzhi.insights import figures, report, selectors
from gongzhi.insights.views import area_of

SCREEN_REFRESH_SECONDS = 300


def _month(request):
    return parse_month(request.GET.get("month"))


def _charts(r: figures.MonthReport) -> dict:
    """The ECharts inputs, every number taken from the month's figures as they are."""
    return {
        "status": {"labels": [s["label"] for s in r.by_status], "values": [s["count"] for s in r.by_status]},
        "category": {
            "labels": [c["label"] for c in r.by_category],
            "values": [c["count"] for c in r.by_category],
            "unit": _("concerns"),
        },
        # Grids with no concern in the month would fill the chart with empty rows; the map shows them.
        "grid": {
            "labels": [g["label"] for g in r.by_grid if g["collected"]],
            "values": [g["collected"] for g in r.by_grid if g["collected"]],
            "unit": _("concerns"),
        },
        "trend": {
            "labels": [t["month"] for t in r.trend],
            "series": [
                {"name": _("response rate"), "values": [t["response_rate"] for t in r.trend]},
                {"name": _("resolution rate"), "values": [t["resolution_rate"] for t in r.trend]},
                {"name": _("satisfaction rate"), "values": [t["satisfaction_rate"] for t in r.trend]},
            ],
            "unit": "%",
        },
        "funds": {
            "labels": [u["title"][:16] for u in r.projects["use"][:12]],
            "series": [
                {
                    "name": _("approved budget"),
                    "values": [float(u["budget"]) for u in r.projects["use"][:12]],
                },
                {"name": _("spent"), "values": [float(u["spent"]) for u in r.projects["use"][:12]]},
            ],
            "unit": _("yuan"),
        },
    }


def _metrics() -> list[tuple[str, str]]:
    return [
        ("collected", _("concerns collected")),
        ("resolution_rate", _("resolution rate")),
        ("overdue", _("overdue")),
        ("coverage", _("visit coverage")),
        ("households", _("households")),
    ]


def _context(request, template_flags: dict) -> dict:
    require_concern_reader(request.user)
    area, areas = area_of(request)
    month = _month(request)
    r = figures.month_report(request.user, area, month)
    monthly = selectors.monthly_by_category(request.user, area)
    return {
        "monthly": monthly,
        "total": sum(sum(s["values"]) for s in monthly["series"]),
        "area": area,
        "areas": areas,
        "month": month,
        "r": r,
        "changes": r.changes,
        "charts": _charts(r),
        "grid_map": figures.grid_map(request.user, area, month, r.by_grid),
        "metrics": _metrics(),
        **template_flags,
    }


@staff_page
@reads_replica
def dashboard(request):
    return render(request, "insights/dashboard.html", _context(request, {}))


@staff_page
@reads_replica
def screen(request):
    """The command centre's large screen: the same figures, dark, full width, reloading itself."""
    context = _context(request, {"refresh": SCREEN_REFRESH_SECONDS})
    return render(request, "insights/screen.html", context)


def _report(request) -> figures.MonthReport:
    require_concern_reader(request.user)
    area, _areas = area_of(request)
    return figures.month_report(request.user, area, _month(request))


@staff_page
@reads_replica
def report_page(request):
    """The monthly report as a print page: the same template the PDF is made from."""
    r = _report(request)
    return HttpResponse(report.html(r, printable=True))


@staff_page
@reads_replica
def report_download(request, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        raise Http404(_("No such report format."))
    r = _report(request)
    content, content_type = report.render(r, fmt)
    audit.record(
        "export",
        None,
        actor=request.user,
        summary=f"monthly report {r.area.label} {r.month:%Y-%m} ({fmt})",
        area=(r.area.subdistrict.pk, r.area.neighborhood.pk if r.area.neighborhood else None),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(r, fmt)}"'
    return response
