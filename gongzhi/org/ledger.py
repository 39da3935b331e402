"""Household ledgers (台账): the Excel/CSV files neighborhoods keep, read in and written out.

One row per resident; a row whose resident cells are all empty stands for an empty household.
The column headers, 是/否 and tag names are Chinese whatever the UI language, because they are
the file format neighborhoods already use; error reasons are UI text and go through gettext.

An import is all-or-nothing and idempotent: every row is parsed and checked, existing records
are matched (household by building + room, resident by ID-number digest, else by household +
name), and only a clean file is written, in bulk, inside one transaction with one audit record.
An export writes the same layout with masked numbers, and a masked cell re-imports as "leave
this number as it is".
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core import audit, minors, permissions, pii, uploads
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import EXPORT
from gongzhi.org.models import (
    Building,
    Compound,
    Household,
    Neighborhood,
    Resident,
    ResidentTag,
    SensitiveTag,
    Stairwell,
)
from gongzhi.org.roles import ROLES

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: refuse zip bombs before parsing
MAX_ROWS = 50_000
DATA_SHEET = "台账"
HELP_SHEET = "说明"
NEIGHBORHOOD_SHEET = "居民区"
_CHUNK = 900  # stays under SQLite's bound-parameter limit on any build

YES_NO = ("是", "否")
_YES = {"是", "y", "yes", "1", "true", "√", "✓", "有"}
_NO = {"否", "n", "no", "0", "false", "×", "✗", "无"}
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
GENDER_LABELS = {"M": "男", "F": "女"}
TAG_LABELS = {
    SensitiveTag.ELDERLY_ALONE: "独居老人",
    SensitiveTag.HARDSHIP: "困难家庭",
    SensitiveTag.DISABILITY: "残疾",
    SensitiveTag.HEALTH: "健康关注",
}
TAGS_BY_LABEL = {label: tag.value for tag, label in TAG_LABELS.items()}
NO_TAGS = "无"
FLAGS = ("is_owner", "is_tenant", "is_registered", "lives_here")
TEXT_LIMITS = {"compound": 64, "building": 32, "stairwell": 32, "room": 16, "name": 64}
_MASKED_ID = re.compile(r"^[0-9X*]{18}$")
_MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool  # the header must be present; cells may still be empty (see _parse_row)
    help: str
    example: str
    choices: tuple[str, ...] = ()
    width: int = 12
    aliases: tuple[str, ...] = ()
    text: bool = False  # Excel must keep it as text (long digit strings, leading zeros)


COLUMNS: tuple[Column, ...] = (
    Column(
        "neighborhood",
        "居民区",
        True,
        "居民区名称或编码，须在您的管辖范围内（见“居民区”表）。",
        "",
        width=14,
        aliases=("社区", "村", "居委会"),
    ),
    Column("compound", "小区", True, "小区名称；该居民区内没有时自动新建。", "示例小区", width=14),
    Column(
        "building", "楼栋", True, "楼栋号，如“12号楼”；该小区内没有时自动新建。", "1号楼", aliases=("楼号",)
    ),
    Column(
        "stairwell",
        "单元",
        False,
        "单元/楼组，可空；该楼栋内没有时自动新建。",
        "1单元",
        aliases=("楼组", "楼道"),
    ),
    Column("room", "室号", True, "室号/房号，同一楼栋内唯一。", "101", aliases=("房号", "门牌号"), text=True),
    Column(
        "floor_area",
        "建筑面积(㎡)",
        False,
        "数字，单位平方米；空表示不修改（新户记为 0）。同一户的各行须一致。",
        "68.5",
        aliases=("面积",),
    ),
    Column("name", "姓名", True, "居民姓名；只填房屋信息、不填居民各列的行表示空户。", "张三", width=10),
    Column("gender", "性别", False, "男/女；空时按身份证号推算。", "男", choices=("男", "女"), width=6),
    Column("birth_date", "出生日期", False, "如 1956-03-08；空时按身份证号推算。", "", text=True),
    Column(
        "id_number",
        "身份证号",
        False,
        "18 位，末位可为 X；请保持文本格式，以免 Excel 丢掉末尾数字。同一文件中不得重复。"
        "导出文件中打码的号码（如 3101**********1234）表示“不修改”，只能用于已登记的居民。",
        "",
        width=22,
        aliases=("身份证", "身份证号码", "证件号码"),
        text=True,
    ),
    Column(
        "phone",
        "手机号",
        False,
        "11 位手机号。打码的号码（如 138****5678）表示“不修改”。",
        "13800000000",
        width=14,
        aliases=("手机", "手机号码", "联系电话", "电话"),
        text=True,
    ),
    Column("is_owner", "业主", False, "是/否；空表示不修改（新居民记为“否”）。", "是", YES_NO, 6),
    Column("is_tenant", "租户", False, "是/否；空表示不修改（新居民记为“否”）。", "否", YES_NO, 6),
    Column(
        "is_registered", "户籍", False, "是/否（户籍人口）；空表示不修改。", "是", YES_NO, 6, ("户籍人口",)
    ),
    Column(
        "lives_here",
        "实住",
        False,
        "是/否（实有人口）；空表示不修改（新居民记为“是”）。",
        "是",
        YES_NO,
        6,
        ("实有人口",),
    ),
    Column(
        "tags",
        "特殊标签",
        False,
        "可空：独居老人、困难家庭、残疾、健康关注，多个用“、”或“,”分隔；填“无”表示清除；空表示不修改。",
        "独居老人",
        width=16,
        aliases=("标签",),
    ),
)
HEADERS = {c.key: c.header for c in COLUMNS}
RESIDENT_KEYS = ("name", "gender", "birth_date", "id_number", "phone", *FLAGS, "tags")
GENERAL_NOTES = (
    "每行一位居民；同一户的多位居民各占一行，房屋信息（居民区、小区、楼栋、单元、室号、建筑面积）重复填写。",
    "只填房屋信息、不填居民各列的行表示空户。",
    "导入是“全有或全无”：任何一行有错，整个文件都不会导入，系统会列出每个错误的行号、列名和原因。",
    "再次导入同一文件只会更新已有记录，不会重复：住户按“楼栋+室号”匹配，居民按身份证号匹配，没有身份证号时按“住户+姓名”匹配。",
    "导出文件中身份证号和手机号是打码的；再次导入时，打码的号码表示“不修改”，只能用于已登记的居民。",
    "第 2 行是示例，填写前请删除。带 * 的列为必填列。",
)


@dataclass
class RowError:
    row: int | None  # as Excel shows it; None for problems with the file as a whole
    column: str
    reason: str


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    households: Counts = field(default_factory=Counts)
    residents: Counts = field(default_factory=Counts)
    places_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return self.households.created + self.residents.created

    @property
    def updated(self) -> int:
        return self.households.updated + self.residents.updated

    @property
    def unchanged(self) -> int:
        return self.households.unchanged + self.residents.unchanged

    def fail(self, row: int | None, key_or_header: str, reason: str) -> None:
        self.errors.append(RowError(row, HEADERS.get(key_or_header, key_or_header), reason))


class LedgerFileError(Exception):
    """The file as a whole cannot be read; nothing row by row can be said about it."""


# --- Reading files ---------------------------------------------------------------------------


def read_rows(uploaded_file) -> list[tuple[int, list]]:
    """(row number as Excel shows it, cell values) of every non-blank row, header included."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise LedgerFileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it by neighborhood.")
            % {"size": round(size / 1048576, 1), "limit": MAX_BYTES // 1048576}
        )
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise LedgerFileError(_("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 1048576})
    if not data.strip():
        raise LedgerFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        try:
            uploads.check_xlsx(data)  # entry count, packing ratio, real unpacked size: before parsing
        except uploads.UploadRejected as exc:
            raise LedgerFileError(exc.messages[0]) from None
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFileError(_("This is an old .xls workbook. Save it as .xlsx (or CSV) and upload again."))
    if b"\x00" in data[:8192]:
        raise LedgerFileError(_("This is neither an Excel .xlsx workbook nor a CSV file."))
    return _csv_rows(data)


def _limit_rows(rows: Iterable[tuple[int, list]]) -> list[tuple[int, list]]:
    kept = []
    for number, cells in rows:
        if any(_text(c) for c in cells):
            kept.append((number, list(cells)))
            if len(kept) > MAX_ROWS + 1:
                raise LedgerFileError(
                    _("The file has more than %(limit)s rows. Split it into smaller files.")
                    % {"limit": MAX_ROWS}
                )
    return kept


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LedgerFileError(_("The file is not a valid Excel .xlsx workbook.")) from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise LedgerFileError(_("The workbook is too large once unpacked. Split it into smaller files."))
        try:
            return _limit_rows(_XlsxSheet(archive).rows())
        except (KeyError, IndexError, ValueError, ElementTree.ParseError, zipfile.BadZipFile):
            raise LedgerFileError(_("The file is not a valid Excel .xlsx workbook.")) from None


_XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Built-in number formats that show dates, including the CJK ones (27-36, 50-58) Excel uses here.
_DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47, *range(27, 37), *range(50, 59)}


class _XlsxSheet:
    """Cell values of the ledger sheet, read straight from the workbook's XML.

    openpyxl spends ~35 µs a cell building objects a ledger never needs (6 s for 10,000 rows);
    streaming the XML takes a sixth of that. openpyxl still writes every workbook we hand out.
    """

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        props = book.find(f"{_XL}workbookPr")
        self.epoch = (
            CALENDAR_MAC_1904 if props is not None and props.get("date1904") in ("1", "true") else None
        )
        targets = self._relationships()
        sheets = [(s.get("name"), targets[s.get(f"{_DOC_REL}id")]) for s in book.iter(f"{_XL}sheet")]
        self.path = next((path for name, path in sheets if name == DATA_SHEET), sheets[0][1])
        self.strings = self._shared_strings(targets)
        self.date_styles = self._date_styles()

    def _relationships(self) -> dict[str, str]:
        rels = ElementTree.fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
        found = {}
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            found[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            found[rel.get("Type", "").rsplit("/", 1)[-1]] = found[rel.get("Id")]
        return found

    def _shared_strings(self, targets: dict[str, str]) -> list[str]:
        path = targets.get("sharedStrings")
        if path is None or path not in self.archive.namelist():
            return []
        strings = []
        for _event, item in ElementTree.iterparse(self.archive.open(path)):
            if item.tag == f"{_XL}si":
                strings.append(_rich_text(item))
                item.clear()
        return strings

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.archive.namelist():
            return set()
        styles = ElementTree.fromstring(self.archive.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{_XL}numFmt")}
        cell_formats = styles.find(f"{_XL}cellXfs")
        dates = set()
        for index, xf in enumerate(cell_formats if cell_formats is not None else []):
            fmt = int(xf.get("numFmtId", "0"))
            if (fmt in custom and is_date_format(custom[fmt])) or (
                fmt not in custom and fmt in _DATE_FORMAT_IDS
            ):
                dates.add(index)
        return dates

    def rows(self) -> Iterator[tuple[int, list]]:
        number = 0
        for _event, row in ElementTree.iterparse(self.archive.open(self.path)):
            if row.tag != f"{_XL}row":
                continue
            number = int(row.get("r") or number + 1)
            cells: list = []
            for cell in row.iter(f"{_XL}c"):
                ref = cell.get("r")
                column = column_index_from_string(ref.rstrip("0123456789")) - 1 if ref else len(cells)
                cells.extend([None] * (column - len(cells)))
                cells.append(self._value(cell))
            row.clear()
            yield number, cells

    def _value(self, cell: ElementTree.Element):
        kind, raw = cell.get("t", "n"), cell.findtext(f"{_XL}v")
        if kind == "inlineStr":
            found = cell.find(f"{_XL}is")
            return _rich_text(found) if found is not None else None
        if raw is None:
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind != "n":
            return raw  # str (formula result), d (ISO date text), e (error text)
        number = float(raw) if any(c in raw for c in ".eE") else int(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            return from_excel(number, self.epoch) if self.epoch else from_excel(number)
        return number


def _rich_text(item: ElementTree.Element) -> str:
    """The text of a string item: plain <t>, or the runs <r><t>; phonetic guides (<rPh>) are skipped."""
    parts = [item.findtext(f"{_XL}t") or ""]
    parts += [run.findtext(f"{_XL}t") or "" for run in item.findall(f"{_XL}r")]
    return "".join(parts)


def _csv_rows(data: bytes) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel in China writes for "CSV"
        except UnicodeDecodeError:
            raise LedgerFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        return _limit_rows(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
    except csv.Error:
        raise LedgerFileError(_("The CSV file could not be read.")) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm_header(value) -> str:
    text = re.sub(r"[\s*＊]", "", _text(value))
    return re.sub(r"[（(].*?[)）]", "", text)


_HEADER_KEYS = {_norm_header(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}


def find_header(rows: list[tuple[int, list]], report: ImportReport) -> tuple[int, dict[str, int]] | None:
    """The header row (a title row above it is allowed) and the position of each known column."""
    for index, (number, cells) in enumerate(rows[:10]):
        keys = [_HEADER_KEYS.get(_norm_header(c)) for c in cells]
        if sum(1 for k in keys if k) < 3:
            continue
        positions: dict[str, int] = {}
        for pos, key in enumerate(keys):
            if key and key in positions:
                report.fail(number, key, _("This column appears twice."))
            elif key:
                positions[key] = pos
        for column in COLUMNS:
            if column.required and column.key not in positions:
                report.fail(number, column.header, _("Required column is missing from the header row."))
        return index, positions
    report.fail(
        None,
        "",
        _("No header row found: the first row must hold the column headers (%(h)s).")
        % {"h": "、".join(c.header for c in COLUMNS if c.required)},
    )
    return None


# --- Checking one row ------------------------------------------------------------------------


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


# --- Importing -------------------------------------------------------------------------------


def may_import(user) -> bool:
    """Whether any role of the user writes households and residents somewhere."""
    return any({"household", "resident"} <= ROLES[a.role].write for a in permissions.assignments_of(user))


def import_ledger(*, actor, uploaded_file) -> ImportReport:
    """Import a ledger all-or-nothing: a report with every error and no writes, or every row written."""
    if not may_import(actor):
        raise PermissionDenied(_("You may not import households and residents."))
    report = ImportReport(filename=getattr(uploaded_file, "name", "") or "")
    if uploaded_file is None:
        report.fail(None, "", _("Choose a file to upload."))
        return report
    rows = parse_file(uploaded_file, report)
    if not rows:
        return report
    try:
        with transaction.atomic():
            _Import(actor, rows, report).run()
    except IntegrityError:
        # Another import or edit created the same household or ID number meanwhile.
        report.fail(
            None, "", _("The records changed while importing. Nothing was imported; please try again.")
        )
    if not report.ok:
        report.households, report.residents, report.places_created = Counts(), Counts(), 0
    return report


def _chunks(values: Iterable, size: int = _CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(queryset: QuerySet, lookup: str, values: Iterable) -> list:
    return [obj for chunk in _chunks(set(values)) for obj in queryset.filter(**{lookup: chunk})]


@dataclass
class _PlannedHousehold:
    key: tuple
    row: int
    instance: Household
    stairwell_key: tuple | None = None
    area: Decimal | None = None
    changed: bool = False


class _Import:
    """Matches rows to existing records, checks scope, then writes in bulk. Runs in a transaction."""

    def __init__(self, actor, rows: list[LedgerRow], report: ImportReport) -> None:
        self.actor, self.rows, self.report = actor, rows, report
        self.now = timezone.now()
        self.neighborhoods: dict[int, Neighborhood] = {}
        self.row_nb: dict[int, Neighborhood] = {}
        self.compounds: dict[tuple, Compound] = {}
        self.buildings: dict[tuple, Building] = {}
        self.stairwells: dict[tuple, Stairwell] = {}
        self.households: dict[tuple, _PlannedHousehold] = {}
        self.by_household: dict[int, list[Resident]] = {}
        self.by_digest: dict[str, Resident] = {}
        self.tags: dict[int, set[str]] = {}
        self.claimed: dict[object, int] = {}  # resident (id or planned key) → first row naming them
        self.new_residents: list[tuple[tuple, Resident, set[str] | None]] = []
        self.changed_residents: dict[int, tuple[Resident, set[str] | None]] = {}

    def run(self) -> None:
        # Rows with errors of their own are still matched, so that the report names every problem.
        self._resolve_neighborhoods()
        self.rows = [r for r in self.rows if r.row in self.row_nb]
        self._load_existing()
        for row in self.rows:
            self._plan_row(row)
        if self.report.ok:
            self._write()
            self._audit()

    # Matching -----------------------------------------------------------------------------

    def _resolve_neighborhoods(self) -> None:
        visible = list(permissions.scoped(self.actor, Neighborhood.objects.all()))
        by_code = {n.code: n for n in visible}
        by_name: dict[str, list[Neighborhood]] = {}
        for n in visible:
            by_name.setdefault(n.name, []).append(n)
        for row in self.rows:
            found = (
                [by_code[row.neighborhood]]
                if row.neighborhood in by_code
                else by_name.get(row.neighborhood, [])
            )
            if len(found) == 1:
                self.row_nb[row.row] = found[0]
                self.neighborhoods[found[0].pk] = found[0]
            elif found:
                self.report.fail(
                    row.row, "neighborhood", _("Several neighborhoods have this name; use the code.")
                )
            else:
                self.report.fail(row.row, "neighborhood", _("Unknown neighborhood, or not in your area."))

    def _load_existing(self) -> None:
        for c in Compound.objects.filter(neighborhood_id__in=self.neighborhoods):
            self.compounds[(c.neighborhood_id, c.name)] = c
        compound_keys = {c.pk: key for key, c in self.compounds.items()}
        for b in _fetch(Building.objects.all(), "compound_id__in", compound_keys):
            self.buildings[(*compound_keys[b.compound_id], b.number)] = b
        building_keys = {b.pk: key for key, b in self.buildings.items()}
        for s in _fetch(Stairwell.objects.all(), "building_id__in", building_keys):
            self.stairwells[(*building_keys[s.building_id], s.name)] = s
        named = {(self.row_nb[r.row].pk, r.compound, r.building) for r in self.rows}
        # Locked until commit: a second import of the same households waits and then sees ours.
        households = _fetch(
            Household.objects.select_for_update(of=("self",)),
            "building_id__in",
            [b.pk for key, b in self.buildings.items() if key in named],
        )
        for h in households:
            key = (*building_keys[h.building_id], h.room)
            self.households[key] = _PlannedHousehold(key, 0, h)
        self._load_residents([h.pk for h in households])

    def _load_residents(self, household_ids: list[int]) -> None:
        # The household comes along so that scope checks need no query per resident.
        query = Resident.objects.select_for_update(of=("self",)).select_related(
            "household__neighborhood", "household__building"
        )
        residents = _fetch(query, "household_id__in", household_ids)
        known = {r.id_number_digest for r in residents}
        elsewhere = {r.id_digest for r in self.rows if r.id_number} - known  # moved in, or out of scope
        residents += _fetch(query, "id_number_digest__in", elsewhere)
        for r in {r.pk: r for r in residents}.values():
            self.by_household.setdefault(r.household_id, []).append(r)
            if r.id_number_digest:
                self.by_digest[r.id_number_digest] = r
        for t in _fetch(ResidentTag.objects.all(), "resident_id__in", [r.pk for r in residents]):
            self.tags.setdefault(t.resident_id, set()).add(t.tag)

    # Planning -----------------------------------------------------------------------------

    def _plan_row(self, row: LedgerRow) -> None:
        nb = self.row_nb[row.row]
        ck, bk = (nb.pk, row.compound), (nb.pk, row.compound, row.building)
        sk = (*bk, row.stairwell) if row.stairwell else None
        places = [(Compound, ck, "compound", {}), (Building, bk, "building", {"compound": ck})]
        if sk:
            places.append((Stairwell, sk, "stairwell", {"building": bk}))
        for model, key, column, parents in places:
            path = {"neighborhood": nb.pk, **{kind: self._pk(k) for kind, k in parents.items()}}
            if not self._plan_place(row, model, key, column, path):
                return  # nothing below a place we may not add can be planned
        planned = self._plan_household(row, nb, bk, sk)
        if planned is not None and row.has_resident:
            self._plan_resident(row, planned)

    def _pk(self, key: tuple) -> int | None:
        found = self.compounds.get(key) or self.buildings.get(key) or self.stairwells.get(key)
        return found.pk if found is not None else None

    def _plan_place(self, row: LedgerRow, model: type[Model], key: tuple, column: str, path: dict) -> bool:
        store = {Compound: self.compounds, Building: self.buildings, Stairwell: self.stairwells}[model]
        if key in store:
            return True
        path = {"subdistrict": self.row_nb[row.row].subdistrict_id, **path}
        if not permissions.can_create(self.actor, model, path):
            self.report.fail(row.row, column, _("You may not add “%(name)s” here.") % {"name": key[-1]})
            return False
        store[key] = self._new_place(model, key)
        return True

    def _new_place(self, model: type[Model], key: tuple) -> Model:
        nb = self.neighborhoods[key[0]]
        if model is Compound:
            return Compound(neighborhood=nb, name=key[1])
        if model is Building:
            return Building(compound=self.compounds[key[:2]], neighborhood=nb, number=key[2])
        return Stairwell(building=self.buildings[key[:3]], name=key[3])

    def _household_path(self, household: Household, nb: Neighborhood, bk: tuple) -> dict:
        building = self.buildings[bk]
        return {
            "subdistrict": nb.subdistrict_id,
            "neighborhood": nb.pk,
            "micro_grid": household.micro_grid_id,
            "compound": building.compound_id,
            "building": building.pk,
            "stairwell": household.stairwell_id if household.stairwell_id else None,
        }

    def _plan_household(self, row: LedgerRow, nb: Neighborhood, bk: tuple, sk: tuple | None):
        if bk not in self.buildings or (sk and sk not in self.stairwells):
            return None  # the place could not be planned; its error is already reported
        key = (*bk, row.room)
        planned = self.households.get(key)
        if planned is None:
            building = self.buildings[bk]
            instance = Household(
                building=building, neighborhood=nb, micro_grid_id=building.micro_grid_id, room=row.room
            )
            planned = self.households[key] = _PlannedHousehold(key, row.row, instance)
        elif planned.instance.pk and not self._may_change(row, planned, nb, bk):
            return None  # an existing household must be ours before the row changes it
        planned.row = planned.row or row.row
        self._merge_household(row, planned, sk, bk)
        return planned if self._may_change(row, planned, nb, bk) else None

    def _may_change(self, row: LedgerRow, planned: _PlannedHousehold, nb, bk) -> bool:
        path = self._household_path(planned.instance, nb, bk)
        if permissions.can_create(self.actor, Household, path):
            return True
        self.report.fail(row.row, "room", _("This household is not in the area you may change."))
        return False

    def _merge_household(self, row: LedgerRow, planned: _PlannedHousehold, sk, bk) -> None:
        """Apply the household cells of one more row; rows of one household must agree."""
        if row.floor_area is not None:
            if planned.area is not None and planned.area != row.floor_area:
                self.report.fail(
                    row.row, "floor_area", _("Differs from an earlier row of the same household.")
                )
            planned.area = row.floor_area
        if sk is None:
            return
        if planned.stairwell_key not in (None, sk):
            self.report.fail(row.row, "stairwell", _("Differs from an earlier row of the same household."))
            return
        planned.stairwell_key = sk
        h, stairwell = planned.instance, self.stairwells[sk]
        if h.pk is None or stairwell.pk is None or stairwell.pk != h.stairwell_id:
            h.stairwell = stairwell
            h.micro_grid_id = stairwell.micro_grid_id or self.buildings[bk].micro_grid_id
            planned.changed = h.pk is not None

    def _plan_resident(self, row: LedgerRow, planned: _PlannedHousehold) -> None:
        resident = self._match_resident(row, planned)
        if resident is None or not self._check_masks(row, resident):
            return
        if resident.pk is None:
            if row.id_masked or row.phone_masked:
                self.report.fail(
                    row.row,
                    "id_number" if row.id_masked else "phone",
                    _("A masked number stands only for a resident already on file; enter the full number."),
                )
                return
            _apply_row(resident, row)
            self.new_residents.append((planned.key, resident, row.tags))
            return
        moved = planned.instance.pk is None or resident.household_id != planned.instance.pk
        if moved:
            resident.household = planned.instance  # moved house within the area
        changed = _apply_row(resident, row) or moved
        if changed or (row.tags is not None and row.tags != self.tags.get(resident.pk, set())):
            self.changed_residents[resident.pk] = (resident, row.tags)
        else:
            self.report.residents.unchanged += 1

    def _match_resident(self, row: LedgerRow, planned: _PlannedHousehold) -> Resident | None:
        """By ID number; else by household and name; else a new resident."""
        key = (planned.key, row.name)
        if row.id_number:
            if row.id_digest in self.claimed:
                self._same_as(row, "id_number", self.claimed[row.id_digest])
                return None
            self.claimed[row.id_digest] = row.row
            if (found := self.by_digest.get(row.id_digest)) is not None:
                return self._claim_existing(row, found)
        namesakes = [r for r in self.by_household.get(planned.instance.pk, []) if r.name == row.name]
        for candidate in namesakes:
            if candidate.pk in self.claimed or (row.id_number and candidate.id_number_digest):
                continue
            return self._claim_existing(row, candidate)
        if row.id_number and any(c.id_number_digest and c.pk not in self.claimed for c in namesakes):
            # The same name with another ID on file: a typo or another person; a person decides.
            self.report.fail(
                row.row,
                "id_number",
                _("A resident of this name in this household has a different ID number on file."),
            )
            return None
        if key in self.claimed and not row.id_number:
            self._same_as(row, "name", self.claimed[key])
            return None
        self.claimed.setdefault(key, row.row)
        return Resident(name=row.name)

    def _same_as(self, row: LedgerRow, column: str, other: int) -> None:
        self.report.fail(row.row, column, _("Same person as row %(n)s.") % {"n": other})

    def _claim_existing(self, row: LedgerRow, resident: Resident) -> Resident | None:
        if resident.pk in self.claimed:
            self._same_as(row, "name", self.claimed[resident.pk])
            return None
        self.claimed[resident.pk] = row.row
        household = resident.household
        if household is None or not permissions.can_create(
            self.actor, Resident, permissions.household_path(household)
        ):
            self.report.fail(
                row.row, "id_number", _("This ID number belongs to a resident outside your area.")
            )
            return None
        return resident

    def _check_masks(self, row: LedgerRow, resident: Resident) -> bool:
        ok = True
        if row.id_masked and resident.pk and pii.mask_id_number(resident.id_number) != row.id_masked:
            self.report.fail(
                row.row, "id_number", _("The masked ID number does not match the resident on file.")
            )
            ok = False
        if row.phone_masked and resident.pk and pii.mask_phone(resident.phone) != row.phone_masked:
            self.report.fail(
                row.row, "phone", _("The masked phone number does not match the resident on file.")
            )
            ok = False
        if row.tags is not None and not permissions.can_create(self.actor, ResidentTag, self._tag_path(row)):
            self.report.fail(row.row, "tags", _("You may not record sensitive tags."))
            ok = False
        return ok

    def _tag_path(self, row: LedgerRow) -> dict:
        nb = self.row_nb[row.row]
        key = (nb.pk, row.compound, row.building, row.room)
        return self._household_path(self.households[key].instance, nb, key[:3])

    # Writing ------------------------------------------------------------------------------

    def _write(self) -> None:
        for model, store in (
            (Compound, self.compounds),
            (Building, self.buildings),
            (Stairwell, self.stairwells),
        ):
            # bulk_create takes the new parents' keys from the related objects assigned earlier.
            new = [obj for obj in store.values() if obj.pk is None]
            model.objects.bulk_create(new)
            self.report.places_created += len(new)
        self._write_households()
        self._write_residents()

    def _write_households(self) -> None:
        new, changed = [], []
        for planned in self.households.values():
            h = planned.instance
            if h.pk is None:
                h.floor_area = planned.area or Decimal("0")
                new.append(h)
            elif planned.row:
                if planned.area is not None and planned.area != h.floor_area:
                    h.floor_area, planned.changed = planned.area, True
                if planned.changed:
                    h.updated_at = self.now
                    changed.append(h)
                else:
                    self.report.households.unchanged += 1
        Household.objects.bulk_create(new, batch_size=500)
        Household.objects.bulk_update(
            changed, ["floor_area", "stairwell", "micro_grid", "updated_at"], batch_size=500
        )
        self.report.households.created, self.report.households.updated = len(new), len(changed)

    def _write_residents(self) -> None:
        new = []
        for hk, resident, _tags in self.new_residents:
            resident.household = self.households[hk].instance
            new.append(resident)
        Resident.objects.bulk_create(new, batch_size=500)
        changed = [resident for resident, _tags in self.changed_residents.values()]
        for resident in changed:
            resident.updated_at = self.now
        fields = ["household", "name", "gender", "birth_date", "id_number", "id_number_digest", "phone"]
        fields += ["phone_digest", *FLAGS, "updated_at"]
        Resident.objects.bulk_update(changed, fields, batch_size=300)
        self.report.residents.created = len(new)
        self.report.residents.updated = len(changed)
        self._write_tags([(r, t) for _hk, r, t in self.new_residents] + list(self.changed_residents.values()))

    def _write_tags(self, pairs: list[tuple[Resident, set[str] | None]]) -> None:
        add, remove = [], []
        for resident, wanted in pairs:
            if wanted is None:
                continue
            have = self.tags.get(resident.pk, set())
            add += [ResidentTag(resident=resident, tag=t) for t in wanted - have]
            remove += [(resident.pk, t) for t in have - wanted]
        ResidentTag.objects.bulk_create(add, batch_size=500)
        for resident_id, tag in remove:
            ResidentTag.objects.filter(resident_id=resident_id, tag=tag).delete()

    def _audit(self) -> None:
        nbs = {self.row_nb[r.row] for r in self.rows}
        subdistricts = {n.subdistrict_id for n in nbs}
        area = (
            subdistricts.pop() if len(subdistricts) == 1 else None,
            next(iter(nbs)).pk if len(nbs) == 1 else None,
        )
        r = self.report
        audit.record(
            "import",
            actor=self.actor,
            summary=_("Ledger %(file)s: %(rows)s rows") % {"file": r.filename[:150], "rows": r.rows},
            changes={
                "households": r.households.as_dict(),
                "residents": r.residents.as_dict(),
                "places_created": r.places_created,
            },
            area=area,
        )


def _apply_row(resident: Resident, row: LedgerRow) -> bool:
    """Copy the row's filled cells onto the resident; empty and masked cells leave values as they are."""
    changed = False
    values: dict[str, object] = {"name": row.name, **row.flags}
    if row.gender:
        values["gender"] = row.gender
    if row.birth_date:
        values["birth_date"] = row.birth_date
    for name, value in values.items():
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed = True
    if row.id_number and resident.id_number_digest != row.id_digest:
        resident.id_number, resident.id_number_digest = row.id_number, row.id_digest
        changed = True
    if row.phone and resident.phone_digest != row.phone_digest:
        resident.phone, resident.phone_digest = row.phone, row.phone_digest
        changed = True
    return changed


# --- Writing workbooks: the template and exports ---------------------------------------------


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
        neighborhood_name, "示例小区", "1号楼", "1单元", "101", "68.5", "张三", "男", "1956-03-08",
        body + pii.id_check_digit(body), "13800000000", "是", "否", "是", "是", "独居老人",
    ]  # fmt: skip


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
            summary=_("Ledger export: %(h)s households, %(r)s residents") % {
                "h": counts["households"], "r": counts["residents"]
            },
            changes={**counts, "neighborhood": neighborhood.pk if neighborhood else None, "masked": True},
            area=area,
        )  # fmt: skip
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
