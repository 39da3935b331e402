"""Exporting ledgers: only the actor's area, masked numbers, audited, and they re-import cleanly."""

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.org import factories as f
from gongzhi.org.ledger import HEADERS, export_households_xlsx, import_ledger
from gongzhi.org.models import Household, Resident
from gongzhi.org.tests.fixtures.ledger_files import HEADER, as_upload, make_area, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    area = make_area()
    household = f.HouseholdFactory(building=area.building, room="101")
    area.mine = f.ResidentFactory(household=household, name="本区居民")
    area.mine.tags.create(tag="elderly_alone")
    f.ResidentFactory(household=household, name="本区居民二", is_owner=False)
    f.HouseholdFactory(building=area.building, room="102")  # empty household
    other = f.BuildingFactory(compound=f.CompoundFactory(neighborhood=area.other))
    area.theirs = f.ResidentFactory(household=f.HouseholdFactory(building=other), name="外区居民")
    return area


def exported(actor, **kwargs) -> list[dict]:
    rows = sheet_rows(export_households_xlsx(actor=actor, **kwargs))
    header = [h.rstrip("*") for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_export_has_the_import_layout(area):
    rows = sheet_rows(export_households_xlsx(actor=area.users["neighborhood_secretary"]))
    assert [h.rstrip("*") for h in rows[0]] == HEADER


def test_export_holds_only_the_actors_area_with_masked_numbers(area):
    rows = exported(area.users["neighborhood_secretary"])
    names = {r["姓名"] for r in rows}
    assert names == {"本区居民", "本区居民二", None}  # None: the empty household's row
    mine = next(r for r in rows if r["姓名"] == "本区居民")
    assert mine["身份证号"] == area.mine.id_number[:4] + "*" * 10 + area.mine.id_number[-4:]
    assert mine["手机号"] == area.mine.phone[:3] + "****" + area.mine.phone[-4:]
    assert mine["特殊标签"] == "独居老人"
    assert area.mine.id_number not in str(rows)


def test_subdistrict_admin_exports_one_neighborhood_on_request(area):
    admin = area.users["subdistrict_admin"]
    assert {r["姓名"] for r in exported(admin)} >= {"本区居民", "外区居民"}
    assert {r["居民区"] for r in exported(admin, neighborhood=area.other)} == {"杨泰二村"}


def test_export_of_a_neighborhood_outside_the_area_is_refused(area):
    with pytest.raises(NotInScope):
        export_households_xlsx(actor=area.users["neighborhood_secretary"], neighborhood=area.other)


def test_every_export_is_audited(area):
    export_households_xlsx(actor=area.users["neighborhood_secretary"])
    record = AuditRecord.objects.get(action="export")
    assert record.changes["households"] == 2 and record.changes["residents"] == 2
    assert record.neighborhood_id == area.neighborhood.pk


@pytest.mark.parametrize("role", ["social_worker", "grid_worker", "stairwell_chief", "volunteer_team_chief"])
def test_roles_without_export_are_refused(area, role):
    with pytest.raises(PermissionDenied):
        export_households_xlsx(actor=area.users[role])
    assert not AuditRecord.objects.filter(action="export").exists()


def test_exported_file_reimports_with_nothing_created(area):
    content = export_households_xlsx(actor=area.users["neighborhood_secretary"])
    before = (Household.objects.count(), Resident.objects.count())
    report = import_ledger(actor=area.users["neighborhood_secretary"], uploaded_file=as_upload(content))
    assert report.ok, report.errors
    assert report.created == 0 and report.updated == 0
    assert (report.households.unchanged, report.residents.unchanged) == (2, 2)
    assert (Household.objects.count(), Resident.objects.count()) == before
    area.mine.refresh_from_db()
    assert area.mine.id_number and area.mine.tags.count() == 1  # masked cells left the numbers alone


def test_masked_number_that_does_not_match_the_resident_is_reported(area):
    rows = exported(area.users["neighborhood_secretary"])
    mine = next(r for r in rows if r["姓名"] == "本区居民")
    mine["身份证号"] = "9999" + mine["身份证号"][4:]
    from gongzhi.org.tests.fixtures.ledger_files import xlsx_file

    report = import_ledger(actor=area.users["neighborhood_secretary"], uploaded_file=xlsx_file(rows))
    assert [(e.column, e.row) for e in report.errors] == [(HEADERS["id_number"], rows.index(mine) + 2)]


def test_masked_number_for_a_new_resident_is_reported(area):
    from gongzhi.org.tests.fixtures.ledger_files import person, xlsx_file

    row = person(0, 室号="101", 身份证号="3101**********1234")
    report = import_ledger(actor=area.users["neighborhood_secretary"], uploaded_file=xlsx_file([row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]
