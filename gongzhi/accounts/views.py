"""Sign-in with lockout. Thin: the form checks the password, the services count and audit."""

import segno
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from gongzhi.accounts import services, totp
from gongzhi.core.middleware import client_ip


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request):
    form = AuthenticationForm(request, data=request.POST or None)
    locked = None
    if request.method == "POST":
        username, client = request.POST.get("username", ""), client_ip(request)
        locked = services.locked_until(username, client)
        if locked is None and form.is_valid():
            return _after_password(request, form.get_user(), username, client)
        if locked is None:
            services.record_failed_sign_in(username, client)
            locked = services.locked_until(username, client)
    minutes = max(1, round((locked - timezone.now()).total_seconds() / 60)) if locked else 0
    context = {
        "form": form,
        "next": _next_url(request),
        "locked_message": _("Too many failed attempts: try again in %(m)s minutes.") % {"m": minutes}
        if locked
        else "",
    }
    return render(request, "accounts/login.html", context, status=429 if locked else 200)


PENDING = "gongzhi_mfa_pending"


def _after_password(request, user, username: str, client: str):
    """Password right: sign in, or first ask for the second factor when the account has one."""
    if services.mfa_applies(user) and services.has_confirmed_device(user):
        request.session[PENDING] = {"user": user.pk, "next": _next_url(request)}
        return redirect("accounts:mfa")
    services.record_successful_sign_in(user=user, username=username, client=client)
    login(request, user)
    return redirect(_next_url(request))


@csrf_protect
@never_cache
def second_factor(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    user = get_user_model().objects.get(pk=pending["user"])
    client, error = client_ip(request), ""
    if request.method == "POST":
        locked = services.locked_until(user.username, client)
        if locked is None and services.verify_second_factor(user=user, code=request.POST.get("code", "")):
            services.record_successful_sign_in(user=user, username=user.username, client=client)
            login(request, user)
            request.session[services.MFA_VERIFIED] = True
            return redirect(pending["next"])
        if locked is None:
            services.record_failed_sign_in(user.username, client)
        error = _("The code is wrong or was already used.")
    return render(request, "accounts/mfa.html", {"error": error}, status=400 if error else 200)


@login_required
@csrf_protect
@never_cache
def second_factor_setup(request):
    """Enrolment: scan the QR code with an authenticator app, confirm with one code."""
    if services.has_confirmed_device(request.user):
        return redirect("core:workbench")
    device = services.start_enrollment(user=request.user)
    error, codes = "", None
    if request.method == "POST":
        try:
            codes = services.confirm_enrollment(user=request.user, code=request.POST.get("code", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            request.user.refresh_from_db()  # its session epoch moved on: other sessions ended
            login(request, request.user)
            request.session[services.MFA_VERIFIED] = True
    uri = totp.provisioning_uri(device.secret, request.user.username)
    context = {
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": device.secret,
        "error": error,
    }
    return render(
        request, "accounts/mfa_setup.html", context | {"codes": codes}, status=400 if error else 200
    )
