"""notifications' share of a person's data (core.personal_data): the messages sent to them."""

from django.utils.translation import gettext as _

from gongzhi.core.personal_data import Part, Section, local, register
from gongzhi.notifications.models import Message


def messages_section(user, resident) -> Section:
    rows = [
        [local(m.created_at), m.get_channel_display(), m.subject, m.get_status_display()]
        for m in Message.objects.filter(user=user).order_by("-created_at")[:500]
    ]
    columns = [_("Time"), _("Channel"), _("Subject"), _("Status")]
    return Section("messages", _("Messages sent to you"), columns, rows)


register(Part("messages", 100, messages_section))
