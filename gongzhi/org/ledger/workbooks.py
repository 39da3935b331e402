"""Writing workbooks: the blank template and the export of households, numbers masked."""

import io
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core import audit, minors, permissions, pii
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import EXPORT
from gongzhi.core.roles import ROLES
from gongzhi.core.sheets import Workbook
from gongzhi.org.ledger.columns import (
    COLUMNS,
    DATA_SHEET,
    FLAGS,
    GENDER_LABELS,
    GENERAL_NOTES,
    HELP_SHEET,
    NEIGHBORHOOD_SHEET,
    TAG_LABELS,
)
from gongzhi.org.ledger.importing import _chunks
from gongzhi.org.ledger.reading import MAX_ROWS
from gongzhi.org.models import (
    Household,
    Neighborhood,
    Resident,
    ResidentTag,
    SensitiveTag,
)


def _new_workbook() -> tuple[Workbook, object]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header + ("*" if column.required else ""))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6" if column.required else "DDEBF7")
        header.append(cell)
    sheet.append(header)
    return book, sheet


def _add_validations(sheet, neighborhood_count: int) -> None:
    last = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.choices:
            rule = DataValidation(type="list", formula1=f'"{",".join(column.choices)}"', allow_blank=True)
        elif column.key == "neighborhood" and neighborhood_count:
            rule = DataValidation(
                type="list",
                formula1=f"'{NEIGHBORHOOD_SHEET}'!$A$2:$A${neighborhood_count + 1}",
                allow_blank=True,
            )
        else:
            continue
        rule.error = "请从下拉列表中选择"
        rule.add(f"{letter}2:{letter}{last}")
        sheet.data_validations.append(rule)


def _add_help_sheets(book: Workbook, neighborhoods: list[Neighborhood]) -> None:
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 90
    for note in GENERAL_NOTES:
        help_sheet.append([None, None, note])
    help_sheet.append([])
    help_sheet.append(["列名", "是否必填", "说明", "示例"])
    for column in COLUMNS:
        help_sheet.append([column.header, "必填" if column.required else "可空", column.help, column.example])
    nb_sheet = book.create_sheet(NEIGHBORHOOD_SHEET)
    nb_sheet.column_dimensions["A"].width = 20
    nb_sheet.append(["名称", "编码"])
    for n in neighborhoods:
        nb_sheet.append([n.name, n.code])


def _finish(book: Workbook, sheet, neighborhoods: list[Neighborhood]) -> bytes:
    _add_validations(sheet, len(neighborhoods))
    _add_help_sheets(book, neighborhoods)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_row(sheet, values: list) -> list:
    """Cells of text columns keep the text format so Excel never turns numbers into 3.1E+17."""
    cells = []
    for column, value in zip(COLUMNS, values, strict=True):
        cell = WriteOnlyCell(sheet, value=value)
        if column.text:
            cell.number_format = "@"
        cells.append(cell)
    return cells


def example_row(neighborhood_name: str) -> list:
    body = "31011319560308001"
    return [
        neighborhood_name,
        "示例小区",
        "1号楼",
        "1单元",
        "101",
        "68.5",
        "张三",
        "男",
        "1956-03-08",
        body + pii.id_check_digit(body),
        "13800000000",
        "是",
        "否",
        "是",
        "是",
        "独居老人",
    ]


def ledger_template_xlsx(*, actor) -> bytes:
    """The blank ledger: header row, one example row, a 说明 sheet and the user's neighborhoods."""
    neighborhoods = list(permissions.scoped(actor, Neighborhood.objects.order_by("code")))
    book, sheet = _new_workbook()
    example = example_row(neighborhoods[0].name if neighborhoods else "示例居民区")
    cells = _text_row(sheet, example)
    for cell in cells:
        cell.font = Font(italic=True, color="808080")
    sheet.append(cells)
    return _finish(book, sheet, neighborhoods)


def _export_scope_area(actor) -> tuple[int | None, int | None]:
    """Where an export of everything the actor may export lies, for browsing the audit trail."""
    rows = [a for a in permissions.assignments_of(actor) if ROLES[a.role].export]
    subdistricts = {a.subdistrict_id for a in rows}
    neighborhoods = {a.neighborhood_id for a in rows}
    return (
        subdistricts.pop() if len(subdistricts) == 1 else None,
        neighborhoods.pop() if len(neighborhoods) == 1 else None,
    )


def export_households_xlsx(*, actor, neighborhood: Neighborhood | None = None) -> bytes:
    """The households and residents the actor may export, in the import layout, numbers masked."""
    if not permissions.has_capability(actor, "export"):
        raise PermissionDenied(_("You may not export ledgers."))
    households = permissions.scoped(actor, Household.objects.all(), EXPORT)
    area = _export_scope_area(actor)
    if neighborhood is not None:
        if not permissions.scoped(actor, Neighborhood.objects.filter(pk=neighborhood.pk), EXPORT).exists():
            raise NotInScope(_("No such neighborhood in your area."))
        households = households.filter(neighborhood=neighborhood)
        area = (neighborhood.subdistrict_id, neighborhood.pk)
    book, sheet = _new_workbook()
    counts = {"households": 0, "residents": 0}
    for values in _export_rows(actor, households, counts):
        sheet.append(_text_row(sheet, values))
    neighborhoods = list(permissions.scoped(actor, Neighborhood.objects.order_by("code")))
    content = _finish(book, sheet, neighborhoods)
    with transaction.atomic():
        audit.record(
            "export",
            actor=actor,
            summary=_("Ledger export: %(h)s households, %(r)s residents")
            % {"h": counts["households"], "r": counts["residents"]},
            changes={**counts, "neighborhood": neighborhood.pk if neighborhood else None, "masked": True},
            area=area,
        )
    return content


def _export_rows(actor, households: QuerySet, counts: dict[str, int]) -> Iterator[list]:
    ordered = households.select_related("neighborhood", "building__compound", "stairwell").order_by(
        "neighborhood__code", "building__compound__name", "building__number", "room", "pk"
    )
    for chunk in _chunks(ordered.iterator(chunk_size=2000), 2000):
        residents: dict[int, list[Resident]] = {}
        people = permissions.scoped(
            actor, Resident.objects.filter(household__in=[h.pk for h in chunk]), EXPORT
        )
        # Minors are masked for exporters who may not see them (core.minors); the export is audited.
        ordered_people = people.order_by("pk").select_related("household__neighborhood")
        for r in minors.present(actor, ordered_people, record_access=False):
            residents.setdefault(r.household_id, []).append(r)
        tags: dict[int, list[str]] = {}
        visible_tags = permissions.scoped(
            actor, ResidentTag.objects.filter(resident__household__in=[h.pk for h in chunk]), EXPORT
        )
        for t in visible_tags.order_by("tag"):
            tags.setdefault(t.resident_id, []).append(TAG_LABELS[SensitiveTag(t.tag)])
        for h in chunk:
            counts["households"] += 1
            for r in residents.get(h.pk) or [None]:
                counts["residents"] += r is not None
                yield _household_cells(h) + _resident_cells(r, tags)


def _household_cells(h: Household) -> list:
    return [
        h.neighborhood.name,
        h.building.compound.name,
        h.building.number,
        h.stairwell.name if h.stairwell else "",
        h.room,
        str(h.floor_area),
    ]


def _resident_cells(r: Resident | None, tags: dict[int, list[str]]) -> list:
    if r is None:
        return [""] * (len(COLUMNS) - 6)
    return [
        r.name,
        GENDER_LABELS.get(r.gender, ""),
        r.birth_date.isoformat() if r.birth_date else "",
        pii.mask_id_number(r.id_number) if r.id_number else "",
        pii.mask_phone(r.phone) if r.phone else "",
        *("是" if getattr(r, flag) else "否" for flag in FLAGS),
        "、".join(tags.get(r.pk, [])),
    ]
