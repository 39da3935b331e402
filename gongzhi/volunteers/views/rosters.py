"""Roster pages: patterns and generated duties, attendance, and a volunteer's own duties and swaps."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import GenerateForm, PatternForm, RosterForm
from gongzhi.volunteers.views.common import errors_to, require_volunteer_reader


@staff_page
def roster_list(request):
    require_volunteer_reader(request.user)
    form = RosterForm(request.POST or None, teams=selectors.writable_teams(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            pattern = services.create_roster(actor=request.user, **form.cleaned_data)
            return redirect("volunteers:roster", pk=pattern.pk)
        except ValidationError as exc:
            errors_to(form, exc)
    return render(
        request,
        "volunteers/rosters.html",
        {"rosters": selectors.rosters_visible_to(request.user), "form": form},
    )


@staff_page
def roster_detail(request, pk: int):
    """A roster: generate shifts, edit the pattern, add a missing kind of member, arrange swaps,
    mark attendance. The posted "form" field says which."""
    pattern = get_object_or_404(selectors.rosters_visible_to(request.user), pk=pk)
    may_write = selectors.rights_on(request.user, pattern).may_write
    which = request.POST.get("form", "generate") if request.method == "POST" else ""
    if which and which != "generate" and not may_write:
        raise PermissionDenied(_("You may not change this roster."))
    form = GenerateForm(request.POST if which == "generate" else None)
    pattern_form = PatternForm.of(pattern, request.POST if which == "pattern" else None)
    status = 200
    try:
        if which == "generate" and form.is_valid():
            n = services.generate_roster(actor=request.user, pattern=pattern, **form.cleaned_data)
            messages.success(request, _("%(n)s shifts generated.") % {"n": n})
            return redirect("volunteers:roster", pk=pattern.pk)
        if which == "pattern" and pattern_form.is_valid():
            services.update_roster(actor=request.user, pattern=pattern, **pattern_form.cleaned_data)
            messages.success(request, _("Pattern saved; shifts generated from now on follow it."))
            return redirect("volunteers:roster", pk=pattern.pk)
        if which == "member":
            volunteer = (
                selectors.team_candidates(request.user, pattern)
                .filter(pk=parse_int(request.POST.get("volunteer")) or 0)
                .first()
            )
            if volunteer is None:
                raise ValidationError({"volunteer": _("Choose a volunteer of the neighborhood.")})
            services.add_to_team(actor=request.user, team=pattern.team, volunteer=volunteer)
            messages.success(request, _("%(name)s joined the team.") % {"name": volunteer.name})
            return redirect("volunteers:roster", pk=pattern.pk)
    except ValidationError as exc:
        errors_to(pattern_form if which == "pattern" else form, exc)
    if which:
        status = 400
    pattern.refresh_from_db()
    now = timezone.now()
    may_mark = selectors.may_mark_roster(request.user, pattern)
    missing = services.missing_roles(pattern)
    context = {
        "pattern": pattern,
        "form": form,
        "pattern_form": pattern_form,
        "may_write": may_write,
        "missing": missing,
        "candidates": selectors.team_candidates(request.user, pattern) if missing and may_write else [],
        "shifts": _with_swap_options(
            selectors.roster_shifts(pattern, now - timedelta(days=7), now + timedelta(days=31)),
            list(pattern.team.members.order_by("name")) if may_mark else [],
        ),
        "counts": selectors.attendance_counts(pattern),
        "now": now,
        "may_mark": may_mark,
        "standing_by": selectors.stands_by(pattern),
        "may_designate": selectors.rights_on(request.user, pattern).may_write,
    }
    return render(request, "volunteers/roster.html", context, status=status)


def _with_swap_options(shifts, teammates) -> list:
    """Each duty with the teammates who could take it over (the role's kinds, not on that shift)."""
    shifts = list(shifts)
    for shift in shifts:
        on = {d.volunteer_id for d in shift.duties.all()}
        for duty in shift.duties.all():
            kinds = services.ROLE_KINDS[duty.role]
            duty.swap_options = [v for v in teammates if v.kind in kinds and v.pk not in on]
    return shifts


@require_POST
@staff_page
def duty_arrange_swap(request, pk: int):
    """The team chief (or staff) hands a duty to a teammate at once."""
    duty = get_object_or_404(selectors.duties_markable_by(request.user).select_related("shift"), pk=pk)
    target = selectors.swap_partner(duty, parse_int(request.POST.get("to_volunteer")))
    try:
        if target is None:
            raise ValidationError({"to_volunteer": _("Only a teammate who can take this role.")})
        services.arrange_swap(actor=request.user, duty=duty, to_volunteer=target)
        messages.success(request, _("Duty handed to %(name)s.") % {"name": target.name})
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:roster", pk=duty.shift.pattern_id)


@require_POST
@staff_page
def roster_standby(request, pk: int):
    """Designate the roster to stand by in an emergency, or not (治理环)."""
    pattern = get_object_or_404(selectors.rosters_visible_to(request.user), pk=pk)
    services.designate_standby(
        actor=request.user, pattern=pattern, standby=request.POST.get("standby") == "1"
    )
    return redirect("volunteers:roster", pk=pattern.pk)


@require_POST
@staff_page
def duty_attendance(request, pk: int):
    duty = get_object_or_404(selectors.duties_markable_by(request.user).select_related("shift"), pk=pk)
    try:
        services.mark_attendance(actor=request.user, duty=duty, attendance=request.POST.get("attendance", ""))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:roster", pk=duty.shift.pattern_id)


@staff_page
def my_duties(request):
    """A volunteer's own duties on their phone: ask a teammate to swap, answer swaps asked of them."""
    me = selectors.volunteer_of(request.user)
    if me is None:
        raise Http404
    asked_of_me, asked_by_me = selectors.swaps_for(me)
    duties = selectors.duties_of(me).filter(shift__starts_at__gte=timezone.now())
    return render(
        request,
        "volunteers/my_duties.html",
        {
            "me": me,
            "duties": duties,
            "asked_of_me": asked_of_me,
            "asked_by_me": asked_by_me,
            "teammates": selectors.teammates_of(me),
        },
    )


@require_POST
@staff_page
def swap_request(request, pk: int):
    duty = selectors.duty_to_swap(request.user, selectors.volunteer_of(request.user), pk)
    if duty is None:
        raise Http404
    target = selectors.swap_partner(duty, parse_int(request.POST.get("to_volunteer")))
    try:
        if target is None:
            raise ValidationError({"to_volunteer": _("Only a teammate who can take this role.")})
        services.request_swap(actor=request.user, duty=duty, to_volunteer=target)
        messages.success(
            request, _("Swap requested; it takes effect when %(name)s accepts.") % {"name": target}
        )
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:my_duties")


@require_POST
@staff_page
def swap_answer(request, pk: int):
    swap = selectors.swap_by_id(pk)
    if swap is None:
        raise Http404
    try:
        services.answer_swap(actor=request.user, swap=swap, accept=request.POST.get("accept") == "yes")
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:my_duties")
