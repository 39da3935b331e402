"""Checking one row of a ledger: every cell parsed, every problem named by row and column."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.org.ledger.columns import (
    _MASKED_ID,
    _MASKED_PHONE,
    _NO,
    _SCIENTIFIC,
    _YES,
    FLAGS,
    GENDERS,
    NO_TAGS,
    RESIDENT_KEYS,
    TAGS_BY_LABEL,
    TEXT_LIMITS,
    ImportReport,
    LedgerFileError,
)
from gongzhi.org.ledger.reading import _text, find_header, read_rows


@dataclass
class LedgerRow:
    row: int
    neighborhood: str
    compound: str
    building: str
    stairwell: str
    room: str
    floor_area: Decimal | None = None
    has_resident: bool = False
    name: str = ""
    gender: str = ""
    birth_date: date | None = None
    id_number: str = ""
    id_masked: str = ""
    phone: str = ""
    phone_masked: str = ""
    flags: dict[str, bool] = field(default_factory=dict)
    tags: set[str] | None = None  # None: leave the resident's tags as they are

    @property
    def id_digest(self) -> str:
        return pii.blind_index("id", self.id_number)

    @property
    def phone_digest(self) -> str:
        return pii.blind_index("phone", self.phone)


def parse_row(number: int, raw: dict[str, object], report: ImportReport) -> LedgerRow | None:
    """A checked row, or None after reporting every problem in it."""
    before = len(report.errors)
    cells = {key: _text(value) for key, value in raw.items()}
    row = LedgerRow(
        number, *(cells.get(k, "") for k in ("neighborhood", "compound", "building", "stairwell", "room"))
    )
    for key in ("neighborhood", "compound", "building", "room"):
        if not cells.get(key):
            report.fail(number, key, _("This cell is required."))
    for key, limit in TEXT_LIMITS.items():
        if len(cells.get(key, "")) > limit:
            report.fail(number, key, _("Too long: at most %(n)s characters.") % {"n": limit})
    row.floor_area = _parse_area(number, cells.get("floor_area", ""), report)
    row.has_resident = any(cells.get(k) for k in RESIDENT_KEYS)
    if row.has_resident:
        _parse_resident(row, raw, cells, report)
    return row if len(report.errors) == before else None


def _parse_area(number: int, text: str, report: ImportReport) -> Decimal | None:
    if not text:
        return None
    try:
        area = Decimal(text.replace("㎡", "").replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        report.fail(number, "floor_area", _("Not a number of square metres."))
        return None
    if not Decimal(0) <= area < Decimal(1_000_000):
        report.fail(number, "floor_area", _("Floor area must be between 0 and 999999.99 m²."))
        return None
    return area


def _parse_resident(row: LedgerRow, raw: dict, cells: dict[str, str], report: ImportReport) -> None:
    n = row.row
    row.name = cells.get("name", "")
    if not row.name:
        report.fail(n, "name", _("Name is required when any resident cell is filled."))
    _parse_id_number(row, raw.get("id_number"), cells.get("id_number", ""), report)
    _parse_phone(row, cells.get("phone", ""), report)
    _parse_gender_and_birth(row, raw.get("birth_date"), cells, report)
    for key in FLAGS:
        value = cells.get(key, "").lower()
        if value in _YES:
            row.flags[key] = True
        elif value in _NO:
            row.flags[key] = False
        elif value:
            report.fail(n, key, _("Write 是 or 否."))
    row.tags = _parse_tags(n, cells.get("tags", ""), report)


def _parse_id_number(row: LedgerRow, raw, text: str, report: ImportReport) -> None:
    text = text.lstrip("'").replace(" ", "").upper()
    if not text:
        return
    if isinstance(raw, float) or _SCIENTIFIC.match(text):
        report.fail(
            row.row,
            "id_number",
            _(
                "Excel stored this ID number as a number and lost its last digits; format the column as text and type it again."
            ),
        )
    elif "*" in text:
        if _MASKED_ID.match(text):
            row.id_masked = text
        else:
            report.fail(row.row, "id_number", _("Not a valid masked ID number."))
    else:
        try:
            row.id_number = pii.validate_id_number(text)
        except ValidationError as exc:
            report.fail(row.row, "id_number", exc.messages[0])


def _parse_phone(row: LedgerRow, text: str, report: ImportReport) -> None:
    text = text.lstrip("'").strip()
    if not text:
        return
    if "*" in text:
        if _MASKED_PHONE.match(text):
            row.phone_masked = text
        else:
            report.fail(row.row, "phone", _("Not a valid masked phone number."))
        return
    try:
        row.phone = pii.validate_phone(text)
    except ValidationError as exc:
        report.fail(row.row, "phone", exc.messages[0])


def _parse_gender_and_birth(row: LedgerRow, raw_birth, cells: dict[str, str], report: ImportReport) -> None:
    gender_text = cells.get("gender", "").lower()
    if gender_text and gender_text not in GENDERS:
        report.fail(row.row, "gender", _("Write 男 or 女."))
    row.gender = GENDERS.get(gender_text, "")
    row.birth_date = _parse_date(row.row, raw_birth, cells.get("birth_date", ""), report)
    if not row.id_number:
        return
    # The ID number states both; a ledger that disagrees with it has a typo somewhere.
    id_birth = pii.birth_date_from_id(row.id_number)
    id_gender = "M" if int(row.id_number[16]) % 2 else "F"
    if row.birth_date and row.birth_date != id_birth:
        report.fail(row.row, "birth_date", _("Does not match the birth date in the ID number."))
    if row.gender and row.gender != id_gender:
        report.fail(row.row, "gender", _("Does not match the gender in the ID number."))
    row.birth_date = row.birth_date or id_birth
    row.gender = row.gender or id_gender


def _parse_date(number: int, raw, text: str, report: ImportReport) -> date | None:
    if isinstance(raw, datetime):
        found = raw.date()
    elif isinstance(raw, date):
        found = raw
    elif not text:
        return None
    else:
        found = None
        cleaned = re.sub(r"[年月/.]", "-", text).rstrip("日").split(" ")[0]
        for fmt in ("%Y-%m-%d", "%Y%m%d"):
            try:
                found = datetime.strptime(cleaned, fmt).date()
                break
            except ValueError:
                continue
    if found is None or not date(1880, 1, 1) <= found <= timezone.localdate():
        report.fail(number, "birth_date", _("Not a valid date (e.g. 1956-03-08)."))
        return None
    return found


def _parse_tags(number: int, text: str, report: ImportReport) -> set[str] | None:
    if not text:
        return None
    if text == NO_TAGS:
        return set()
    tags = set()
    for label in filter(None, re.split(r"[、,，;；\s]+", text)):
        if label in TAGS_BY_LABEL:
            tags.add(TAGS_BY_LABEL[label])
        else:
            report.fail(
                number,
                "tags",
                _("Unknown tag “%(tag)s”; use %(known)s.")
                % {"tag": label, "known": "、".join(TAGS_BY_LABEL)},
            )
    return tags


def parse_file(uploaded_file, report: ImportReport) -> list[LedgerRow]:
    """Every row of the file, checked on its own; problems go into `report`."""
    try:
        rows = read_rows(uploaded_file)
    except LedgerFileError as exc:
        report.fail(None, "", str(exc))
        return []
    found = find_header(rows, report)
    if found is None or report.errors:
        return []
    index, positions = found
    parsed = []
    for number, cells in rows[index + 1 :]:
        raw = {key: cells[pos] if pos < len(cells) else None for key, pos in positions.items()}
        report.rows += 1
        if (row := parse_row(number, raw, report)) is not None:
            parsed.append(row)
    if report.rows == 0:
        report.fail(None, "", _("The file has a header row but no data rows."))
    return parsed
