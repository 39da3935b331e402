"""Loading the demo town: right shape in the database, sealed personal data, once only."""

from functools import cache

import pytest
from django.db import connection
from django.db.models import Count, F

from gongzhi.core import pii
from gongzhi.core.models import AuditRecord
from gongzhi.grids.models import MicroGrid
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Building, Household, PartyMember, Resident, Stairwell, Subdistrict

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=3000, seed=11)


@pytest.fixture
def loaded():
    return loader.load_town(small_town(), progress=None)


def test_loaded_town_has_every_record_the_generator_made(loaded):
    town = small_town()
    assert loaded.loaded
    assert Household.objects.count() == len(town.households)
    assert Resident.objects.count() == len(town.residents)
    assert Building.objects.count() == len(town.buildings)
    assert MicroGrid.objects.count() == len(town.grids)
    assert PartyMember.objects.count() == len(town.party_members)


def test_every_household_lies_in_a_building_of_its_own_neighborhood_and_grid(loaded):
    assert not Household.objects.exclude(neighborhood=F("building__neighborhood")).exists()
    assert not Household.objects.exclude(micro_grid=F("building__micro_grid")).exists()
    assert not Building.objects.exclude(neighborhood=F("compound__neighborhood")).exists()
    assert not Stairwell.objects.exclude(micro_grid=F("building__micro_grid")).exists()


def test_every_building_is_in_exactly_one_micro_grid_of_its_neighborhood(loaded):
    assert not Building.objects.filter(micro_grid__isnull=True).exists()
    assert not Building.objects.exclude(micro_grid__level=MicroGrid.Level.MICRO).exists()
    assert not Building.objects.exclude(micro_grid__neighborhood=F("neighborhood")).exists()


def test_id_numbers_decrypt_validate_and_are_found_by_their_digest(loaded):
    residents = list(Resident.objects.order_by("?")[:200])
    for r in residents:
        assert pii.validate_id_number(r.id_number) == r.id_number
        assert r.id_number_digest == pii.blind_index("id", r.id_number)
        assert r.phone_digest == (pii.blind_index("phone", r.phone) if r.phone else "")
    probe = residents[0]
    assert Resident.objects.get(id_number_digest=pii.blind_index("id", probe.id_number)) == probe
    duplicates = Resident.objects.values("id_number_digest").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()


def test_the_raw_resident_row_holds_no_plaintext_id_number_or_phone(loaded):
    resident = Resident.objects.exclude(phone="").first()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Resident._meta.db_table} WHERE id = %s", [resident.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert resident.id_number not in raw and resident.phone not in raw
    assert resident.id_number[6:14] not in raw  # not even the birth-date part


def test_a_second_load_changes_nothing_and_says_so(loaded):
    counts = _row_counts()
    again = loader.load_town(small_town(), progress=None)
    assert not again.loaded
    assert again.subdistrict == loaded.subdistrict
    assert _row_counts() == counts


def test_the_load_leaves_one_audit_record_for_the_whole_town(loaded):
    imports = AuditRecord.objects.filter(action="import", subdistrict_id=loaded.subdistrict.pk)
    assert imports.count() == 1
    assert "3" in imports.get().summary


def test_a_failed_load_leaves_no_half_town(monkeypatch):
    def broken(w, town):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(loader, "_organisations", broken)
    with pytest.raises(RuntimeError):
        loader.load_town(small_town(), progress=None)
    assert not Subdistrict.objects.filter(code=small_town().code).exists()
    assert not Household.objects.exists() and not Resident.objects.exists()


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_the_big_town_path_seals_in_workers_and_rebuilds_the_indexes(monkeypatch):
    """Big towns are sealed by forked workers and written with indexes rebuilt after."""
    monkeypatch.setattr(loader, "PARALLEL_FROM", 0)
    monkeypatch.setattr(loader, "SEAL_CHUNK", 2_000)
    monkeypatch.setattr(loader, "INDEX_REBUILD_FROM", 0)
    before = _index_names(Resident)
    loader.load_town(small_town(), progress=None)
    assert _index_names(Resident) == before
    resident = Resident.objects.order_by("-pk").first()
    assert resident.id_number_digest == pii.blind_index("id", resident.id_number)
    assert Resident.objects.count() == len(small_town().residents)


def _index_names(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, c in constraints.items() if c["index"]}


@pytest.mark.django_db(transaction=True)
def test_a_reader_on_another_connection_does_not_stop_the_load_on_sqlite():
    # A live server thread answering a request holds a read lock at the moment the load starts:
    # SQLite then refuses the switch to a rollback journal ("database is locked"); the load goes
    # on in WAL instead of failing.
    if connection.vendor != "sqlite":
        pytest.skip("the journal switch is SQLite's")
    import sqlite3

    connection.ensure_connection()
    reader = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM org_subdistrict").fetchone()
        result = loader.load_town(generate_town(households=500, seed=11), progress=None)
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.loaded and Household.objects.count() == result.counts["households"]
