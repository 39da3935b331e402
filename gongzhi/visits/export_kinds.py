"""Visit ledgers through the export approval (core.exports): coverage per grid or neighborhood
and per worker, and the list of households not yet visited (rooms, names masked). core.exports discovers
this module."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import exports
from gongzhi.core.pages import parse_int, parse_month
from gongzhi.visits import exports as workbooks
from gongzhi.visits import selectors as vs


def _month(params: dict):
    return parse_month(str(params.get("month") or ""))


def _by(params: dict) -> str:
    by = str(params.get("by") or "micro_grid")
    if by not in vs.GROUP_FIELDS:
        raise ValidationError({"by": _("Unknown grouping.")})
    return by


def _grid(params: dict) -> int | None:
    value = str(params.get("grid") or "")
    number = parse_int(value)
    if value and number is None:
        raise ValidationError({"grid": _("Unknown grid.")})
    return number


def _coverage_area(actor, params: dict) -> tuple[int | None, int | None]:
    _month(params), _by(params)
    return exports.area_of_exporter(actor, "concern")


def _unvisited_area(actor, params: dict) -> tuple[int | None, int | None]:
    _month(params), _grid(params)
    return exports.area_of_exporter(actor, "household")


def _coverage(actor, params: dict) -> exports.ExportFile:
    month, by = _month(params), _by(params)
    plan = vs.plan_of(vs.home_subdistrict_id(actor))
    rows = vs.coverage_rows(actor, month=month, months=plan.household_months, by=by)
    workers = vs.worker_rows(actor, month=month, plan=plan)
    content = workbooks.coverage_workbook(
        rows, vs.coverage_total(rows), workers, month=month, months=plan.household_months, by=by
    )
    return exports.ExportFile(content, f"visits-coverage-{month:%Y-%m}-{by}.xlsx")


def _unvisited(actor, params: dict) -> exports.ExportFile:
    month, grid = _month(params), _grid(params)
    plan = vs.plan_of(vs.home_subdistrict_id(actor))
    households = vs.due_households(actor, month=month, months=plan.household_months, grid_id=grid)
    content = workbooks.unvisited_workbook(households, month=month, months=plan.household_months)
    return exports.ExportFile(content, f"visits-unvisited-{month:%Y-%m}.xlsx")


COVERAGE = exports.register(
    exports.ExportKind(
        code="concerns.visit_coverage",
        label=gettext_lazy("visit coverage ledger"),
        data_class="concern",
        area=_coverage_area,
        fields=("month", "by"),
        produce=_coverage,
        description=gettext_lazy("Visit coverage of one month, by neighborhood or grid."),
        page="visits:coverage",
    )
)
UNVISITED = exports.register(
    exports.ExportKind(
        code="concerns.visit_unvisited",
        label=gettext_lazy("households not yet visited"),
        data_class="household",
        area=_unvisited_area,
        fields=("month", "grid"),
        produce=_unvisited,
        description=gettext_lazy("Households not yet visited in one month, with their addresses."),
        page="visits:coverage",
    )
)
