"""The caller's own inbox under /api/v1/notifications/."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from gongzhi.notifications import selectors, services

router = Router(tags=["notifications"])


class MessageOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    unread: int
    messages: list[MessageOut]


@router.get("/inbox", response={200: InboxOut})
def inbox(request, unread_only: bool = False, limit: int = 50):
    found = selectors.inbox_of(request.user)
    if unread_only:
        found = found.filter(read_at__isnull=True)
    body = {
        "unread": selectors.unread_count(request.user),
        "messages": list(found[: max(1, min(limit, 200))]),
    }
    return Status(200, body)


@router.post("/inbox/{message_id}/read", response={200: MessageOut})
def read(request, message_id: int):
    message = selectors.inbox_of(request.user).filter(pk=message_id).first()
    if message is None:
        raise Http404
    services.mark_read(user=request.user, message_id=message.pk)
    message.refresh_from_db()
    return Status(200, message)
