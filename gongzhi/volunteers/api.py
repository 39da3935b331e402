"""API of activities, sign-ups, check-in and call-up answers (mount at /api/v1/volunteers/).

Same selectors and services as the pages. The call-up answer endpoints take no sign-in: the
unguessable token from the volunteer's link is the credential, as on the answer page."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.models import CallUpAnswer, SignUp

router = Router(tags=["volunteers"])


class ActivityOut(Schema):
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    status: str
    neighborhood_id: int


class SignUpIn(Schema):
    volunteer_id: int | None = None


class SignUpOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: str | None

    @staticmethod
    def resolve_hours(obj) -> str | None:
        return None if obj.hours is None else str(obj.hours)


class TokenIn(Schema):
    token: str


class AnswerIn(Schema):
    accept: bool


class AnswerOut(Schema):
    emergency: str
    answer: str
    answered_at: datetime | None

    @staticmethod
    def resolve_emergency(obj) -> str:
        return obj.emergency.title


def _volunteer_for(request, volunteer_id: int | None):
    if volunteer_id is None:
        me = selectors.volunteer_of(request.user)
        if me is None:
            raise Http404
        return me
    return get_object_or_404(selectors.volunteers_visible_to(request.user), pk=volunteer_id)


@router.get("/activities", response={200: list[ActivityOut]})
def activities(request, limit: int = 50):
    return Status(
        200,
        list(selectors.activities_visible_to(request.user).order_by("starts_at")[: max(1, min(limit, 200))]),
    )


@router.post("/activities/{activity_id}/sign-up", response={200: SignUpOut})
def sign_up(request, activity_id: int, data: SignUpIn):
    """Sign yourself up (no volunteer_id) or, as staff, someone in your area; repeating returns the same sign-up."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=activity_id)
    volunteer = _volunteer_for(request, data.volunteer_id)
    return Status(200, services.sign_up(actor=request.user, activity=activity, volunteer=volunteer))


@router.post("/sign-ups/{signup_id}/cancel", response={200: SignUpOut})
def cancel(request, signup_id: int):
    me = selectors.volunteer_of(request.user)
    signup = SignUp.objects.filter(pk=signup_id, volunteer=me).first() if me else None
    if signup is None:
        signup = get_object_or_404(selectors.signups_visible_to(request.user), pk=signup_id)
    return Status(200, services.cancel_signup(actor=request.user, signup=signup))


@router.post("/check-in", response={200: SignUpOut})
def check_in(request, data: TokenIn):
    """The scanned QR code's token: the first call checks in, the second checks out."""
    return Status(200, services.scan_check_in(actor=request.user, token=data.token))


@router.get("/call-up/{token}", response={200: AnswerOut}, auth=None)
def call_up_answer(request, token: str):
    answer = CallUpAnswer.objects.select_related("emergency").filter(token=token).first()
    if answer is None or not selectors.call_up_link_valid(token):
        raise Http404
    return Status(200, answer)


@router.post("/call-up/{token}", response={200: AnswerOut}, auth=None)
def answer_call_up(request, token: str, data: AnswerIn):
    return Status(200, services.answer_call_up(token=token, accept=data.accept))
