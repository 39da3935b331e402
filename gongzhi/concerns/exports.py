"""The KPI ledger and the concern queue as xlsx workbooks (openpyxl, write-only so memory stays flat)."""

import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns.kpi import KpiRow
from gongzhi.core.sheets import Workbook


def _line(label: str, r: KpiRow) -> list:
    hours = r.median_close_hours
    return [
        label,
        r.households_visited,
        r.collected,
        r.resolved,
        r.response_pct,
        r.resolution_pct,
        r.satisfaction_pct,
        r.overdue,
        None if hours is None else round(hours, 1),
    ]


def kpi_workbook(rows: list[KpiRow], total: KpiRow, *, month: date, group: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{month:%Y-%m}")
    sheet.append([_("Concern KPIs"), f"{month:%Y-%m}"])
    sheet.append(
        [
            group,
            _("households visited"),
            _("concerns collected"),
            _("resolved"),
            _("response rate (%)"),
            _("resolution rate (%)"),
            _("satisfaction rate (%)"),
            _("overdue"),
            _("median hours to close"),
        ]
    )
    for r in rows:
        sheet.append(_line(r.label, r))
    sheet.append(_line(_("Total"), total))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


QUEUE_LIMIT = 5000  # one sheet a person can still read; the filters narrow anything larger


def queue_workbook(concerns) -> bytes:
    """The filtered concern queue: what the page lists, with times in Asia/Shanghai."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Concern queue"))
    sheet.append(
        [
            "#",
            _("Title"),
            _("Category"),
            _("Neighborhood"),
            _("Place"),
            _("State"),
            _("Handling party"),
            _("Accepted at"),
            _("Resolve by"),
            _("Overdue"),
        ]
    )
    now = timezone.now()
    for c in concerns[:QUEUE_LIMIT]:
        late = c.overdue or (c.closed_at is None and c.resolution_due < now)
        sheet.append(
            [
                c.pk,
                c.title,
                c.category.name,
                c.neighborhood.name if c.neighborhood else "",
                c.place,
                c.get_state_display(),
                c.handler_label,
                f"{timezone.localtime(c.accepted_at):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(c.resolution_due):%Y-%m-%d %H:%M}",
                _("Overdue") if late else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
