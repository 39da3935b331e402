"""The monthly figures import: all or nothing, every error naming its row, each source its own columns."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.property.figures_import import import_figures
from gongzhi.property.models import MonthlyFigures
from gongzhi.property.testing import compound_a


def _xlsx(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("figures.xlsx", out.getvalue())


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("figures.csv", text.encode("utf-8"))


def test_the_companys_workbook_fills_the_fee_columns(world):
    name = compound_a(world).name
    rows = [
        ["小区", "月份", "应收物业费", "实收物业费"],
        [name, "2026-01", 1000, 950.5],
        [name, date(2026, 2, 1), 1000, 1000],
    ]
    assert import_figures(actor=world.users["property_staff"], uploaded_file=_xlsx(rows)) == 2
    january = MonthlyFigures.objects.get(month=date(2026, 1, 1))
    assert (january.fee_billed, january.fee_collected) == (Decimal("1000.00"), Decimal("950.50"))


def test_the_police_stations_columns_keep_the_fee_already_there(world):
    name = compound_a(world).name
    import_figures(
        actor=world.users["property_staff"], uploaded_file=_csv(f"小区,月份,应收物业费\n{name},2026-03,800\n")
    )
    import_figures(
        actor=world.users["social_worker"],
        uploaded_file=_csv(f"小区,月份,入室盗窃,火灾\n{name},2026-03,2,0\n"),
    )
    march = MonthlyFigures.objects.get()
    assert (march.fee_billed, march.burglaries) == (Decimal("800.00"), 2)


def test_one_bad_row_imports_nothing_and_each_error_names_its_row(world):
    name = compound_a(world).name
    text = f"小区,月份,应收物业费,实收物业费\n{name},2026-01,100,90\n{name},2026-13,100,90\n无此小区,2026-02,1,1\n{name},2026-03,100,abc\n{name},2026-01,5,5\n"
    with pytest.raises(ValidationError) as caught:
        import_figures(actor=world.users["subdistrict_admin"], uploaded_file=_csv(text))
    messages = " ".join(caught.value.messages)
    for row in ("第 3 行", "第 4 行", "第 5 行，实收物业费", "第 6 行"):
        assert row in messages
    assert not MonthlyFigures.objects.exists()


def test_more_collected_than_billed_names_the_row_and_writes_nothing(world):
    name = compound_a(world).name
    text = f"小区,月份,应收物业费,实收物业费\n{name},2026-01,100,90\n{name},2026-02,100,101\n"
    with pytest.raises(ValidationError) as caught:
        import_figures(actor=world.users["subdistrict_admin"], uploaded_file=_csv(text))
    assert "第 3 行" in caught.value.messages[0]
    assert not MonthlyFigures.objects.exists()


def test_a_compound_outside_the_companys_own_is_unknown(world):
    other = world.household_a2.building.compound.name
    with pytest.raises(ValidationError) as caught:
        import_figures(
            actor=world.users["property_staff"], uploaded_file=_csv(f"小区,月份,火灾\n{other},2026-01,1\n")
        )
    assert "第 2 行" in caught.value.messages[0]


def test_roles_that_enter_no_figures_are_refused(world):
    with pytest.raises(PermissionDenied):
        import_figures(actor=world.users["owners_committee_member"], uploaded_file=_csv("小区,月份,火灾\n"))


def test_a_header_without_figures_is_refused_at_row_1(world):
    with pytest.raises(ValidationError) as caught:
        import_figures(actor=world.users["subdistrict_admin"], uploaded_file=_csv("小区,月份\nx,2026-01\n"))
    assert "第 1 行" in caught.value.messages[0]
