"""Reads of messages. A person sees only their own inbox; staff with the admin see the queue."""

from django.db.models import QuerySet

from gongzhi.notifications.models import Message


def inbox_of(user) -> QuerySet[Message]:
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(user=user, channel=Message.Channel.INBOX)


def unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count()


def queue_counts() -> dict[str, int]:
    """Messages per status, for the delivery command's report."""
    return {s: Message.objects.filter(status=s).count() for s in Message.Status.values}
