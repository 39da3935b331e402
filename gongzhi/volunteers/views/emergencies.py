"""Emergency call-up pages: the list, the board and its edits, the plan, and the volunteer's answer link."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import CallUpForm, EmergencyForm, NeedForm, PostForm, ShiftForm, SquadForm
from gongzhi.volunteers.views.common import require_volunteer_reader


@staff_page
def emergency_list(request):
    require_volunteer_reader(request.user)
    form = EmergencyForm(request.POST or None, neighborhoods=selectors.neighborhoods_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = data["neighborhood"]
        subdistrict = subdistrict_for(request.user, place)
        try:
            emergency = services.open_emergency(
                actor=request.user,
                subdistrict=subdistrict,
                neighborhood=place,
                title=data["title"],
                min_rest_minutes=data["min_rest_minutes"],
            )
            return redirect("volunteers:emergency", pk=emergency.pk)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
    return render(
        request,
        "volunteers/emergencies.html",
        {
            "emergencies": selectors.emergencies_visible_to(request.user).order_by("-opened_at")[:100],
            "form": form,
        },
    )


def _units(user, emergency):
    return selectors.partner_units_of_subdistrict(user, emergency.subdistrict_id)


def _called(user, emergency):
    return selectors.emergency_volunteers(user, emergency).filter(call_up_answers__emergency=emergency)


def _called_up(result) -> str:
    said = _("%(n)s volunteers called up: %(m)s messages sent.") % {"n": result.called, "m": result.messages}
    if result.unreached:
        said += " " + _("%(n)s not reached (listed under Call-up).") % {"n": len(result.unreached)}
    return said


@dataclass(frozen=True)
class Part:
    """One form on the emergency board: its name in the page's context, how it is built (from the
    posted data, or None for a blank one), its write, and what the write's result says, if anything."""

    context_name: str
    form: Callable
    write: Callable
    said: Callable | None = None


PARTS = {
    "post": Part(
        "post_form",
        lambda user, e, data: PostForm(data, volunteers=selectors.emergency_volunteers(user, e)),
        lambda user, e, d: services.add_post(actor=user, emergency=e, **d),
    ),
    "shift": Part(
        "shift_form",
        lambda user, e, data: ShiftForm(data),
        lambda user, e, d: services.add_shift(actor=user, emergency=e, **d),
    ),
    "need": Part(
        "need_form",
        lambda user, e, data: NeedForm(data, emergency=e),
        lambda user, e, d: services.set_need(actor=user, **d),
    ),
    "call-up": Part(
        "call_up_form",
        lambda user, e, data: CallUpForm(data, units=_units(user, e)),
        lambda user, e, d: services.call_up(actor=user, emergency=e, **d),
        said=_called_up,
    ),
    "squad": Part(
        "squad_form",
        lambda user, e, data: SquadForm(data, called=_called(user, e)),
        lambda user, e, d: services.form_squad(actor=user, emergency=e, **d),
    ),
}


def _emergency_context(request, emergency, **forms) -> dict:
    rights = selectors.rights_on(request.user, emergency)
    blank = {part.context_name: part.form(request.user, emergency, None) for part in PARTS.values()}
    return {
        "emergency": emergency,
        "rows": selectors.plan_rows(emergency),
        "people": selectors.person_rows(emergency),
        "summary": selectors.fill_summary(emergency),
        "answers": selectors.answer_counts(emergency),
        "answer_list": selectors.answers_of(emergency)[:500],
        "unreached": selectors.unreached_by_last_call_up(emergency),
        "post_map": selectors.post_map(emergency) if rights.may_write else None,
        "posts": emergency.posts.select_related("post_lead"),
        "shifts": emergency.shifts.all(),
        "may_plan": rights.may_write,
        "may_export": rights.may_export,
        **blank,
        **forms,
        "squads": emergency.squads.select_related("leader").prefetch_related("members"),
    }


def _visible_emergency(request, pk: int):
    return get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)


@staff_page
def emergency_detail(request, pk: int):
    emergency = _visible_emergency(request, pk)
    return render(request, "volunteers/emergency.html", _emergency_context(request, emergency))


@staff_page
def emergency_fill(request, pk: int):
    """The live fill-rate board, polled by htmx."""
    emergency = _visible_emergency(request, pk)
    return render(
        request,
        "volunteers/_fill.html",
        {
            "emergency": emergency,
            "summary": selectors.fill_summary(emergency),
            "answers": selectors.answer_counts(emergency),
        },
    )


@require_POST
@staff_page
def emergency_edit(request, pk: int, part: str):
    """Add a post or a shift, set a need, call up, form a squad, or stand down; errors come back on the page."""
    emergency = _visible_emergency(request, pk)
    if part == "close":
        services.close_emergency(actor=request.user, emergency=emergency)
        return redirect("volunteers:emergency", pk=emergency.pk)
    if part == "drop-out":
        return _drop_out(request, emergency)
    if part not in PARTS:
        raise Http404
    chosen = PARTS[part]
    form = chosen.form(request.user, emergency, request.POST)
    if form.is_valid():
        try:
            result = chosen.write(request.user, emergency, form.cleaned_data)
            if chosen.said:
                messages.success(request, chosen.said(result))
            return redirect("volunteers:emergency", pk=emergency.pk)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
    context = _emergency_context(request, emergency, **{chosen.context_name: form})
    return render(request, "volunteers/emergency.html", context, status=400)


def _drop_out(request, emergency):
    """Take a called-up volunteer off the plan; only their places are refilled."""
    chosen = parse_int(request.POST.get("volunteer"))
    answer = get_object_or_404(emergency.answers.all(), volunteer_id=chosen)
    volunteer = answer.volunteer
    services.drop_out(actor=request.user, emergency=emergency, volunteer=volunteer)
    messages.success(
        request, _("%(name)s dropped out; only their places were refilled.") % {"name": volunteer}
    )
    return redirect("volunteers:emergency", pk=emergency.pk)


@staff_page
def emergency_export(request, pk: int):
    emergency = _visible_emergency(request, pk)
    # The plan names volunteers: a second person approves, the file carries a watermark (core.exports).
    query = urlencode({"kind": "volunteers.emergency_plan", "emergency": emergency.pk})
    return redirect(reverse("core:export_new") + "?" + query)


@require_POST
@staff_page
def emergency_plan(request, pk: int):
    emergency = _visible_emergency(request, pk)
    filled = services.plan_assignment(actor=request.user, emergency=emergency)
    messages.success(request, _("Assignment planned: %(n)d places filled.") % {"n": filled})
    return redirect("volunteers:emergency", pk=emergency.pk)


@never_cache
def call_up_answer(request, token: str, choice: str = ""):
    """The link a called-up volunteer opens: the token is their credential, so no sign-in.
    The yes/no links only preselect: the answer is recorded by the POST, so a link previewer
    that fetches the link answers nothing."""
    if choice not in ("", "yes", "no"):
        raise Http404
    answer = None
    if request.method == "POST":
        answer = services.answer_call_up(token=token, accept=request.POST.get("answer") == "yes")
    details = selectors.call_up_details(token)
    if details is None:
        raise Http404
    return render(request, "volunteers/answer.html", {"answer": answer, "choice": choice, **details})


def subdistrict_for(user, place):
    """Where a call-up or a drill opens: the chosen neighborhood's subdistrict, else the user's own."""
    subdistrict = place.subdistrict if place else selectors.own_subdistrict(user)
    if subdistrict is None:
        raise PermissionDenied(_("You may not open an emergency here."))
    return subdistrict
