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


def _messages_reaching(user, resident) -> list[Message]:
    """Messages to the person's accounts that still carry an address, and SMS sign-in codes sent
    to one of their phones (decrypted here: addresses have no index)."""
    accounts = {user.pk} | ({resident.user_id} if resident is not None and resident.user_id else set())
    phones = {p for p in (user.phone, getattr(resident, "phone", "")) if p}
    rows = [m for m in Message.objects.filter(user_id__in=accounts) if m.address]
    rows += [m for m in Message.objects.filter(key__startswith="otp:") if m.address in phones]
    return rows


def _declare() -> None:
    from gongzhi.core.personal_data import Holding, hold

    hold(Holding("notifications.Message", ("address", "user"), _messages_reaching))


_declare()
