"""The workbench: a staff member's home page, which gathers what every app holds for them.

It aggregates apps (org's area counts, deliberation's follow-up tasks, ...), so it sits on top with
the other project modules, not in `core`. Its URL keeps the name `core:workbench` (gongzhi/urls.py).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.deliberation.selectors import tasks_of
from gongzhi.grids import selectors as grid_selectors
from gongzhi.org import selectors as org_selectors


def area_counts(user) -> dict[str, int]:
    """The workbench figures (page and `/api/v1/summary`): what lies inside the user's area."""
    return org_selectors.area_counts(user) | {"micro_grids": grid_selectors.micro_grid_count(user)}


def neighborhood_table(user) -> list:
    """Neighborhoods of the area with their household and micro-grid counts."""
    rows = org_selectors.neighborhood_table(user)
    grids = grid_selectors.micro_grid_counts([n.pk for n in rows])
    for n in rows:
        n.grid_count = grids.get(n.pk, 0)
    return rows


@login_required
def workbench(request):
    """Home page of a staff member: what lies inside their area, at a glance."""
    neighborhoods = neighborhood_table(request.user)
    if len(neighborhoods) == 1:
        # One neighborhood: the useful picture is the workload of each of its grids.
        pairs = org_selectors.grid_household_counts(request.user, neighborhoods[0].pk)
        chart_title = _("Households per micro-grid")
    else:
        pairs = [(n.name, n.household_count) for n in neighborhoods]
        chart_title = _("Households per neighborhood")
    chart = {"labels": [p[0] for p in pairs], "values": [p[1] for p in pairs]}
    return render(
        request,
        "workbench.html",
        {
            "counts": area_counts(request.user),
            "neighborhoods": neighborhoods,
            "chart_data": chart | {"unit": _("households")},
            "chart_title": chart_title,
            "roles": org_selectors.roles_of(request.user),
            "tasks": tasks_of(request.user),
        },
    )
