"""Reading ledger files: xlsx (streamed, without openpyxl's full load) and CSV, within size and row limits, up to the header row."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel

from gongzhi.core import sheets, uploads
from gongzhi.org.ledger.columns import COLUMNS, DATA_SHEET, ImportReport, LedgerFileError

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: refuse zip bombs before parsing
MAX_ROWS = 50_000


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
    # A ledger the platform exported wrote "'=…" for a name beginning with "=" (core.sheets).
    return sheets.unquote(str(value).strip())


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
