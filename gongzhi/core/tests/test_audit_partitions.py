"""The audit trail partitioned by month on PostgreSQL (migration 0011, core/audit_partitions.py):
rows land in their month, the chain verifies across months, every partition stays append-only,
new months are made ahead (moving rows DEFAULT caught) and a populated table migrates intact."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.audit_partitions import (
    DEFAULT,
    ensure_partitions,
    is_partitioned,
    month_start,
    next_month,
    partition_name,
    partitions,
)
from gongzhi.core.models import AuditRecord
from gongzhi.core.testing import run_together
from gongzhi.core.tests.test_audit_archive import _clock
from gongzhi.core.tests.test_audit_chain import _without_triggers
from gongzhi.core.tests.test_backup import empty_installation, gongzhi  # noqa: F401  (fixture)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioning is PostgreSQL's; SQLite keeps a plain table"
)
# A month long past, far from the months the migration and other tests make.
FAR = datetime.datetime(1999, 6, 15, 12, tzinfo=datetime.UTC)


def _month_before(start: datetime.datetime, n: int) -> datetime.datetime:
    for _ in range(n):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start


def _written_at(moment: datetime.datetime, summary: str = "") -> AuditRecord:
    with _clock(moment):
        return audit.record("update", summary=summary or f"written {moment:%Y-%m-%d}")


def _home_of(record_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_auditrecord WHERE id = %s", [record_id])
        return cursor.fetchone()[0]


def _without_purge_permission():
    """The suite's connection may purge (conftest: the flush); not inside this transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gongzhi.audit_purge = 'off'")


def _three_months() -> list[datetime.datetime]:
    """Mid-month moments of this month and the two before it, their partitions made."""
    this = month_start(timezone.now())
    starts = [this, _month_before(this, 1), _month_before(this, 2)]
    ensure_partitions(0, months=starts)
    return [start + datetime.timedelta(days=14, hours=5) for start in starts]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's plain table")
@pytest.mark.django_db
def test_on_sqlite_there_is_nothing_to_do():
    assert not is_partitioned() and ensure_partitions() == [] and partitions() == []
    out = StringIO()
    call_command("audit", "partitions", stdout=out)
    assert "nothing to do" in out.getvalue()


@postgresql_only
@pytest.mark.django_db
def test_records_land_in_the_partition_of_their_month_and_far_ones_in_default():
    moments = _three_months()
    made = [_written_at(moment) for moment in moments] + [_written_at(FAR)]
    homes = [_home_of(r.pk) for r in made]
    assert homes == [partition_name(month_start(m)) for m in moments] + [DEFAULT]
    assert len(set(homes)) == 4
    assert audit.verify_chain().intact


@postgresql_only
@pytest.mark.django_db
def test_an_edit_inside_one_partition_is_found():
    moments = _three_months()
    made = [_written_at(moment) for moment in moments for _ in range(2)]
    target = made[3]
    _without_triggers(
        f"UPDATE {partition_name(month_start(moments[1]))} SET summary = %s WHERE id = %s",
        ["改过", target.pk],
    )
    report = audit.verify_chain()
    assert report.broken_at == target.pk and report.checked >= 3


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {p} SET summary = 'x'", "DELETE FROM {p}", "TRUNCATE {p}", "TRUNCATE {d}"],
)
def test_a_single_partition_refuses_change(statement):
    moments = _three_months()
    made = _written_at(moments[0])
    _written_at(FAR)
    sql = statement.format(p=partition_name(month_start(moments[0])), d=DEFAULT)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _without_purge_permission()
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditRecord.objects.get(pk=made.pk).summary == made.summary
    assert AuditRecord.objects.filter(at=FAR).exists()


@postgresql_only
@pytest.mark.django_db
def test_the_purge_permission_lifts_a_partitions_truncate_as_the_flush_needs():
    moments = _three_months()
    _written_at(moments[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('gongzhi.audit_purge', true)")
        assert cursor.fetchone()[0] == "on"  # the suite's connection (conftest)
        cursor.execute(f"TRUNCATE {partition_name(month_start(moments[0]))}")
    assert not AuditRecord.objects.filter(at=moments[0]).exists()


@postgresql_only
@pytest.mark.django_db
def test_ensure_partitions_makes_the_months_ahead_once():
    now = timezone.now()
    ahead = month_start(now)
    for _ in range(6):
        ahead = next_month(ahead)
    created = ensure_partitions(6, now=now)
    assert partition_name(ahead) in created
    assert ensure_partitions(6, now=now) == []
    names = {p.name for p in partitions()}
    start = month_start(now)
    for _ in range(7):
        assert partition_name(start) in names
        start = next_month(start)
    out = StringIO()
    call_command("audit", "partitions", "--months-ahead", "6", stdout=out)
    assert "0 created" in out.getvalue() and partition_name(ahead) in out.getvalue()


@postgresql_only
@pytest.mark.django_db
def test_a_new_month_takes_its_rows_from_default_with_ids_and_chain_intact():
    month = month_start(FAR)
    made = [_written_at(FAR + datetime.timedelta(hours=h)) for h in range(3)]
    outside = _written_at(FAR + datetime.timedelta(days=40))  # the month after: stays in DEFAULT
    made.append(_written_at(timezone.now()))
    before = {r.pk: (r.hash, r.at) for r in made}
    assert {_home_of(r.pk) for r in made[:3]} == {DEFAULT}

    assert ensure_partitions(0, months=[FAR]) == [partition_name(month)]
    assert {_home_of(r.pk) for r in made[:3]} == {partition_name(month)}
    assert _home_of(outside.pk) == DEFAULT
    after = {r.pk: (r.hash, r.at) for r in AuditRecord.objects.filter(pk__in=before)}
    assert after == before
    rows = {p.name: p.rows for p in partitions()}
    assert rows[partition_name(month)] == 3 and rows[DEFAULT] == 1
    assert audit.verify_chain().intact
    # The moving lifted the purge permission for itself only: the partition is append-only again.
    with pytest.raises(DatabaseError), transaction.atomic():
        _without_purge_permission()
        AuditRecord.objects.filter(pk=made[0].pk).delete()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_both_succeed_and_make_each_month_once():
    months = [FAR.replace(year=1998, month=m) for m in (1, 2, 3)]
    stranded = _written_at(months[1])
    try:
        outcomes = run_together(
            lambda: ensure_partitions(0, months=months), lambda: ensure_partitions(0, months=months)
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(outcomes[0] + outcomes[1]) == [partition_name(month_start(m)) for m in months]
        assert _home_of(stranded.pk) == partition_name(month_start(months[1]))
        assert audit.verify_chain().intact
    finally:
        with connection.cursor() as cursor:
            for m in months:
                cursor.execute(f"DROP TABLE IF EXISTS {partition_name(month_start(m))}")


def _rows() -> list[tuple]:
    return list(AuditRecord.objects.order_by("id").values_list("id", "at", "hash", "prev_hash", "chain"))


def _relkind() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = 'core_auditrecord'::regclass")
        return cursor.fetchone()[0]


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("core", target)])


@postgresql_only
@pytest.mark.django_db
def test_migrating_a_populated_trail_keeps_every_row_and_the_chain():
    moments = _three_months()
    for moment in [*moments, FAR, FAR]:
        _written_at(moment)
    before = _rows()

    _migrate("0010_merge_worker_heartbeat_and_audit_verification")
    assert _relkind() == "r" and _rows() == before
    plain = _written_at(timezone.now(), "while plain")
    assert plain.pk > before[-1][0]

    _migrate("0011_audit_partitions")
    assert _relkind() == "p" and _rows() == [*before, _rows()[-1]] and _rows()[-1][0] == plain.pk
    assert _home_of(before[-1][0]) == partition_name(month_start(FAR))  # DEFAULT's rows got a month
    assert {p.name: p.rows for p in partitions()}[DEFAULT] == 0
    after = _written_at(timezone.now(), "partitioned")
    assert after.pk == plain.pk + 1
    assert audit.verify_chain().intact
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'core_auditrecord' ORDER BY indexname"
        )
        indexes = [name for (name,) in cursor.fetchall()]
    assert "core_auditrecord_pkey" in indexes and len(indexes) == 4
    assert any(name.startswith("core_auditrecord_at_") for name in indexes)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_partitioned_trail_survives_backup_and_restore(tmp_path, empty_installation):  # noqa: F811
    from gongzhi.core.backup import create_backup

    made = [_written_at(FAR), _written_at(timezone.now())]
    ensure_partitions(0, months=[FAR])
    backup = tmp_path / "gongzhi.backup"
    create_backup(backup)
    try:
        restored = gongzhi("restore", "--from", str(backup), env=empty_installation)
        assert restored.returncode == 0, restored.stderr
        script = (
            "import json; from gongzhi.core import audit, audit_partitions as ap; "
            "print(json.dumps([audit.verify_chain().checked, "
            "{p.name: p.rows for p in ap.partitions()}]))"
        )
        shown = gongzhi("shell", "-c", script, env=empty_installation)
        assert shown.returncode == 0, shown.stderr
        checked, rows = json.loads(shown.stdout.strip().splitlines()[-1])
        assert checked == len(made)
        assert rows[partition_name(month_start(FAR))] == 1 and rows[DEFAULT] == 0
        assert rows[partition_name(month_start(timezone.now()))] == 1
        # The restored partitions refuse a TRUNCATE of their own.
        truncate = (
            "from django.db import connection\n"
            f"connection.cursor().execute('TRUNCATE {partition_name(month_start(FAR))}')"
        )
        refused = gongzhi("shell", "-c", truncate, env=empty_installation)
        assert refused.returncode != 0 and "append-only" in refused.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {partition_name(month_start(FAR))}")
