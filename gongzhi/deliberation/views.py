"""Pages of votes and meetings. Thin: parse, call one service or selector, render.

Staff reach votes through their area; a resident reaches only the votes they are an elector of
(the ballot page on their phone and the published notice).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.forms import VoidForm, VoteForm
from gongzhi.deliberation.models import Vote
from gongzhi.org import selectors as org_selectors


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def _staff_vote(request, pk: int) -> Vote:
    return get_object_or_404(selectors.votes_visible_to(request.user), pk=pk)


def _write_or_forbidden(request, vote: Vote) -> None:
    if not permissions.can(request.user, vote, permissions.WRITE):
        raise PermissionDenied(_("You may not change this vote."))


@never_cache
@login_required
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


@never_cache
@login_required
def vote_create(request):
    form = VoteForm(
        request.POST or None,
        compounds=org_selectors.compounds_visible_to(request.user),
        neighborhoods=org_selectors.neighborhoods_visible_to(request.user),
        party_orgs=org_selectors.party_orgs_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["candidates"] = data["candidates"].splitlines()
        try:
            vote = services.create_vote(actor=request.user, **data)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            return HttpResponseForbidden(str(exc))
        else:
            messages.success(request, _("Vote set up as a draft."))
            return redirect("deliberation:vote", pk=vote.pk)
    return render(request, "deliberation/vote_form.html", {"form": form})


@never_cache
@login_required
def vote_detail(request, pk: int):
    vote = _staff_vote(request, pk)
    return render(
        request,
        "deliberation/vote.html",
        {
            "vote": vote,
            "turnout": selectors.turnout(vote),
            "electors": selectors.electors_of(request.user, vote),
            "voted": selectors.voted_elector_ids(vote),
            "candidates": vote.candidates.all(),
            "may_write": permissions.can(request.user, vote, permissions.WRITE),
        },
    )


@never_cache
@login_required
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
    try:
        STEPS[step](actor=request.user, vote=vote)
    except NotInScope:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    return redirect("deliberation:vote", pk=vote.pk)


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
        messages.error(request, " ".join(_errors(exc)))
    return redirect("deliberation:vote", pk=vote.pk)


@require_POST
@login_required
def paper_ballot(request, pk: int):
    """Staff type in a paper ballot for one elector."""
    vote = _staff_vote(request, pk)
    _write_or_forbidden(request, vote)
    elector = get_object_or_404(
        selectors.electors_of(request.user, vote), pk=request.POST.get("elector") or 0
    )
    try:
        services.enter_paper_ballot(
            actor=request.user,
            vote=vote,
            elector=elector,
            choice=request.POST.get("choice"),
            ticks=request.POST.getlist("ticks"),
        )
    except ValidationError as exc:
        messages.error(request, f"{elector.name}: {' '.join(_errors(exc))}")
        return redirect("deliberation:vote", pk=vote.pk)
    messages.success(request, _("Paper ballot of %(name)s entered.") % {"name": elector.name})
    return redirect("deliberation:vote", pk=vote.pk)


@require_POST
@login_required
def void_ballot(request, pk: int):
    vote = _staff_vote(request, pk)
    _write_or_forbidden(request, vote)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("State why the ballot is void."))
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
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("Ballot voided."))
    return redirect("deliberation:vote", pk=vote.pk)


@never_cache
@login_required
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
            error = " ".join(_errors(exc))
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


@never_cache
@login_required
def notice(request, pk: int):
    """The published result (公示) with the full tally; names masked."""
    vote = get_object_or_404(selectors.published_votes_visible_to(request.user), pk=pk)
    return render(request, "deliberation/notice.html", {"vote": vote, "rows": selectors.notice_rows(vote)})


@never_cache
@login_required
def meeting_list(request):
    return render(
        request,
        "deliberation/meetings.html",
        {
            "meetings": selectors.meetings_visible_to(request.user)[:200],
            "tasks": selectors.tasks_of(request.user),
            "overdue": selectors.overdue_duties(request.user, timezone.localdate()),
        },
    )


@never_cache
@login_required
def meeting_detail(request, pk: int):
    try:
        meeting = selectors.meeting_detail(request.user, pk)
    except selectors.Meeting.DoesNotExist:
        raise Http404 from None
    return render(request, "deliberation/meeting.html", {"meeting": meeting})
