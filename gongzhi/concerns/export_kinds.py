"""Exports of the concerns app that go through approval (core.exports): the KPI ledger."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.concerns import exports as workbooks
from gongzhi.concerns import selectors
from gongzhi.core import exports
from gongzhi.core.pages import parse_month


def _month(params: dict):
    return parse_month(str(params.get("month") or ""))


def _group(params: dict) -> str:
    by = str(params.get("by") or "neighborhood")
    if by not in selectors.KPI_GROUPS:
        raise ValidationError({"by": _("Unknown grouping.")})
    return by


def _area(actor, params: dict) -> tuple[int | None, int | None]:
    _month(params), _group(params)
    return exports.area_of_exporter(actor, "concern")


def _produce(actor, params: dict) -> exports.ExportFile:
    month, by = _month(params), _group(params)
    rows, total = selectors.kpi_report(actor, month=month, by=by)
    content = workbooks.kpi_workbook(rows, total, month=month, group=selectors.kpi_group_label(by))
    return exports.ExportFile(content, f"concern-kpi-{month:%Y-%m}-{by}.xlsx")


exports.register(
    exports.ExportKind(
        code="concerns.kpi",
        label=gettext_lazy("concern KPI ledger"),
        data_class="concern",
        area=_area,
        fields=("month", "by"),
        produce=_produce,
    )
)
