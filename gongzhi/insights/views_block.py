"""The block dashboard (街区): the block's concerns, joint cases and departments' parts, and its
neighborhoods' compounds on the map. For the block chief and the subdistrict's staff; anyone else
gets 404. Every figure comes from insights.block_figures (the list pages' own selectors)."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from gongzhi.core.pages import require_concern_reader, staff_page
from gongzhi.core.replica import reads_replica
from gongzhi.insights import block_figures, selectors
from gongzhi.org import selectors as org_selectors


def _chart(rows: list[dict], unit: str, value: str = "count") -> dict:
    return {"labels": [r["label"] for r in rows], "values": [r[value] for r in rows], "unit": unit}


@staff_page
@reads_replica
def block_dashboard(request, pk: int):
    require_concern_reader(request.user)
    block = get_object_or_404(selectors.blocks_overseen_by(request.user), pk=pk)
    f = block_figures.block_figures(request.user, block)
    compounds = org_selectors.block_compounds(request.user, block)
    return render(
        request,
        "insights/block_dashboard.html",
        {
            "the_block": block,
            "f": f,
            "charts": {
                "status": _chart([s for s in f.by_status if s["count"]], _("concerns")),
                "category": _chart(f.by_category, _("concerns")),
                "departments": _chart(
                    [d for d in f.departments if d["completion_rate"] is not None], "%", "completion_rate"
                ),
            },
            "map_data": org_selectors.compound_points(compounds),
            "team": org_selectors.block_team(request.user, block),
        },
    )
