"""The downloadable ledger template: its sheets, its example row, and that it imports."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.org.ledger import import_ledger, ledger_template_xlsx
from gongzhi.org.models import Resident
from gongzhi.org.tests.fixtures.ledger_files import HEADER, as_upload, make_area, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return make_area()


def test_template_has_header_example_help_and_dropdowns(area):
    content = ledger_template_xlsx(actor=area.users["social_worker"])
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["台账", "说明", "居民区"]
    rows = sheet_rows(content)
    assert [h.rstrip("*") for h in rows[0]] == HEADER
    assert rows[1][0] == "杨泰一村" and len(rows) == 2
    help_text = str(sheet_rows(content, "说明"))
    assert all(h in help_text for h in HEADER) and "不修改" in help_text
    assert sheet_rows(content, "居民区")[1] == ["杨泰一村", "NB-A"]
    ranges = {str(v.sqref).split(":")[0] for v in book["台账"].data_validations.dataValidation}
    assert {"A2", "H2", "L2"} <= ranges  # neighborhood, gender, owner


def test_template_round_trips_through_the_importer(area):
    content = ledger_template_xlsx(actor=area.users["social_worker"])
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=as_upload(content))
    assert report.ok, report.errors
    assert report.residents.created == 1
    assert Resident.objects.get().household.building.compound.name == "示例小区"
    again = import_ledger(actor=area.users["social_worker"], uploaded_file=as_upload(content))
    assert again.created == 0 and again.residents.unchanged == 1
