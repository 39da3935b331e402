"""The KPI ledger as an xlsx workbook (openpyxl, write-only so memory stays flat)."""

import io
from datetime import date

from django.utils.translation import gettext as _

from gongzhi.concerns.kpi import KpiRow
from gongzhi.core.sheets import Workbook


def _pct(value: float | None):
    return None if value is None else round(100 * value, 1)


def _line(label: str, r: KpiRow) -> list:
    hours = r.median_close_hours
    return [
        label,
        r.households_visited,
        r.collected,
        r.resolved,
        _pct(r.response_rate),
        _pct(r.resolution_rate),
        _pct(r.satisfaction_rate),
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
