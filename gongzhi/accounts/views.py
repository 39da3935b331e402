"""Sign-in with lockout. Thin: the form checks the password, the services count and audit."""

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from gongzhi.accounts import services
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
            services.record_successful_sign_in(user=form.get_user(), username=username, client=client)
            login(request, form.get_user())
            return redirect(_next_url(request))
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
