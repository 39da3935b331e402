"""insights' share of a person's data (core.personal_data): the notices they opened. On deletion
the rows go (a notice's read count drops by the person's one reading)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.personal_data import Holding, Part, Section, hold, local, register
from gongzhi.insights.models import NoticeRead


def reads_of(resident) -> QuerySet[NoticeRead]:
    return NoticeRead.objects.filter(resident=resident) if resident is not None else NoticeRead.objects.none()


def notices_read_section(user, resident) -> Section | None:
    rows = [
        [local(r.read_at), r.notice.title]
        for r in reads_of(resident).select_related("notice").order_by("-read_at")[:200]
    ]
    if not rows:
        return None
    return Section("notices_read", _("Notices read"), [_("Read at"), _("Notice")], rows)


def erase_reads(user, resident) -> dict[str, int]:
    deleted, _counts = reads_of(resident).delete()
    return {"notice_reads": deleted}


register(Part("notices_read", 75, notices_read_section, erase_reads))

hold(Holding("insights.NoticeRead", ("resident", "household"), lambda user, resident: reads_of(resident)))
