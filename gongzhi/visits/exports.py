"""Visit ledgers as xlsx (openpyxl, write-only so memory stays flat): coverage per grid or
neighborhood and per worker, and the list of households not yet visited (names masked)."""

import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.sheets import Workbook
from gongzhi.visits import selectors as vs

CHUNK = 500


def _pct(value: float | None):
    return None if value is None else round(100 * value, 1)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _period(months: int) -> str:
    return _("every household once in %(n)s month(s)") % {"n": months}


def coverage_workbook(
    rows: list[dict], total: dict, workers: list[dict], *, month: date, months: int, by: str
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Coverage"))
    sheet.append([_("Visit coverage"), f"{month:%Y-%m}", _period(months)])
    sheet.append(
        [
            _("neighborhood") if by == "neighborhood" else _("micro-grid"),
            _("households"),
            _("visited"),
            _("due"),
            _("overdue"),
            _("coverage (%)"),
        ]
    )
    for r in rows:
        sheet.append([r["label"], r["total"], r["visited"], r["due"], r["overdue"], _pct(r["rate"])])
    sheet.append(
        [_("Total"), total["total"], total["visited"], total["due"], total["overdue"], _pct(total["rate"])]
    )
    staff = book.create_sheet(_("By worker"))
    staff.append(
        [_("worker"), _("roles"), _("visits"), _("households"), _("monthly target"), _("target met")]
    )
    for w in workers:
        met = "" if w["met"] is None else (_("yes") if w["met"] else _("no"))
        staff.append([w["label"], w["roles"], w["visits"], w["households"], w["target"], met])
    return _save(book)


def unvisited_workbook(households, *, month: date, months: int) -> bytes:
    """Every household not yet visited in the window; read in chunks, names masked."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Not yet visited"))
    sheet.append([_("Households not yet visited"), f"{month:%Y-%m}", _period(months)])
    sheet.append(
        [
            _("neighborhood"),
            _("micro-grid"),
            _("compound"),
            _("building"),
            _("room"),
            _("resident"),
            _("last visit"),
            _("overdue"),
        ]
    )
    start = 0
    while True:
        chunk = vs.with_masked_names(households[start : start + CHUNK])
        if not chunk:
            break
        for h in chunk:
            last = h.last_visit
            sheet.append(
                [
                    h.neighborhood.name,
                    h.micro_grid.name if h.micro_grid_id else "",
                    h.building.compound.name,
                    h.building.number,
                    h.room,
                    h.masked_name,
                    timezone.localtime(last).strftime("%Y-%m-%d") if last else "",
                    _("yes") if not h.recent else "",
                ]
            )
        start += CHUNK
    return _save(book)
