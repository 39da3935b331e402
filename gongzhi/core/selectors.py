from django.db.models import QuerySet

from gongzhi.core.models import AuditRecord
from gongzhi.core.permissions import scoped


def audit_records_visible_to(user, *, action: str = "", actor: str = "") -> QuerySet[AuditRecord]:
    qs = scoped(user, AuditRecord.objects.all())
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__contains=actor)
    return qs
