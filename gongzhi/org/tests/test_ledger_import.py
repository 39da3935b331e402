"""Importing household ledgers: counts, idempotence, all-or-nothing errors, scope, encryption."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from gongzhi.core import pii
from gongzhi.core.models import AuditRecord
from gongzhi.core.permissions import scoped
from gongzhi.org import factories as f
from gongzhi.org.ledger import import_ledger
from gongzhi.org.models import Building, Compound, Household, Resident, ResidentTag, Stairwell
from gongzhi.org.tests.fixtures.ledger_files import csv_file, make_area, person, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return make_area()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Compound, Building, Stairwell, Household, Resident, ResidentTag))


def test_clean_file_imports_households_and_residents(area):
    rows = [person(n) for n in range(6)]
    rows[0]["特殊标签"] = "独居老人、困难家庭"
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert report.ok, report.errors
    assert (report.households.created, report.residents.created) == (3, 6)
    assert Household.objects.filter(neighborhood=area.neighborhood).count() == 3
    resident = Resident.objects.get(name="居民0")
    assert resident.id_number == rows[0]["身份证号"]
    assert resident.household.stairwell.name == "1单元"
    assert resident.household.micro_grid == area.grid  # inherited from the building
    assert set(resident.tags.values_list("tag", flat=True)) == {"elderly_alone", "hardship"}
    assert resident.gender in ("M", "F") and resident.birth_date is not None  # taken from the ID number


def test_one_audit_record_per_import_with_counts(area):
    before = AuditRecord.objects.count()
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([person(n) for n in range(4)]))
    record = AuditRecord.objects.get(action="import")
    assert AuditRecord.objects.count() == before + 1
    assert record.changes["residents"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert record.neighborhood_id == area.neighborhood.pk


def test_id_numbers_and_phones_are_encrypted_at_rest(area):
    row = person(0)
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_digest FROM org_resident")
        raw_id, raw_phone, digest = cursor.fetchone()
    assert row["身份证号"] not in raw_id and row["身份证号"][-8:] not in raw_id
    assert row["手机号"] not in raw_phone
    assert raw_id.startswith(pii.current_header() + ":") and digest


def test_reimporting_the_same_file_creates_nothing(area):
    rows = [person(n) for n in range(6)]
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    before = counts()
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert report.ok, report.errors
    assert report.created == 0 and report.updated == 0
    assert (report.households.unchanged, report.residents.unchanged) == (3, 6)
    assert counts() == before


def test_reimport_updates_changed_cells_in_place(area):
    rows = [person(n) for n in range(2)]
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    rows[0]["手机号"] = "13912345678"
    rows[1]["建筑面积(㎡)"] = "70"
    rows[0]["建筑面积(㎡)"] = "70"
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert report.ok, report.errors
    assert (report.households.updated, report.residents.updated, report.residents.unchanged) == (1, 1, 1)
    assert Resident.objects.get(name="居民0").phone == "13912345678"
    assert str(Household.objects.get().floor_area) == "70.00"


def test_residents_without_id_number_match_by_household_and_name(area):
    rows = [person(n, 身份证号="") for n in range(2)]
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert report.residents.created == 0 and Resident.objects.count() == 2


def test_existing_resident_is_matched_by_id_number(area):
    household = f.HouseholdFactory(building=area.building, room="101")
    resident = f.ResidentFactory(household=household, name="老名字")
    row = person(0, 姓名="新名字", 身份证号=resident.id_number, 室号="101")
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    assert report.ok, report.errors
    assert report.residents.updated == 1 and Resident.objects.count() == 1
    resident.refresh_from_db()
    assert resident.name == "新名字"


def test_every_bad_row_is_reported_and_nothing_is_written(area):
    rows = [person(n) for n in range(5)]
    rows[1]["身份证号"] = rows[1]["身份证号"][:17] + ("0" if rows[1]["身份证号"][17] != "0" else "1")
    rows[2]["手机号"] = "12345"
    rows[3]["建筑面积(㎡)"] = "六十"
    rows[4]["小区"] = ""
    rows.append(person(9, 身份证号=rows[0]["身份证号"]))
    rows.append(person(10, 居民区="不存在居民区"))
    before, audits = counts(), AuditRecord.objects.count()
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "身份证号"),
        (4, "手机号"),
        (5, "建筑面积(㎡)"),
        (6, "小区"),
        (7, "身份证号"),
        (8, "居民区"),
    } <= found
    assert all(e.reason for e in report.errors)
    assert counts() == before and AuditRecord.objects.count() == audits
    assert report.created == 0


def test_a_bad_row_late_in_the_file_blocks_every_row(area):
    rows = [person(n) for n in range(20)] + [person(99, 性别="X")]
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert [(e.row, e.column) for e in report.errors] == [(22, "性别")]
    assert Resident.objects.count() == 0


def test_gender_and_birth_date_must_agree_with_id_number(area):
    row = person(0, 出生日期="1900-01-01")
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "出生日期")]


def test_id_number_stored_as_excel_number_is_reported(area):
    row = person(0, 身份证号=3.10113199001011e17)
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]


def test_row_in_another_neighborhood_is_refused(area):
    rows = [person(0), person(2, 居民区="杨泰二村", 小区="二村小区")]
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file(rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "居民区")]
    assert Resident.objects.count() == 0 and not Compound.objects.filter(name="二村小区").exists()


def test_resident_registered_elsewhere_is_refused(area):
    stranger = f.ResidentFactory(household=f.HouseholdFactory())
    report = import_ledger(
        actor=area.users["social_worker"], uploaded_file=xlsx_file([person(0, 身份证号=stranger.id_number)])
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]
    stranger.refresh_from_db()
    assert stranger.household.neighborhood != area.neighborhood


def test_subdistrict_admin_imports_into_any_neighborhood_of_the_subdistrict(area):
    rows = [person(0), person(2, 居民区="NB-B", 小区="二村小区")]
    report = import_ledger(actor=area.users["subdistrict_admin"], uploaded_file=xlsx_file(rows))
    assert report.ok, report.errors
    assert Household.objects.filter(neighborhood=area.other).count() == 1
    assert report.places_created == 3  # 杨泰小区 existed; 二村小区, its 1号楼 and 1单元 are new


def test_grid_worker_updates_own_grid_but_cannot_add_buildings(area):
    ok = import_ledger(actor=area.users["grid_worker"], uploaded_file=xlsx_file([person(0)]))
    assert ok.ok, ok.errors
    bad = import_ledger(actor=area.users["grid_worker"], uploaded_file=xlsx_file([person(2, 楼栋="9号楼")]))
    assert [(e.row, e.column) for e in bad.errors] == [(2, "楼栋")]


@pytest.mark.parametrize("role", ["stairwell_chief", "volunteer_team_chief"])
def test_roles_without_write_scope_are_refused(area, role):
    with pytest.raises(PermissionDenied):
        import_ledger(actor=area.users[role], uploaded_file=xlsx_file([person(0)]))
    assert Resident.objects.count() == 0


def test_gb18030_csv_imports(area):
    report = import_ledger(
        actor=area.users["social_worker"], uploaded_file=csv_file([person(n) for n in range(3)], "gb18030")
    )
    assert report.ok, report.errors
    assert Resident.objects.filter(name="居民2", household__building__compound__name="杨泰小区").exists()


def test_utf8_csv_with_bom_imports(area):
    report = import_ledger(
        actor=area.users["social_worker"], uploaded_file=csv_file([person(0)], "utf-8-sig")
    )
    assert report.ok, report.errors


def test_household_only_row_makes_an_empty_household(area):
    row = {"居民区": "杨泰一村", "小区": "杨泰小区", "楼栋": "1号楼", "室号": "909"}
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    assert report.ok, report.errors
    assert Household.objects.get(room="909").residents.count() == 0


def test_tags_are_replaced_and_cleared_with_wu(area):
    row = person(0, 特殊标签="独居老人")
    import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    row["特殊标签"] = "无"
    report = import_ledger(actor=area.users["social_worker"], uploaded_file=xlsx_file([row]))
    assert report.residents.updated == 1 and ResidentTag.objects.count() == 0


def test_a_new_stairwell_starts_in_its_building_grid(area):
    """Scopes follow the stairwell's own grid (a split building's stairwells differ), so a stairwell
    the ledger adds must carry its building's grid, or the grid's staff would not see it."""
    report = import_ledger(
        actor=area.users["social_worker"], uploaded_file=xlsx_file([person(0, 单元="3单元")])
    )
    assert report.ok, report.errors
    added = Stairwell.objects.get(building=area.building, name="3单元")
    assert added.micro_grid == area.grid
    assert scoped(area.users["grid_worker"], Stairwell.objects.filter(pk=added.pk)).exists()
