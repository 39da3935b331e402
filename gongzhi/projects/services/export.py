"""A review round's ranking and allocation as a spreadsheet."""

from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.projects.models import Allocation, PanelMember, ReviewRound
from gongzhi.projects.services.reviews import ranking


def export_round(*, actor, review_round: ReviewRound) -> bytes:
    """The round's ranking and its latest adopted (else newest) allocation as xlsx; audited."""
    from io import BytesIO

    from openpyxl import Workbook

    readable = permissions.scoped(actor, ReviewRound.objects.filter(pk=review_round.pk)).exists()
    if not readable and not PanelMember.objects.filter(panel__review_round=review_round, user=actor).exists():
        raise NotInScope(_("No such record in your area."))
    book = Workbook()
    sheet = book.active
    sheet.title = "ranking"
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
    for row in ranking(review_round):
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
    chosen = (
        review_round.allocations.filter(status=Allocation.Status.ADOPTED).first()
        or review_round.allocations.first()
    )
    if chosen is not None:
        alloc = book.create_sheet("allocation")
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
        for line in chosen.lines.select_related("org"):
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
    audit.record("export", review_round, actor=actor, summary=f"ranking of {review_round}")
    return out.getvalue()
