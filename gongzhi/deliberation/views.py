"""Pages of votes and meetings. Thin: parse, call one service or selector, render.

Staff reach votes through their area; a resident reaches only the votes they are an elector of
(the ballot page on their phone and the published notice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.pages import form_errors, parse_int, say, staff_page
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.forms import (
    VOTE_FORMS,
    AgendaItemForm,
    DecisionForm,
    ExcuseForm,
    GroupUnitsForm,
    InvitationForm,
    MeetingDutiesForm,
    MeetingForm,
    MinutesForm,
    TaskForm,
    VoidForm,
    owners_item_label,
)
from gongzhi.deliberation.models import FollowUpTask, Meeting, Vote
from gongzhi.org import selectors as org_selectors


def _staff_vote(request, pk: int) -> Vote:
    return get_object_or_404(selectors.votes_visible_to(request.user), pk=pk)


def _write_or_forbidden(request, vote: Vote) -> None:
    if not selectors.may_change(request.user, vote):
        raise PermissionDenied(_("You may not change this vote."))


@staff_page
def vote_list(request):
    return render(
        request,
        "deliberation/votes.html",
        {
            "votes": selectors.votes_visible_to(request.user)[:200],
            "my_votes": selectors.votes_for_resident(request.user),
            "may_create": selectors.may_run_deliberation(request.user),
        },
    )


@staff_page
def vote_create(request):
    """Which kind of vote to set up: each kind has its own form."""
    if not selectors.may_run_deliberation(request.user):
        raise PermissionDenied(_("You may not set up votes here."))
    return render(request, "deliberation/vote_kinds.html", {"kinds": Vote.Kind.choices})


@staff_page
def vote_create_kind(request, kind: str):
    if kind not in VOTE_FORMS:
        raise Http404
    if not selectors.may_run_deliberation(request.user):
        raise PermissionDenied(_("You may not set up votes here."))
    form = VOTE_FORMS[kind](
        request.POST or None,
        compounds=org_selectors.compounds_visible_to(request.user),
        neighborhoods=org_selectors.neighborhoods_visible_to(request.user),
        party_orgs=org_selectors.party_orgs_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.create_vote(actor=request.user, **form.service_data())
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            raise  # the 403 page in the layout says why (core/error_views.py)
        else:
            messages.success(request, _("Vote set up as a draft."))
            return redirect("deliberation:vote", pk=vote.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "kind": kind, "kind_label": Vote.Kind(kind).label}
    return render(request, "deliberation/vote_form.html", context, status=status)


@staff_page
def vote_detail(request, pk: int):
    return _render_vote(request, _staff_vote(request, pk))


def _electorate(request, vote: Vote) -> dict:
    """The electorate's page asked for: ?q= building and room or name, ?todo=1 not voted yet, ?page=."""
    q = request.GET.get("q", "")[:64]
    not_voted = request.GET.get("todo") == "1"
    page = selectors.electorate_page(
        request.user, vote, q=q, not_voted=not_voted, page=request.GET.get("page")
    )
    return {"page": page, "q": q, "not_voted": not_voted}


def _render_vote(request, vote: Vote, extra: dict | None = None, status: int = 200):
    may_write = selectors.may_change(request.user, vote)
    context = {
        "vote": vote,
        "turnout": selectors.turnout(vote),
        "candidates": vote.candidates.all(),
        "may_write": may_write,
        "owners_item": owners_item_label(vote.owners_item),
        **_electorate(request, vote),
    }
    if may_write and vote.status == Vote.Status.DRAFT and vote.kind == Vote.Kind.OWNERS:
        context["group_form"] = _group_form(request, vote)
    if may_write and vote.status == Vote.Status.DRAFT and vote.kind == Vote.Kind.PARTY_ASSEMBLY:
        context["excuse_form"] = _excuse_form(request, vote)
    return render(request, "deliberation/vote.html", context | (extra or {}), status=status)


@staff_page
def vote_electors(request, pk: int):
    """The electorate table alone: searched or paged in place by htmx."""
    vote = _staff_vote(request, pk)
    context = {
        "vote": vote,
        "candidates": vote.candidates.all(),
        "may_write": selectors.may_change(request.user, vote),
        **_electorate(request, vote),
    }
    return render(request, "deliberation/_electorate.html", context)


@staff_page
def vote_turnout(request, pk: int):
    """The live turnout panel, polled by htmx while the vote runs."""
    vote = _staff_vote(request, pk)
    return render(request, "deliberation/_turnout.html", {"vote": vote, "turnout": selectors.turnout(vote)})


STEPS = {"open": services.open_vote, "close": services.close_vote, "publish": services.publish_result}


@require_POST
@login_required
def vote_step(request, pk: int, step: str):
    """Open, close or publish: one button each on the vote page."""
    vote = _staff_vote(request, pk)
    if step not in STEPS:
        raise Http404
    extra = {}
    if step == "open" and vote.secret:
        extra = {"seal_key": request.POST.get("seal_key", ""), "shares": _shares(request)}
    if step == "close" and vote.secret:
        extra = {"scrutineer_key": request.POST.get("scrutineer_key", "")}
    try:
        done = STEPS[step](actor=request.user, vote=vote, **extra)
    except ValidationError as exc:
        say(request, exc)
        return redirect("deliberation:vote", pk=vote.pk)
    if getattr(done, "scrutineer_key_shares", None):
        # Shown once, in this answer only: not in a message (sessions are stored), never saved.
        return _render_vote(request, done, {"scrutineer_key_shares": done.scrutineer_key_shares})
    return redirect("deliberation:vote", pk=vote.pk)


def _shares(request) -> int:
    return parse_int(request.POST.get("shares"), low=1, high=9) or 1


@require_POST
@login_required
def vote_disclose(request, pk: int):
    vote = _staff_vote(request, pk)
    try:
        services.disclose(
            actor=request.user,
            vote=vote,
            **{k: request.POST.get(k, "") for k in ("principle", "content", "procedure", "accountability")},
        )
    except ValidationError as exc:
        say(request, exc)
    return redirect("deliberation:vote", pk=vote.pk)


@require_POST
@login_required
def paper_ballot(request, pk: int):
    """Staff type in a paper ballot for one elector. From the page (htmx) the answer is that
    elector's row and the turnout, redrawn in place: no reload of a 3,000-owner page."""
    vote = _staff_vote(request, pk)
    _write_or_forbidden(request, vote)
    elector = get_object_or_404(
        selectors.electors_of(request.user, vote), pk=parse_int(request.POST.get("elector")) or 0
    )
    error = ""
    try:
        services.enter_paper_ballot(
            actor=request.user,
            vote=vote,
            elector=elector,
            choice=request.POST.get("choice"),
            ticks=request.POST.getlist("ticks"),
        )
    except ValidationError as exc:
        error = f"{elector.name}: {' '.join(exc.messages)}"
    done = "" if error else _("Paper ballot of %(name)s entered.") % {"name": elector.name}
    if request.headers.get("HX-Request"):
        vote.refresh_from_db()
        context = {
            "vote": vote,
            "e": selectors.elector_row(request.user, vote, elector.pk),
            "candidates": vote.candidates.all(),
            "may_write": True,
            "row_error": error,
            "row_done": done,
            "turnout": selectors.turnout(vote),
        }
        return render(request, "deliberation/_paper_entered.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("deliberation:vote", pk=vote.pk)


@require_POST
@login_required
def void_ballot(request, pk: int):
    vote = _staff_vote(request, pk)
    _write_or_forbidden(request, vote)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form[k].label}: {' '.join(e)}" for k, e in form.errors.items()))
        return redirect("deliberation:vote", pk=vote.pk)
    elector = None
    if form.cleaned_data["elector"]:
        elector = get_object_or_404(
            selectors.electors_of(request.user, vote), pk=form.cleaned_data["elector"]
        )
    try:
        services.void_ballot(
            actor=request.user,
            vote=vote,
            reason=form.cleaned_data["reason"],
            elector=elector,
            ballot_id=form.cleaned_data["ballot"],
            scrutineer_key=request.POST.get("scrutineer_key", ""),
        )
    except ValidationError as exc:
        say(request, exc)
    else:
        messages.success(request, _("Ballot voided."))
    return redirect("deliberation:vote", pk=vote.pk)


@staff_page
def ballot(request, pk: int):
    """The resident's ballot on their phone."""
    vote = get_object_or_404(selectors.votes_for_resident(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.cast_ballot(
                voter=request.user,
                vote=vote,
                choice=request.POST.get("choice"),
                ticks=request.POST.getlist("ticks"),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your ballot is recorded. Thank you."))
            return redirect("deliberation:ballot", pk=vote.pk)
    state = selectors.ballot_page(request.user, vote)
    return render(
        request,
        "deliberation/ballot.html",
        {"vote": vote, "error": error, "candidates": vote.candidates.all(), **state},
        status=400 if error else 200,
    )


@staff_page
def notice(request, pk: int):
    """The published result (公示) with the full tally; names masked."""
    vote = get_object_or_404(selectors.published_votes_visible_to(request.user), pk=pk)
    return render(request, "deliberation/notice.html", {"vote": vote, "rows": selectors.notice_rows(vote)})


@staff_page
def meeting_list(request):
    return render(
        request,
        "deliberation/meetings.html",
        {
            "meetings": selectors.meetings_visible_to(request.user)[:200],
            "tasks": selectors.tasks_of(request.user),
            "overdue": selectors.overdue_duties(request.user, timezone.localdate()),
            "waiting": selectors.waiting_agenda_items(request.user)[:200],
            "may_create": selectors.may_run_deliberation(request.user),
            "duties_form": MeetingDutiesForm(
                neighborhoods=org_selectors.neighborhoods_visible_to(request.user),
                initial={"year": timezone.localdate().year},
            ),
        },
    )


@staff_page
def meeting_detail(request, pk: int):
    return _render_meeting(request, _meeting_or_404(request, pk))


# --- meeting forms ---------------------------------------------------------------------------


def _meeting_or_404(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_detail(request.user, pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _meeting_forms(request, meeting: Meeting, bound: dict | None = None) -> dict:
    """Every form of the meeting page, unbound, except the one just submitted with its errors."""
    user = request.user
    forms = {
        "agenda_form": lambda data: AgendaItemForm(
            data,
            concerns=selectors.concerns_for_agenda(user, meeting),
            check_url=reverse("deliberation:meeting_agenda_check", args=[meeting.pk]),
            prefix="agenda",
        ),
        "invite_form": lambda data: InvitationForm(
            data,
            partner_units=org_selectors.partner_units_visible_to(user),
            departments=selectors.departments_for_invitation(meeting),
            residents=selectors.residents_for_invitation(user, meeting),
            search_url=reverse("deliberation:meeting_residents", args=[meeting.pk]),
            prefix="invite",
        ),
        "minutes_form": lambda data: MinutesForm(
            data, initial={"minutes": meeting.minutes}, prefix="minutes"
        ),
        "decision_form": lambda data: DecisionForm(data, agenda=meeting.agenda.all(), prefix="decision"),
        "task_form": lambda data: TaskForm(
            data,
            owners=selectors.task_owners_for(meeting),
            decisions=meeting.decisions.all(),
            prefix="task",
        ),
    }
    bound = bound or {}
    return {name: make(request.POST if name in bound else None) for name, make in forms.items()}


def _render_meeting(request, meeting: Meeting, forms: dict | None = None, status: int = 200):
    may_write = selectors.may_change(request.user, meeting)
    context = {
        "meeting": meeting,
        "may_write": may_write,
        "invited": services.is_invited(request.user, meeting),
        "attendance": selectors.attendance_of(request.user, meeting),
        "attendances": meeting.attendances.select_related("user").order_by("answer", "user__username"),
    }
    if may_write:
        context |= _meeting_forms(request, meeting) | (forms or {})
    return render(request, "deliberation/meeting.html", context, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: errors of fields it lacks go to the form as a whole."""
    for field, errors in form_errors(exc).items():
        form.add_error(field if field in form.fields else None, errors)


def _meeting_post(request, pk: int, part: MeetingPart):
    """Shared by the meeting page's forms: 404 outside the area, 403 without write, 400 on bad input.

    The part's service gets the form's data; a ValidationError lands on the form and nothing changes.
    """
    meeting = _meeting_or_404(request, pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    form = _meeting_forms(request, meeting, bound={part.form: True})[part.form]
    if form.is_valid():
        try:
            part.service(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, part.message)
            return redirect(f"{reverse('deliberation:meeting', args=[meeting.pk])}#{part.form}")
    meeting = _meeting_or_404(request, pk)  # what the page shows is what is stored
    return _render_meeting(request, meeting, {part.form: form}, status=400)


def _meeting_form_page(request, meeting: Meeting | None):
    neighborhoods = org_selectors.neighborhoods_visible_to(request.user)
    initial = {}
    if meeting is not None:
        initial = {
            "kind": meeting.kind,
            "title": meeting.title,
            "held_at": timezone.localtime(meeting.held_at),
            "place": meeting.place,
            "neighborhood": meeting.neighborhood_id,
        }
    form = MeetingForm(request.POST or None, neighborhoods=neighborhoods, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting = services.create_meeting(actor=request.user, **form.cleaned_data)
            else:
                meeting = services.update_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("deliberation:meeting", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "deliberation/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


@staff_page
def meeting_create(request):
    if not selectors.may_run_deliberation(request.user):
        raise PermissionDenied(_("You may not hold meetings here."))
    return _meeting_form_page(request, None)


@staff_page
def meeting_edit(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    return _meeting_form_page(request, meeting)


class MeetingPart(NamedTuple):
    """One form of the meeting page: where it sits, the service its data goes to, what success says."""

    form: str
    service: Callable
    message: str = gettext_lazy("Saved.")


MEETING_PARTS = {
    "agenda": MeetingPart("agenda_form", services.add_agenda_item),
    "invite": MeetingPart("invite_form", services.invite),
    "minutes": MeetingPart("minutes_form", services.record_minutes),
    "decision": MeetingPart("decision_form", services.record_decision),
    "task": MeetingPart("task_form", services.assign_task),
}


@require_POST
@login_required
def meeting_part(request, pk: int, part: str):
    """A form of the meeting page (agenda, invitation, minutes, decision, task): one service each."""
    if part not in MEETING_PARTS:
        raise Http404
    return _meeting_post(request, pk, MEETING_PARTS[part])


@require_POST
@login_required
def task_done(request, pk: int):
    """The owner (or staff of the meeting's area) marks a follow-up task done."""
    try:
        task = selectors.task_visible_to(request.user, pk)
        services.complete_task(actor=request.user, task=task)
    except FollowUpTask.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect(url_has_allowed_host_and_scheme_or(request, "deliberation:meetings"))


def url_has_allowed_host_and_scheme_or(request, fallback: str) -> str:
    """Back to the page the button was on (workbench or meeting), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(fallback)


@require_POST
@login_required
def meeting_duties(request):
    """Create a year's weekly and monthly meeting duties now (the daily task does this too)."""
    form = MeetingDutiesForm(request.POST, neighborhoods=org_selectors.neighborhoods_visible_to(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("deliberation:meetings")
    created = services.schedule_meeting_cadence(actor=request.user, **form.cleaned_data)
    messages.success(request, _("%(count)s meeting duties created.") % {"count": created})
    return redirect("deliberation:meetings")


# --- preparing a vote: group units, excuse members --------------------------------------------


def _group_form(request, vote: Vote, data=None) -> GroupUnitsForm:
    return GroupUnitsForm(
        data,
        households=selectors.units_of_vote(request.user, vote),
        owners=selectors.owners_of_vote(request.user, vote),
    )


def _excuse_form(request, vote: Vote, data=None) -> ExcuseForm:
    return ExcuseForm(data, electors=selectors.members_to_excuse(request.user, vote))


class VotePart(NamedTuple):
    """One form of a draft vote's page: where it sits, how it is built, the service its data goes to."""

    form: str
    make_form: Callable
    service: Callable


VOTE_PARTS = {
    "group": VotePart("group_form", _group_form, services.group_units),
    "excuse": VotePart("excuse_form", _excuse_form, services.excuse_member),
}


@require_POST
@login_required
def vote_part(request, pk: int, part: str):
    """Group units under one owner or excuse a party member: 403 without write, 400 on bad input."""
    if part not in VOTE_PARTS:
        raise Http404
    part = VOTE_PARTS[part]
    vote = _staff_vote(request, pk)
    _write_or_forbidden(request, vote)
    form = part.make_form(request, vote, request.POST)
    if form.is_valid():
        try:
            part.service(actor=request.user, vote=vote, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("deliberation:vote", pk=vote.pk)
    return _render_vote(request, vote, {part.form: form}, status=400)


@login_required
def meeting_residents(request, pk: int):
    """The invitation form's resident search (htmx): a few masked matches, never the whole area."""
    meeting = _meeting_or_404(request, pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    q = request.GET.get("resident_q", "")[:32]
    found = selectors.residents_matching(request.user, meeting, q, limit=9)
    for resident in found:
        resident.shown = InvitationForm.base_fields["resident"].label_from_instance(resident)
    context = {
        "residents": found[:8],
        "more": len(found) > 8,
        "q": q.strip(),
        "field_name": "invite-resident",
    }
    return render(request, "deliberation/_resident_hits.html", context)


@require_POST
@login_required
def meeting_agenda_check(request, pk: int):
    """The agenda form's tier rule, checked as the person picks origin and concern (htmx)."""
    meeting = _meeting_or_404(request, pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    form = _meeting_forms(request, meeting, bound={"agenda_form": True})["agenda_form"]
    problem = ""
    if form.is_valid() and form.cleaned_data.get("concern") is not None:
        data = form.cleaned_data
        try:
            services.check_agenda_concern(
                actor=request.user, meeting=meeting, origin=data["origin"], concern=data.get("concern")
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    elif "concern" in form.errors or "origin" in form.errors:
        problem = " ".join(form.errors.get("concern", []) + form.errors.get("origin", []))
    return render(request, "deliberation/_agenda_check.html", {"problem": problem})


@require_POST
@login_required
def meeting_attend(request, pk: int):
    """An invited person answers: will attend, or cannot."""
    meeting = _meeting_or_404(request, pk)
    try:
        services.answer_invitation(actor=request.user, meeting=meeting, answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        say(request, exc)
        return _render_meeting(request, meeting, status=400)
    messages.success(request, _("Your answer is recorded."))
    return redirect("deliberation:meeting", pk=meeting.pk)
