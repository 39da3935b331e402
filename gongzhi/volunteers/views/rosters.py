"""Roster pages: patterns and generated duties, attendance, and a volunteer's own duties and swaps."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import GenerateForm, RosterForm
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
    pattern = get_object_or_404(selectors.rosters_visible_to(request.user), pk=pk)
    form = GenerateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.generate_roster(actor=request.user, pattern=pattern, **form.cleaned_data)
                messages.success(request, _("%(n)s shifts generated.") % {"n": n})
                return redirect("volunteers:roster", pk=pattern.pk)
            except ValidationError as exc:
                errors_to(form, exc)
        status = 400
    now = timezone.now()
    context = {
        "pattern": pattern,
        "form": form,
        "shifts": selectors.roster_shifts(pattern, now - timedelta(days=7), now + timedelta(days=31)),
        "counts": selectors.attendance_counts(pattern),
        "now": now,
        "may_mark": selectors.may_mark_roster(request.user, pattern),
        "standing_by": selectors.stands_by(pattern),
        "may_designate": selectors.rights_on(request.user, pattern).may_write,
    }
    return render(request, "volunteers/roster.html", context, status=status)


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
