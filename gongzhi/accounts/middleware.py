"""Session limits every page inherits: an absolute lifetime, and no caching of signed-in pages."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts import duties

SIGNED_IN_AT = "gongzhi_signed_in_at"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == reverse("admin:login"):
            # One way in: the admin's own login form knows neither the lockout nor the second factor.
            target = request.GET.get("next", "")
            return redirect(
                f"{reverse('accounts:login')}?{urlencode({'next': target or reverse('admin:index')})}"
            )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif user.password_expired() and request.path not in _password_pages():
                return redirect("accounts:password_change")
            elif _second_factor_missing(request) and request.path not in _setup_pages():
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Second factor required."}, status=401)
                return redirect("accounts:mfa_setup")
            elif not duties.page_allowed(user, request.path):
                # Residents, system admins, security admins and auditors each keep to their pages.
                if request.path == "/":
                    return redirect(duties.home_of(user))
                if duties.duty_of(user) == "resident":
                    raise Http404
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Not for this account."}, status=403)
                raise PermissionDenied(_("This page is not part of your account's duties."))
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
        reverse("accounts:reauth"),  # changing the password may first ask to re-authenticate
    }


def _second_factor_missing(request) -> bool:
    """A staff session that has not passed a second factor (only possible before enrolment)."""
    from gongzhi.accounts import services

    return services.mfa_applies(request.user) and not request.session.get(services.MFA_VERIFIED)


def _setup_pages() -> set[str]:
    return {
        reverse("accounts:mfa_setup"),
        reverse("accounts:reauth"),  # enrolling may first ask to re-authenticate
        reverse("accounts:logout"),
        reverse("set_language"),
    }
