"""The offline field page, the data it keeps on the phone, its service worker and manifest.

The service worker is served from the site's root (/sw.js) so its scope covers the check-in and
call-up links a volunteer opens from a QR code or a message without signal; it handles only the
field page, its data and static files, and leaves every other request to the network."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongzhi.field import selectors
from gongzhi.volunteers import selectors as volunteer_selectors

STATIC = Path(__file__).resolve().parent / "static" / "field"


@never_cache
@login_required
def home(request):
    get_token(request)  # the page's script reads the CSRF cookie when it sends the queue
    return render(
        request,
        "field/home.html",
        {
            "records_visits": selectors.records_visits(request.user),
            "is_volunteer": volunteer_selectors.volunteer_of(request.user) is not None,
            "max_age_days": selectors.EXPIRES_AFTER.days,
        },
    )


@never_cache
@login_required
@require_GET
def data(request):
    """The worker's own grid for the phone (field page): masked, expires in 7 days."""
    return JsonResponse(selectors.snapshot(request.user), json_dumps_params={"ensure_ascii": False})


@require_GET
def service_worker(request):
    """/sw.js: the worker's script at the root, so its scope may be the whole site; never cached
    by the browser's HTTP cache (a new version is picked up on the next visit)."""
    body = (STATIC / "sw.js").read_text(encoding="utf-8")
    body = body.replace("__STATIC__", static("")).replace("__FIELD__", "/field/")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache, max-age=0"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    return JsonResponse(
        {
            "name": "共治 外勤",
            "short_name": "外勤",
            "start_url": "/field/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#b71c1c",
            "lang": "zh-CN",
            "icons": [{"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
