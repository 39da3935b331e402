from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import audit_verification
from gongzhi.core.models import AuditRecord
from gongzhi.core.selectors import (
    AuditFilter,
    audit_areas_of,
    audit_object_types,
    audit_records_visible_to,
)

FILTER_NAMES = ("action", "actor", "since", "until", "object_type", "object_id", "neighborhood")


@login_required
def audit_trail(request):
    filters = AuditFilter.from_query(request.GET)
    records = audit_records_visible_to(request.user, filters=filters)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    kept = urlencode({name: request.GET.get(name, "") for name in FILTER_NAMES if request.GET.get(name)})
    context = {
        "page": page,
        "filters": filters,
        "kept": kept,
        "actions": AuditRecord.Action.choices,
        "areas": audit_areas_of(request.user),
        "object_types": audit_object_types(),
        "may_verify": audit_verification.may_verify(request.user),
    }
    return render(request, "core/audit.html", context, status=400 if filters.errors else 200)


@never_cache
@login_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    """The chain check: start one, follow the latest, and the history of past ones."""
    audit_verification.require_verifier(request.user)
    runs = list(audit_verification.verifications_visible_to(request.user)[:30])
    return render(request, "core/audit_verify.html", {"runs": runs, "latest": runs[0] if runs else None})


@require_POST
@login_required
def audit_verify_start(request: HttpRequest) -> HttpResponse:
    run = audit_verification.start_verification(actor=request.user)
    return redirect("core:audit_verification", pk=run.pk)


@never_cache
@login_required
def audit_verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One check; an htmx poll gets only its progress fragment until it is done."""
    audit_verification.require_verifier(request.user)
    run = get_object_or_404(audit_verification.verifications_visible_to(request.user), pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "core/_audit_run.html", {"run": run})
    return render(request, "core/audit_verification.html", {"run": run})
