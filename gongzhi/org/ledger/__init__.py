"""Household ledgers (台账): the Excel/CSV files neighborhoods keep, read in and written out.

One row per resident; a row whose resident cells are all empty stands for an empty household.
The column headers, 是/否 and tag names are Chinese whatever the UI language, because they are
the file format neighborhoods already use; error reasons are UI text and go through gettext.

An import is all-or-nothing and idempotent: every row is parsed and checked, existing records
are matched (household by building + room, resident by ID-number digest, else by household +
name), and only a clean file is written, in bulk, inside one transaction with one audit record.
An export writes the same layout with masked numbers, and a masked cell re-imports as "leave
this number as it is".

The package holds one stage per module (columns, reading, checking, importing, workbooks);
callers import from here.
"""

from gongzhi.org.ledger.checking import LedgerRow, parse_file, parse_row
from gongzhi.org.ledger.columns import (
    COLUMNS,
    HEADERS,
    Column,
    Counts,
    ImportReport,
    LedgerFileError,
    RowError,
)
from gongzhi.org.ledger.importing import import_ledger, may_import
from gongzhi.org.ledger.reading import MAX_BYTES, MAX_ROWS, MAX_UNZIPPED_BYTES, find_header, read_rows
from gongzhi.org.ledger.workbooks import example_row, export_households_xlsx, ledger_template_xlsx

__all__ = [
    "COLUMNS",
    "HEADERS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "Column",
    "Counts",
    "ImportReport",
    "LedgerFileError",
    "LedgerRow",
    "RowError",
    "example_row",
    "export_households_xlsx",
    "find_header",
    "import_ledger",
    "ledger_template_xlsx",
    "may_import",
    "parse_file",
    "parse_row",
    "read_rows",
]
