"""The error pages: 400, 403, 404 and 500 in the reader's language, in the site's layout, saying
what happened and where to go next. An htmx request gets the same words as a fragment, which the
page shows in place (base.html's htmx config swaps 4xx and 5xx answers). gongzhi/urls.py names
these views as Django's handler400/403/404/500; settings.CSRF_FAILURE_VIEW is `csrf_failure`."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Shown when even the layout cannot be drawn (the database is down): no template, no query.
BARE_500 = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>系统出错 · 共治</title>'
    "</head><body><h1>系统出错</h1><p>服务器处理您的请求时出错，错误已记录。请稍后重试；"
    '如果一直出错，请联系系统管理员。</p><p><a href="/">回到首页</a></p></body></html>'
)


def _texts(status: int) -> tuple[str, str]:
    return {
        400: (
            _("The request could not be read"),
            _("The page received something it could not read. Nothing was changed."),
        ),
        403: (
            _("You may not do this"),
            _("Your account's roles do not allow this page or action."),
        ),
        404: (
            _("Page not found"),
            _("This page does not exist, was removed, or lies outside your area."),
        ),
        500: (
            _("Something went wrong on our side"),
            _(
                "The server failed to answer and the error has been logged. Nothing you typed is "
                "lost by going back. Try again in a moment; if it keeps failing, tell your system "
                "administrator."
            ),
        ),
    }[status]


def _detail(status: int, exception) -> str:
    """A refusal's own reason when a service wrote one for people (a PermissionDenied from a
    service is a sentence in the reader's language); 400 and 404 reasons are technical."""
    if status != 403 or exception is None:
        return ""
    text = str(exception)
    return text if text and text != "Forbidden" else ""


def render_error(request, status: int, exception=None, detail: str = "") -> HttpResponse:
    title, explanation = _texts(status)
    context = {
        "status": status,
        "title": title,
        "explanation": explanation,
        "detail": detail or _detail(status, exception),
        "next": request.get_full_path() if request is not None else "",
    }
    fragment = request is not None and request.headers.get("HX-Request")
    template = "core/error_fragment.html" if fragment else "core/error.html"
    return HttpResponse(render_to_string(template, context, request=request), status=status)


def bad_request(request, exception=None):
    return render_error(request, 400, exception)


def permission_denied(request, exception=None):
    return render_error(request, 403, exception)


def page_not_found(request, exception=None):
    return render_error(request, 404, exception)


def server_error(request):
    try:
        return render_error(request, 500)
    except Exception:  # the layout reads the menu and messages: the database may be what failed
        logger.exception("the 500 page could not be drawn in the layout")
        return HttpResponse(BARE_500, status=500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (usually a page left open past the session)."""
    return render_error(
        request,
        403,
        detail=_("The form had expired. Open the page again and resubmit; nothing was saved."),
    )
