"""Session limits every page inherits: an absolute lifetime, and no caching of signed-in pages."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "gongzhi_signed_in_at"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif user.password_expired() and request.path not in _password_pages():
                return redirect("accounts:password_change")
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages of a signed-in user may show personal data: keep them out of every cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def _password_pages() -> set[str]:
    return {
        reverse("accounts:password_change"),
        reverse("accounts:password_change_done"),
        reverse("accounts:logout"),
    }
