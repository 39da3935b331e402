"""Data-subject rights under /api/v1/accounts/: a resident's own data and requests; the staff queue.

Wired by `api.add_router("/accounts/", "gongzhi.accounts.api.router")` in gongzhi/api.py.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from gongzhi.accounts import rights, selectors
from gongzhi.accounts.models import User

router = Router(tags=["accounts"])


class SectionOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]


class RequestIn(Schema):
    kind: str
    reason: str
    field: str = ""
    new_value: str = ""
    key: str = ""


class RequestOut(Schema):
    id: int
    kind: str
    field: str
    status: str
    created_at: datetime
    due_on: date
    decision_reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


def _resident(request) -> User:
    if request.user.kind != User.Kind.RESIDENT:
        raise PermissionDenied("Residents only.")
    return request.user


@router.get("/me", response={200: list[SectionOut]})
def my_data(request):
    sections = selectors.holdings_of(_resident(request))
    return Status(200, [s.__dict__ for s in sections])


@router.get("/me/requests", response={200: list[RequestOut]})
def my_requests(request):
    return Status(200, list(selectors.requests_of(_resident(request))))


@router.post("/me/requests", response={201: RequestOut})
def file_request(request, payload: RequestIn):
    item = rights.file_request(
        user=_resident(request),
        kind=payload.kind,
        reason=payload.reason,
        field=payload.field,
        new_value=payload.new_value,
        key=payload.key[:64],
    )
    return Status(201, item)


@router.get("/requests", response={200: list[RequestOut]})
def request_queue(request, status: str = "pending", limit: int = 100):
    found = selectors.requests_visible_to(request.user, status=status)
    return Status(200, list(found[: max(1, min(limit, 500))]))


@router.post("/requests/{request_id}/decision", response={200: RequestOut})
def decide(request, request_id: int, payload: DecisionIn):
    item = selectors.request_for_handling(request.user, request_id)
    if item is None:
        raise Http404
    return Status(
        200, rights.decide(actor=request.user, request=item, approve=payload.approve, reason=payload.reason)
    )
