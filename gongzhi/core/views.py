from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core.models import AuditRecord
from gongzhi.core.selectors import audit_records_visible_to
from gongzhi.org import selectors as org_selectors


@login_required
def workbench(request):
    """Home page of a staff member: what lies inside their area, at a glance."""
    neighborhoods = org_selectors.neighborhood_table(request.user)
    chart = {"labels": [n.name for n in neighborhoods], "values": [n.household_count for n in neighborhoods]}
    return render(
        request,
        "core/workbench.html",
        {
            "counts": org_selectors.area_counts(request.user),
            "neighborhoods": neighborhoods,
            "chart_data": chart | {"unit": _("households")},
            "roles": org_selectors.roles_of(request.user),
        },
    )


@login_required
def audit_trail(request):
    records = audit_records_visible_to(
        request.user, action=request.GET.get("action", ""), actor=request.GET.get("actor", "")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "actions": AuditRecord.Action.choices})
