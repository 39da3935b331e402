from django.db.models import Q, QuerySet

from gongzhi.core import actors
from gongzhi.core.models import AuditRecord
from gongzhi.core.permissions import scoped


def audit_records_visible_to(user, *, action: str = "", actor: str = "") -> QuerySet[AuditRecord]:
    qs = scoped(user, AuditRecord.objects.all())
    if action:
        qs = qs.filter(action=action)
    if actor:
        # 系统 finds the records stored as "system", as the page shows them.
        stored = [label for label, name in actors.NO_PERSON.items() if actor in str(name)]
        qs = qs.filter(Q(actor_label__contains=actor) | Q(actor_label__in=stored))
    return qs
