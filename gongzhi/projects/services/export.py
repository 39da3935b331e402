"""A review round's ranking and allocation as a spreadsheet."""

from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import NotInScope
from gongzhi.projects.models import Allocation, ReviewRound


def export_round(*, actor, review_round: ReviewRound) -> bytes:
    """The round's ranking and its latest adopted (else newest) allocation as xlsx; audited."""
    from io import BytesIO

    from gongzhi.core.sheets import Workbook
    from gongzhi.projects import selectors  # selectors import the services package: import late

    if selectors.round_for(actor, review_round.pk) is None:
        raise NotInScope(_("No such record in your area."))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ranking")[:31]
    sheet.append(
        [
            _("rank"),
            _("project"),
            _("owner organisation"),
            _("neighborhood"),
            _("members scored"),
            _("result"),
        ]
    )
    for row in selectors.round_ranking(actor, review_round):
        sheet.append(
            [
                row.rank,
                row.project.title,
                row.project.owner.name,
                row.project.neighborhood.name,
                row.members,
                float(row.result) if row.result is not None else None,
            ]
        )
    allocations = selectors.round_allocations(actor, review_round)
    chosen = next((a for a in allocations if a.status == Allocation.Status.ADOPTED), None) or next(
        iter(allocations), None
    )
    if chosen is not None:
        alloc = book.create_sheet(_("Allocation")[:31])
        alloc.append([_("status"), str(chosen.get_status_display()), _("rule"), chosen.rule_name])
        alloc.append(
            [
                _("rank"),
                _("owner organisation"),
                _("projects"),
                _("score"),
                _("old budget"),
                _("new budget"),
                _("reason"),
            ]
        )
        for line in chosen.shown_lines:
            alloc.append(
                [
                    line.rank,
                    line.org.name,
                    "、".join(p["title"] for p in line.projects),
                    float(line.score),
                    line.old,
                    line.new,
                    line.reason,
                ]
            )
            for cell in alloc[alloc.max_row][4:6]:
                cell.number_format = "0.00"
    out = BytesIO()
    book.save(out)
    audit.record(
        "export", review_round, actor=actor, summary=_("ranking of %(round)s") % {"round": review_round}
    )
    return out.getvalue()
