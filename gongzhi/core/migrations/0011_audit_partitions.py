"""The audit trail becomes a table partitioned by month on PostgreSQL (core/audit_partitions.py).

PostgreSQL cannot partition a table in place: the rows are copied into a new partitioned table of
the same name, ids kept (the chain is by id), the identity restarted after the old sequence, the
primary key widened to (id, at) (a partitioned table's keys must hold the partition key; Django
still treats id as the primary key), every other index recreated under its old name and the
append-only triggers put back. SQLite keeps its plain table: nothing happens there.
"""

from django.conf import settings
from django.db import migrations

from gongzhi.core import audit_partitions
from gongzhi.core.migrations import _append_only

TABLE = audit_partitions.TABLE
OLD = f"{TABLE}_unpartitioned"


def partition(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or audit_partitions.is_partitioned(connection):
        return
    with connection.cursor() as cursor:
        _rebuild(cursor, partitioned=True)
    audit_partitions.ensure_partitions(connection=connection)


def unpartition(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not audit_partitions.is_partitioned(connection):
        return
    with connection.cursor() as cursor:
        _rebuild(cursor, partitioned=False)


def _rebuild(cursor, *, partitioned: bool) -> None:
    """Copy the table into a new one of the same name, partitioned by month or plain."""
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    indexes = _indexes(cursor)
    next_id = _next_id(cursor)
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
        f"INCLUDING STORAGE INCLUDING COMMENTS)" + (" PARTITION BY RANGE (at)" if partitioned else "")
    )
    if partitioned:
        cursor.execute(f"CREATE TABLE {audit_partitions.DEFAULT} PARTITION OF {TABLE} DEFAULT")
        audit_partitions.add_truncate_trigger(cursor, audit_partitions.DEFAULT)
        # Every month that holds rows gets its partition before the copy, so DEFAULT stays empty.
        cursor.execute(f"SELECT DISTINCT date_trunc('month', at, %s) FROM {OLD}", [settings.TIME_ZONE])  # noqa: S608
        for (moment,) in cursor.fetchall():
            audit_partitions.create_month(cursor, audit_partitions.month_start(moment))
    cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")  # noqa: S608
    cursor.execute(f"DROP TABLE {OLD}")  # its indexes, sequence and triggers go with it
    key = "id, at" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cursor.fetchone()[0]
    if not sequence.endswith(f".{TABLE}_id_seq"):
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id RESTART WITH {int(next_id)}")
    for sql in _append_only.POSTGRESQL:
        cursor.execute(sql)
    # Autovacuum never analyses a partitioned parent; the planner needs its statistics now.
    cursor.execute(f"ANALYZE {TABLE}")


def _indexes(cursor) -> list[str]:
    """The table's indexes but its primary key, as CREATE statements under their own names (later
    Django migrations find them by name). A partitioned parent's read "ON ONLY": built here on
    the new table as a whole, partitions included."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
        "AND indexname <> %s ORDER BY indexname",
        [TABLE, f"{TABLE}_pkey"],
    )
    return [definition.replace(" ON ONLY ", " ON ") for (definition,) in cursor.fetchall()]


def _next_id(cursor) -> int:
    """After the highest id ever handed out, not only the highest kept: archived ids never return."""
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")  # noqa: S608
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")  # noqa: S608
    last, called = cursor.fetchone()
    return max(highest, last if called else last - 1) + 1


class Migration(migrations.Migration):
    # One transaction: the copy, the swap and the triggers commit together or not at all.
    atomic = True
    dependencies = [("core", "0010_merge_worker_heartbeat_and_audit_verification")]
    operations = [migrations.RunPython(partition, unpartition)]
