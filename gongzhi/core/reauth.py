"""Re-authentication: before changing the second factor or the password, and before bulk unmasking
or exporting personal data, the user proves who they are again if their last authentication is
older than five minutes.

    from gongzhi.core.reauth import require_recent_auth

    @login_required
    @require_recent_auth
    def bulk_unmask(request): ...

Pages are sent to the re-authentication page and come back to `next`; API calls answer 401 with
`{"detail": "Re-authentication required.", "reauth": "<url>"}`.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

AUTHENTICATED_AT = "gongzhi_authenticated_at"
RECENT_SECONDS = 5 * 60


def mark_authenticated(sender=None, request=None, user=None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[AUTHENTICATED_AT] = time.time()


def recently_authenticated(request, seconds: int = RECENT_SECONDS) -> bool:
    at = request.session.get(AUTHENTICATED_AT) if hasattr(request, "session") else None
    return at is not None and time.time() - float(at) <= seconds


def reauth_url(next_path: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_path})}"


def require_recent_auth(view):
    """Decorator for views (pages or django-ninja handlers taking `request` first)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if recently_authenticated(request):
            return view(request, *args, **kwargs)
        next_path = request.get_full_path() if request.method == "GET" else request.path
        if request.path.startswith("/api/"):
            body = {"detail": "Re-authentication required.", "reauth": reauth_url(next_path)}
            return JsonResponse(body, status=401)
        return redirect(reauth_url(next_path))

    return wrapped
