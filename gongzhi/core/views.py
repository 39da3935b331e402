from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from gongzhi.core.models import AuditRecord
from gongzhi.core.selectors import audit_records_visible_to


@login_required
def audit_trail(request):
    records = audit_records_visible_to(
        request.user, action=request.GET.get("action", ""), actor=request.GET.get("actor", "")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "actions": AuditRecord.Action.choices})
