"""Exports of the concerns app that go through approval (core.exports): the KPI ledger and the
filtered concern queue."""

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
        description=gettext_lazy(
            "Response, resolution and satisfaction rates of one month, by neighborhood, grid or category."
        ),
        page="concerns:kpi",
    )
)


QUEUE_FIELDS = ("q", "state", "category", "grid", "due")


def _queue_filter(params: dict) -> selectors.QueueFilter:
    # The page's own parser, so the file holds what the page listed.
    return selectors.QueueFilter.from_query({k: str(params.get(k) or "") for k in QUEUE_FIELDS})


def _queue_area(actor, params: dict) -> tuple[int | None, int | None]:
    _queue_filter(params)
    return exports.area_of_exporter(actor, "concern")


def _queue_count(actor, params: dict) -> int:
    return selectors.concern_queue(actor, filters=_queue_filter(params)).count()


def _queue_produce(actor, params: dict) -> exports.ExportFile:
    concerns = selectors.concern_queue(actor, filters=_queue_filter(params))
    return exports.ExportFile(workbooks.queue_workbook(concerns), "concern-queue.xlsx")


exports.register(
    exports.ExportKind(
        code="concerns.queue",
        label=gettext_lazy("concern queue"),
        data_class="concern",
        area=_queue_area,
        fields=QUEUE_FIELDS,
        produce=_queue_produce,
        description=gettext_lazy(
            "The concerns the queue lists with its filters: residents' names and phones masked."
        ),
        page="concerns:queue",
        count=_queue_count,
    )
)
