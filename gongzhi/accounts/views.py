"""Sign-in with lockout. Thin: the form checks the password, the services count and audit."""

import uuid

import segno
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from gongzhi.accounts import duties, known_devices, rights, selectors, services, totp
from gongzhi.accounts import security as security_selectors
from gongzhi.accounts.models import DataSubjectRequest
from gongzhi.core import audit, identity, pii, reauth
from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import require_reader


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
        # Counted, throttled and authenticated under one spelling (the form applies the same NFKC).
        username, client = identity.normalize(request.POST.get("username", "")), client_ip(request)
        known = known_devices.is_known(request, username)
        locked = services.locked_until(username, client, known_device=known)
        if locked is None and form.is_valid():
            return _after_password(request, form.get_user(), username, client)
        if locked is None:
            services.record_failed_sign_in(username, client)
            locked = services.locked_until(username, client, known_device=known)
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
    response = redirect(_next_url(request))
    known_devices.remember(request, response, username)
    return response


@csrf_protect
@never_cache
def second_factor(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    user = selectors.pending_user(pending["user"])
    client, error = client_ip(request), ""
    if request.method == "POST":
        known = known_devices.is_known(request, user.username)
        locked = services.locked_until(user.username, client, known_device=known)
        if locked is None and services.verify_second_factor(user=user, code=request.POST.get("code", "")):
            services.record_successful_sign_in(user=user, username=user.username, client=client)
            login(request, user)
            request.session[services.MFA_VERIFIED] = True
            response = redirect(pending["next"])
            known_devices.remember(request, response, user.username)
            return response
        if locked is None:
            services.record_failed_sign_in(user.username, client)
        error = _("The code is wrong or was already used.")
    return render(request, "accounts/mfa.html", {"error": error}, status=400 if error else 200)


@login_required
@reauth.require_recent_auth
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


# ---- Residents: sign-in by a code sent to their phone --------------------------------------------
PHONE_PENDING = "gongzhi_phone_pending"


@sensitive_post_parameters("phone", "code", "password")
@csrf_protect
@never_cache
def phone_sign_in(request):
    """Step 1 posts the phone (never in the URL) and sends a code; step 2 posts the code. The
    answer to step 1 is the same whether or not the number is known."""
    errors, status = {}, 200
    phone = request.session.get(PHONE_PENDING, "")
    posted_name = services.phone_account_name(request.POST.get("phone", "") or phone)
    known = bool(posted_name) and known_devices.is_known(request, posted_name)
    if request.method == "POST" and request.POST.get("step") == "send":
        try:
            services.request_phone_code(
                phone=request.POST.get("phone", ""), client=client_ip(request), known_device=known
            )
        except ValidationError as exc:
            errors, status = exc.message_dict, 429 if isinstance(exc, services.TooManyCodes) else 400
        else:
            phone = pii.validate_phone(request.POST["phone"])
            request.session[PHONE_PENDING] = phone
    elif request.method == "POST" and request.POST.get("step") == "password":
        try:
            user = services.sign_in_with_phone_password(
                phone=request.POST.get("phone", ""),
                password=request.POST.get("password", ""),
                client=client_ip(request),
                known_device=known,
            )
        except ValidationError as exc:
            errors, status = exc.message_dict, 429 if isinstance(exc, services.SignInLocked) else 400
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _remembered(request, redirect("core:workbench"), posted_name)
    elif request.method == "POST" and request.POST.get("step") == "verify" and phone:
        try:
            user = services.sign_in_with_phone_code(phone=phone, code=request.POST.get("code", ""))
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(PHONE_PENDING, None)
            return _remembered(request, redirect("core:workbench"), services.phone_account_name(phone))
    context = {"errors": errors, "phone_masked": pii.mask_phone(phone) if phone else "", "sent": bool(phone)}
    return render(request, "accounts/phone_sign_in.html", context, status=status)


def _remembered(request, response, name: str):
    known_devices.remember(request, response, name)
    return response


@csrf_protect
@never_cache
def phone_restart(request):
    if request.method == "POST":
        request.session.pop(PHONE_PENDING, None)
    return redirect("accounts:phone")


# ---- Re-authentication ----------------------------------------------------------------------------
@sensitive_post_parameters("password", "code")
@login_required
@csrf_protect
@never_cache
def reauthenticate(request):
    user, client = request.user, client_ip(request)
    by_code = user.kind == user.Kind.RESIDENT and not user.has_usable_password()
    error, sent = "", False
    if request.method == "POST" and request.POST.get("step") == "send" and by_code:
        try:
            known = known_devices.is_known(request, services.phone_account_name(user.phone))
            services.request_phone_code(phone=user.phone, client=client, known_device=known)
            sent = True
        except ValidationError as exc:
            error = " ".join(exc.messages)
    elif request.method == "POST":
        ok = services.reauthenticate(
            user=user,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            client=client,
            known_device=known_devices.is_known(request, user.username),
        )
        if ok:
            reauth.mark_authenticated(request=request)
            return redirect(_next_url(request))
        error = _("That did not match. Try again.")
    context = {
        "error": error,
        "by_code": by_code,
        "sent": sent,
        "needs_code": services.has_confirmed_device(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/reauth.html", context, status=400 if error else 200)


password_change = login_required(
    reauth.require_recent_auth(
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        )
    )
)


@sensitive_post_parameters("new_password1", "new_password2")
@login_required
@reauth.require_recent_auth
@csrf_protect
@never_cache
def password_set(request):
    """A resident who signs in by phone code may add a password (optional)."""
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        audit.record(
            "update", request.user, actor=request.user, summary=f"{request.user.username}: password set"
        )
        return redirect("accounts:password_change_done")
    return render(request, "accounts/password_set.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@reauth.require_recent_auth
@csrf_protect
@never_cache
def second_factor_reset(request):
    """Replace the authenticator app: the old device and recovery codes go, enrolment starts over."""
    if request.method == "POST":
        services.reset_second_factor(user=request.user)
        request.session.pop(services.MFA_VERIFIED, None)
        return redirect("accounts:mfa_setup")
    return render(request, "accounts/mfa_reset.html")


# ---- Data-subject rights: the resident's side ----------------------------------------------------
def _resident_only(request) -> None:
    if request.user.kind != request.user.Kind.RESIDENT:
        raise PermissionDenied(_("This page is for residents."))


@login_required
@csrf_protect
@never_cache
def me(request):
    _resident_only(request)
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.POST
        try:
            rights.file_request(
                user=request.user,
                kind=request.POST.get("kind", ""),
                field=request.POST.get("field", ""),
                new_value=request.POST.get("new_value", ""),
                reason=request.POST.get("reason", ""),
                key=request.POST.get("key", "")[:64],
            )
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            messages.success(
                request, _("Your request was filed. The residents' committee answers within 15 working days.")
            )
            return redirect("accounts:me")
    context = {
        "sections": selectors.holdings_of(request.user),
        "may_file": rights.may_file(request.user),
        "fields": DataSubjectRequest.CORRECTABLE.items(),
        "kinds": DataSubjectRequest.Kind.choices,
        "errors": errors,
        "values": values,
        "key": uuid.uuid4().hex,
        "has_password": request.user.has_usable_password(),
    }
    return render(request, "accounts/me.html", context, status=status)


@login_required
@never_cache
def me_copy(request, fmt: str):
    _resident_only(request)
    try:
        content, content_type, name = rights.export_copy(user=request.user, fmt=fmt)
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- Data-subject rights: the staff queue --------------------------------------------------------
@login_required
@never_cache
def request_queue(request):
    status = request.GET.get("status", DataSubjectRequest.Status.PENDING)
    if status not in DataSubjectRequest.Status.values:
        status = DataSubjectRequest.Status.PENDING
    require_reader(request.user, "subject_request", _("Your roles do not handle data-subject requests."))
    rows = selectors.requests_visible_to(request.user, status=status)[:500]
    context = {
        "rows": rows,
        "status": status,
        "statuses": DataSubjectRequest.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "accounts/request_queue.html", context)


@login_required
@csrf_protect
@never_cache
def request_detail(request, pk: int):
    item = selectors.request_for_handling(request.user, pk)
    if item is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            rights.decide(
                actor=request.user,
                request=item,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("accounts:requests")
    context = {
        "item": item,
        "error": error,
        "may_decide": selectors.may_handle(request.user, item),
        "masked_value": pii.mask_phone(item.new_value) if item.field == "phone" else "",
    }
    return render(request, "accounts/request_detail.html", context, status=400 if error else 200)


# ---- The security admin's page -------------------------------------------------------------------
@login_required
@csrf_protect
@never_cache
def security(request):
    duties.require_duty(request.user, "security_admin")
    notice = ""
    if request.method == "POST":
        action, target = request.POST.get("action", ""), request.POST.get("key", "")
        if action == "unlock":
            notice = _("Lock lifted.") if services.lift_lock(actor=request.user, key=target) else ""
        elif action == "end_sessions":
            notice = (
                _("Sessions ended.")
                if services.end_sessions_of(actor=request.user, username=target)
                else _("No such account.")
            )
    return render(request, "accounts/security.html", security_selectors.overview() | {"notice": notice})


class SignOutView(auth_views.LogoutView):
    """Sign out, and have the browser wipe what this site kept on it: the field pages' cached
    page and static files, their household list and queue (IndexedDB), the service worker
    (docs/field.md). Browsers honour it over HTTPS and on localhost."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
