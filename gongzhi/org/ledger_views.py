"""Ledger (台账) pages: upload an Excel/CSV ledger, download the template, export the area's ledger.

Thin: parse the request, call one service in org.ledger, render or send the workbook.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongzhi.core import permissions
from gongzhi.core.pages import parse_int
from gongzhi.org import ledger, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: HttpRequest, report: ledger.ImportReport | None = None, status: int = 200) -> HttpResponse:
    may_export = permissions.has_capability(request.user, "export")
    context = {
        "report": report,
        "may_import": ledger.may_import(request.user),
        "may_export": may_export,
        "neighborhoods": selectors.neighborhoods_visible_to(request.user) if may_export else [],
        "max_mb": ledger.MAX_BYTES // (1024 * 1024),
        "max_rows": ledger.MAX_ROWS,
    }
    return render(request, "org/ledger_import.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    report = ledger.import_ledger(actor=request.user, uploaded_file=request.FILES.get("file"))
    return _page(request, report, status=200 if report.ok else 400)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@never_cache
@login_required
def ledger_template(request: HttpRequest) -> HttpResponse:
    return _xlsx_response(ledger.ledger_template_xlsx(actor=request.user), _("ledger-template") + ".xlsx")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ledger_export(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("neighborhood") or request.GET.get("neighborhood") or ""
    neighborhood = None
    if raw:
        if (number := parse_int(raw)) is None:
            raise Http404
        neighborhood = get_object_or_404(selectors.neighborhoods_visible_to(request.user), pk=number)
    if not permissions.has_capability(request.user, "export"):
        raise PermissionDenied(_("You may not export ledgers."))
    # Bulk personal data: a second person approves before the file is produced (core.exports).
    query = urlencode({"kind": "org.households", "neighborhood": neighborhood.pk if neighborhood else ""})
    return redirect(reverse("core:export_new") + "?" + query)


urlpatterns = [
    path("ledgers/", ledger_import, name="ledger_import"),
    path("ledgers/template.xlsx", ledger_template, name="ledger_template"),
    path("ledgers/export.xlsx", ledger_export, name="ledger_export"),
]
