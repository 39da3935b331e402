"""API of votes and meetings under /api/v1/deliberation/. Same scope and services as the pages."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.core import permissions
from gongzhi.core.errors import PermissionDenied
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Vote

router = Router(tags=["deliberation"])


class VoteOut(Schema):
    id: int
    kind: str
    rule: str
    subject: str
    status: str
    secret: bool
    count_non_voters: bool
    opens_at: datetime
    closes_at: datetime
    neighborhood_id: int | None
    compound_id: int | None
    party_org_id: int | None


class TurnoutOut(Schema):
    electors: int
    voted: int
    online: int
    paper: int
    percent: float
    area_total: str
    area_voted: str


class VoteDetailOut(VoteOut):
    turnout: TurnoutOut
    result: dict | None


class BallotIn(Schema):
    choice: str | None = None
    ticks: list[str] = []


class PaperBallotIn(BallotIn):
    elector_id: int


class VoidIn(Schema):
    reason: str
    elector_id: int | None = None
    ballot_id: UUID | None = None
    # A secret owners' ballot's area is sealed: voiding it takes the scrutineers' private key.
    scrutineer_key: str = Field("", max_length=700)


class ReceiptOut(Schema):
    vote_id: int
    channel: str
    cast_at: datetime


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    held_at: datetime
    place: str
    neighborhood_id: int | None


class TaskOut(Schema):
    id: int
    title: str
    due_on: str
    meeting_id: int


def _staff_vote(request, vote_id: int):
    return get_object_or_404(selectors.votes_visible_to(request.user), pk=vote_id)


@router.get("/votes", response=list[VoteOut])
def votes(request):
    """Votes in the caller's area, and for a resident the votes they are an elector of."""
    staff = selectors.votes_visible_to(request.user).values("pk")
    own = selectors.votes_for_resident(request.user).values("pk")
    # By id: one of the two querysets is distinct and Django will not OR it with a plain one.
    votes = Vote.objects.filter(Q(pk__in=staff) | Q(pk__in=own))
    return votes.select_related("neighborhood", "compound", "party_org")[:500]


@router.get("/votes/{vote_id}", response=VoteDetailOut)
def vote(request, vote_id: int):
    item = _staff_vote(request, vote_id)
    item.turnout = selectors.turnout(item)
    return item


@router.get("/votes/{vote_id}/result")
def result(request, vote_id: int):
    """The published result with the full tally and the masked list of voters."""
    item = get_object_or_404(selectors.published_votes_visible_to(request.user), pk=vote_id)
    rows = [{**row, "area": str(row["area"])} for row in selectors.notice_rows(item)]
    return {"vote": item.pk, "subject": item.subject, "result": item.result, "voters": rows}


@router.post("/votes/{vote_id}/ballots", response={201: ReceiptOut})
def cast(request, vote_id: int, payload: BallotIn):
    """A resident's own ballot."""
    item = get_object_or_404(selectors.votes_for_resident(request.user), pk=vote_id)
    return Status(
        201, services.cast_ballot(voter=request.user, vote=item, choice=payload.choice, ticks=payload.ticks)
    )


@router.post("/votes/{vote_id}/paper-ballots", response={201: ReceiptOut})
def paper(request, vote_id: int, payload: PaperBallotIn):
    item = _staff_vote(request, vote_id)
    if not permissions.can(request.user, item, permissions.WRITE):
        raise PermissionDenied("You may not change this vote.")
    elector = get_object_or_404(selectors.electors_of(request.user, item), pk=payload.elector_id)
    receipt = services.enter_paper_ballot(
        actor=request.user, vote=item, elector=elector, choice=payload.choice, ticks=payload.ticks
    )
    return Status(201, receipt)


@router.post("/votes/{vote_id}/void", response={204: None})
def void(request, vote_id: int, payload: VoidIn):
    item = _staff_vote(request, vote_id)
    if not permissions.can(request.user, item, permissions.WRITE):
        raise PermissionDenied("You may not change this vote.")
    elector = None
    if payload.elector_id is not None:
        elector = get_object_or_404(selectors.electors_of(request.user, item), pk=payload.elector_id)
    services.void_ballot(
        actor=request.user,
        vote=item,
        reason=payload.reason,
        elector=elector,
        ballot_id=payload.ballot_id,
        scrutineer_key=payload.scrutineer_key,
    )
    return Status(204, None)


@router.get("/meetings", response=list[MeetingOut])
def meetings(request):
    return selectors.meetings_visible_to(request.user)[:500]


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def meeting(request, meeting_id: int):
    try:
        return selectors.meeting_detail(request.user, meeting_id)
    except selectors.Meeting.DoesNotExist:
        raise Http404 from None


@router.get("/tasks", response=list[TaskOut])
def tasks(request):
    """The caller's open follow-up tasks."""
    return [
        {"id": t.pk, "title": t.title, "due_on": t.due_on.isoformat(), "meeting_id": t.meeting_id}
        for t in selectors.tasks_of(request.user)
    ]
