"""Template context: the signed-in person's unread in-platform messages, for the header badge.

Add ``"gongzhi.notifications.context.unread"`` to the template context processors."""

from gongzhi.notifications.selectors import unread_count


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user)}
