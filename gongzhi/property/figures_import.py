"""All-or-nothing import of monthly figures from the company's or the police station's workbook.

Columns (English or Chinese header, any order): compound 小区, month 月份 (2026-03 or a date),
and any of fee_billed 应收物业费, fee_collected 实收物业费, burglaries 入室盗窃, battery_thefts
电瓶车盗窃, vehicle_thefts 机动车盗窃, fires 火灾; neighborhood 居民区 when compound names repeat.
A column that is absent keeps what is stored, so each source fills its own figures. One bad row
and nothing is written; every error names its row.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.org.ledger import LedgerFileError, read_rows
from gongzhi.property import selectors
from gongzhi.property.services import FIGURE_COUNTS, FIGURE_MONEY, clean_figures, write_month

HEADERS = {
    "compound": ("compound", "小区"),
    "neighborhood": ("neighborhood", "居民区"),
    "month": ("month", "月份"),
    "fee_billed": ("fee_billed", "应收物业费"),
    "fee_collected": ("fee_collected", "实收物业费"),
    "burglaries": ("burglaries", "入室盗窃"),
    "battery_thefts": ("battery_thefts", "电瓶车盗窃"),
    "vehicle_thefts": ("vehicle_thefts", "机动车盗窃"),
    "fires": ("fires", "火灾"),
}
FIGURES = FIGURE_MONEY + FIGURE_COUNTS


def _columns(header: list) -> dict[str, int]:
    names = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
    found = {}
    for index, cell in enumerate(header):
        key = names.get(str(cell or "").strip().lower()) or names.get(str(cell or "").strip())
        if key:
            found[key] = index
    if "compound" not in found or "month" not in found or not any(k in found for k in FIGURES):
        raise ValidationError(_("Row 1: the header needs 小区, 月份 and at least one figure column."))
    return found


def _month(value) -> date | None:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts[:2]):
        year, month = int(parts[0]), int(parts[1])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    return None


def _number_text(value) -> str:
    """A cell as typed: 12.0 from Excel is 12, so whole-number columns accept it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _parse(number: int, cells: list, columns: dict, compounds: dict) -> tuple:
    def cell(key):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    name = str(cell("compound") or "").strip()
    key = (str(cell("neighborhood") or "").strip(), name) if "neighborhood" in columns else name
    compound = compounds.get(key)
    if compound is None:
        raise ValidationError(
            _("Row %(row)s: no compound %(name)s that you may enter figures for.")
            % {"row": number, "name": name}
        )
    if compound == "ambiguous":
        raise ValidationError(
            _("Row %(row)s: %(name)s names compounds of several neighborhoods; add a 居民区 column.")
            % {"row": number, "name": name}
        )
    month = _month(cell("month"))
    if month is None:
        raise ValidationError(_("Row %(row)s: 月份 must be a month such as 2026-03.") % {"row": number})
    values = {k: _number_text(cell(k)) for k in FIGURES if k in columns}
    try:
        clean = clean_figures(values)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(
            _("Row %(row)s, %(field)s: %(message)s")
            % {"row": number, "field": HEADERS[field][1], "message": messages[0]}
        ) from None
    return compound, month, clean


def _compound_index(actor) -> dict:
    """Name (and neighborhood, name) → compound among those the actor may enter figures for."""
    index: dict = {}
    for compound in selectors.compounds_for_figures(actor):
        index[(compound.neighborhood.name, compound.name)] = compound
        index[compound.name] = "ambiguous" if compound.name in index else compound
    return index


def import_figures(*, actor, uploaded_file) -> int:
    """Read every row, then write them all in one transaction (or none); returns the rows written."""
    compounds = _compound_index(actor)
    if not compounds:
        raise PermissionDenied(_("You may not enter property figures."))
    try:
        rows = read_rows(uploaded_file)
    except LedgerFileError as exc:
        raise ValidationError(str(exc)) from None
    if not rows:
        raise ValidationError(_("The file is empty."))
    columns = _columns(rows[0][1])
    parsed, errors, seen = [], [], set()
    for number, cells in rows[1:]:
        try:
            compound, month, clean = _parse(number, cells, columns, compounds)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if (compound.pk, month) in seen:
            errors.append(_("Row %(row)s: this compound and month appear twice.") % {"row": number})
        seen.add((compound.pk, month))
        parsed.append((number, compound, month, clean))
    if errors:
        raise ValidationError(errors)
    return _write_all(actor, parsed, getattr(uploaded_file, "name", ""))


def _write_all(actor, parsed: list, file_name: str) -> int:
    with transaction.atomic():
        for number, compound, month, clean in parsed:
            try:
                write_month(compound, month, clean)
            except ValidationError as exc:
                raise ValidationError(
                    _("Row %(row)s: %(message)s") % {"row": number, "message": exc.messages[0]}
                ) from None
        area = (parsed[0][1].neighborhood.subdistrict_id, None) if parsed else None
        audit.record("import", None, actor=actor, summary=f"{file_name}: {len(parsed)}", area=area)
    return len(parsed)
