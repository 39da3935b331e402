"""Pages of the export approval: ask (with a purpose), list, approve or refuse, download.

Thin: parse, call one function in core.exports, render. Requests outside the user's reach are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import exports
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import ExportRequest
from gongzhi.core.reauth import require_recent_auth


@never_cache
@login_required
@require_recent_auth
@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    kind_code = source.get("kind", "")
    if not kind_code and request.method == "GET":
        return render(request, "core/export_kinds.html", {"kinds": exports.kinds_for(request.user)})
    try:
        kind = exports.kind_of(kind_code)
    except ValidationError:
        raise Http404 from None
    params = {name: source.get(name, "") for name in kind.fields if source.get(name, "")}
    context = {"kind": kind, "params": params, "purpose": source.get("purpose", ""), "errors": []}
    if request.method == "POST":
        try:
            item = exports.request_export(request.user, kind.code, params, source.get("purpose", ""))
        except NotInScope:
            raise  # outside the area (a PermissionDenied too): the middleware answers 404
        except PermissionDenied:
            context["errors"] = [_("You may not export ledgers.")]
            return render(request, "core/export_new.html", context, status=403)
        except ValidationError as exc:
            context["errors"] = exc.messages
            return render(request, "core/export_new.html", context, status=400)
        messages.success(request, _("Export requested. A second person with export rights must approve it."))
        return redirect("core:export", pk=item.pk)
    return render(request, "core/export_new.html", context)


@never_cache
@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    items = list(exports.requests_visible_to(request.user)[:200])
    for item in items:
        item.kind_label = exports.label_of(item.kind)
    return render(request, "core/exports.html", {"items": items})


def _visible(request: HttpRequest, pk: int) -> ExportRequest:
    item = get_object_or_404(exports.requests_visible_to(request.user), pk=pk)
    item.kind_label = exports.label_of(item.kind)
    return item


@never_cache
@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if request.headers.get("HX-Request"):
        return render(request, "core/_export_progress.html", {"item": item})
    level, approvers = exports.approvers_of(item)
    context = {
        "item": item,
        "kind": exports.kinds().get(item.kind),
        "params": exports.params_shown(item),
        "area": exports.area_names(item),
        "level": level,
        "approvers": approvers,
        "overdue": item.status == ExportRequest.Status.PENDING
        and item.due_at
        and item.due_at < timezone.now(),
        "may_decide": item.status == ExportRequest.Status.PENDING and exports.may_decide(request.user, item),
        "is_requester": item.requested_by_id == request.user.pk,
    }
    return render(request, "core/export.html", context)


@never_cache
@require_POST
@login_required
def export_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        exports.decide(request.user, item, approve=approve, note=request.POST.get("note", ""))
    except NotInScope:
        raise  # outside the area (a PermissionDenied too): the middleware answers 404
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("core:export", pk=item.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("core:export", pk=item.pk)
    messages.success(
        request, _("Export approved; the file is being produced.") if approve else _("Export refused.")
    )
    return redirect("core:export", pk=item.pk)


@never_cache
@login_required
@require_recent_auth
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    try:
        content, item = exports.open_download(request.user, item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("core:export", pk=item.pk)
    response = HttpResponse(content, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
