"""Activity pages: the list, publishing, sign-ups, the chief's check-in list and paper sheet,
hours and the QR check-in."""

from datetime import datetime, time, timedelta

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotInScope
from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import ActivityForm
from gongzhi.volunteers.models import SignUp


@staff_page
def activity_list(request):
    activities = selectors.activities_visible_to(request.user).order_by("-starts_at")[:200]
    may_create = selectors.writable_teams(request.user).exists()
    return render(request, "volunteers/activities.html", {"activities": activities, "may_create": may_create})


@staff_page
def activity_create(request):
    teams = selectors.writable_teams(request.user)
    if not teams.exists():
        raise PermissionDenied(_("You may not publish activities."))
    form = ActivityForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.publish_activity(actor=request.user, **form.cleaned_data)
            return redirect("volunteers:activity", pk=activity.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request, "volunteers/activity_form.html", {"form": form}, status=400 if form.errors else 200
    )


@staff_page
def activity_detail(request, pk: int):
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    signups = selectors.signups_of(request.user, activity)
    may_manage = selectors.rights_on(request.user, activity).may_write
    check_in_url = request.build_absolute_uri(reverse("volunteers:check_in", args=[activity.check_in_token]))
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": activity,
            "confirmed": [s for s in signups if s.status == SignUp.Status.CONFIRMED],
            "waitlisted": [s for s in signups if s.status == SignUp.Status.WAITLISTED],
            "mine": selectors.my_signup(request.user, activity),
            "may_manage": may_manage,
            "is_chief": activity.team.chief_id == request.user.pk,
            "may_check": services.may_take_attendance(request.user, activity),
            "now_hm": timezone.localtime().strftime("%H:%M"),
            "check_in_url": check_in_url,
            "qr_svg": segno.make(check_in_url).svg_inline(scale=4) if may_manage else "",
            "volunteers": selectors.volunteers_visible_to(request.user).order_by("name")[:500]
            if may_manage
            else [],
        },
    )


@require_POST
@staff_page
def activity_sign_up(request, pk: int):
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    if request.POST.get("volunteer"):
        chosen = parse_int(request.POST["volunteer"]) or 0
        volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=chosen)
    else:
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            raise PermissionDenied(_("Only registered volunteers sign up."))
    try:
        signup = services.sign_up(actor=request.user, activity=activity, volunteer=volunteer)
        if signup.status == SignUp.Status.WAITLISTED:
            messages.info(request, _("The activity is full; you are on the waiting list."))
        else:
            messages.success(request, _("Signed up."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:activity", pk=activity.pk)


def _signup_or_404(request, pk: int) -> SignUp:
    signup = selectors.signup_for(request.user, pk)
    if signup is None:
        raise Http404
    return signup


@require_POST
@staff_page
def signup_cancel(request, pk: int):
    signup = _signup_or_404(request, pk)
    try:
        services.cancel_signup(actor=request.user, signup=signup)
        messages.success(request, _("Sign-up cancelled."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:activity", pk=signup.activity_id)


@require_POST
@staff_page
def hours_confirm(request, pk: int):
    signup = _signup_or_404(request, pk)
    try:
        entry = services.confirm_hours(
            actor=request.user,
            signup=signup,
            hours=request.POST.get("hours"),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        say(request, exc)
    else:
        if entry is None:
            messages.success(request, _("Hours recorded; a second person approves them."))
        else:
            messages.success(request, _("Hours confirmed."))
    return redirect("volunteers:activity", pk=signup.activity_id)


@require_POST
@staff_page
def hours_approve(request, pk: int):
    """A second person approves hours entered above the scanned time."""
    signup = _signup_or_404(request, pk)
    try:
        services.approve_hours(actor=request.user, signup=signup)
        messages.success(request, _("Hours confirmed."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:activity", pk=signup.activity_id)


@staff_page
def check_in(request, token: str):
    """The page the activity's QR code opens on the volunteer's phone. The team chief (or staff)
    who scans it is taken to the activity's list, where they check people in and out."""
    activity = selectors.activity_by_token(token)
    if (
        activity is not None
        and services.may_take_attendance(request.user, activity)
        and selectors.my_signup(request.user, activity) is None
    ):
        messages.info(
            request, _("You check volunteers in and out from this list, with or without their phone.")
        )
        return redirect(reverse("volunteers:activity", args=[activity.pk]) + "#confirmed")
    signup, status, error = None, 200, ""
    if request.method == "POST":
        try:
            signup = services.scan_check_in(actor=request.user, token=token)
        except NotInScope as exc:
            error, status = str(exc), 404
        except ValidationError as exc:
            say(request, exc)
            status = 400
    return render(
        request, "volunteers/check_in.html", {"signup": signup, "token": token, "error": error}, status=status
    )


def _typed_time(activity, value: str, field: str):
    """A time of day typed as HH:MM on the activity's day (Asia/Shanghai); the next day for an
    activity running past midnight; None when blank."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = time.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: _("Type the time as HH:MM, e.g. 08:30.")}) from None
    start = timezone.localtime(activity.starts_at)
    at = timezone.make_aware(datetime.combine(start.date(), moment))
    if (
        at < activity.starts_at - services.CHECK_IN_GRACE
        and timezone.localtime(activity.ends_at).date() > start.date()
    ):
        at += timedelta(days=1)
    return at


@require_POST
@staff_page
def attendance(request, pk: int):
    """The chief checks one volunteer in or out from the activity's list (at the time typed, or now)."""
    signup = _signup_or_404(request, pk)
    try:
        at = _typed_time(signup.activity, request.POST.get("at", ""), "at")
        action = request.POST.get("action", "")
        services.record_attendance(actor=request.user, signup=signup, action=action, at=at)
        messages.success(
            request,
            (_("%(name)s checked in.") if action == "in" else _("%(name)s checked out."))
            % {"name": signup.volunteer.name},
        )
    except ValidationError as exc:
        say(request, exc)
    return redirect(reverse("volunteers:activity", args=[signup.activity_id]) + "#confirmed")


@require_POST
@staff_page
def paper_sheet(request, pk: int):
    """One line of a paper sign-in sheet typed in afterwards."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    volunteer = (
        selectors.volunteers_visible_to(request.user)
        .filter(pk=parse_int(request.POST.get("volunteer")) or 0)
        .first()
    )
    try:
        if volunteer is None:
            raise ValidationError({"volunteer": _("Choose the volunteer.")})
        arrived = _typed_time(activity, request.POST.get("arrived", ""), "arrived")
        left = _typed_time(activity, request.POST.get("left", ""), "left")
        if arrived is None or left is None:
            raise ValidationError({"arrived": _("Type when they arrived and when they left.")})
        services.record_paper_sheet(
            actor=request.user, activity=activity, volunteer=volunteer, arrived=arrived, left=left
        )
        messages.success(request, _("%(name)s recorded from the paper sheet.") % {"name": volunteer.name})
    except ValidationError as exc:
        say(request, exc)
    return redirect(reverse("volunteers:activity", args=[activity.pk]) + "#confirmed")
