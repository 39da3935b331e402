"""What the importer says about files it cannot read at all: type, size, header, rows."""

import pytest

from gongzhi.org.ledger import import_ledger, reading
from gongzhi.org.models import Resident
from gongzhi.org.tests.fixtures.ledger_files import HEADER, as_upload, make_area, person, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return make_area().users["social_worker"]


def only_error(report) -> tuple:
    assert len(report.errors) == 1, report.errors
    e = report.errors[0]
    return e.row, e.column


def test_no_file_is_reported(worker):
    assert only_error(import_ledger(actor=worker, uploaded_file=None)) == (None, "")


def test_empty_file_is_reported(worker):
    assert only_error(import_ledger(actor=worker, uploaded_file=as_upload(b"", "a.csv"))) == (None, "")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
        b"PK\x03\x04 not a zip",
    ],
)
def test_files_that_are_not_xlsx_or_csv_are_refused(worker, content):
    report = import_ledger(actor=worker, uploaded_file=as_upload(content, "ledger.xlsx"))
    assert only_error(report) == (None, "")


def test_header_missing_a_required_column_names_it(worker):
    header = [h for h in HEADER if h != "室号"]
    report = import_ledger(actor=worker, uploaded_file=xlsx_file([person(0)], header=header))
    assert only_error(report) == (1, "室号")


def test_header_may_sit_under_a_title_row_and_carry_required_marks(worker):
    rows = [["杨泰一村居民台账"], [h + "*" if h == "姓名" else h for h in HEADER], list(person(0).values())]
    content = "\n".join(",".join(r) for r in rows).encode("gb18030")
    report = import_ledger(actor=worker, uploaded_file=as_upload(content, "a.csv"))
    assert report.ok, report.errors


def test_file_over_the_size_limit_is_refused(worker, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    report = import_ledger(actor=worker, uploaded_file=xlsx_file([person(n) for n in range(50)]))
    assert only_error(report) == (None, "")
    assert "MB" in report.errors[0].reason


def test_file_with_too_many_rows_is_refused(worker, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    report = import_ledger(actor=worker, uploaded_file=xlsx_file([person(n) for n in range(10)]))
    assert only_error(report) == (None, "")
    assert "5" in report.errors[0].reason
    assert Resident.objects.count() == 0


def test_header_without_data_rows_is_reported(worker):
    assert only_error(import_ledger(actor=worker, uploaded_file=xlsx_file([]))) == (None, "")


def test_xlsx_date_and_number_cells_are_read_as_excel_shows_them(worker):
    from datetime import datetime

    from gongzhi.org import factories as f

    id_number = f.fake_id_number(7)
    born = datetime(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    row = person(
        0, 室号=301, 手机号=13812345678, 出生日期=born, 身份证号=id_number, **{"建筑面积(㎡)": 70.25}
    )
    report = import_ledger(actor=worker, uploaded_file=xlsx_file([row]))
    assert report.ok, report.errors
    resident = Resident.objects.get()
    assert (resident.household.room, resident.phone, resident.birth_date) == (
        "301",
        "13812345678",
        born.date(),
    )
    assert str(resident.household.floor_area) == "70.25"
