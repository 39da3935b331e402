"""Monthly partitions of the audit trail on PostgreSQL (core_auditrecord, PARTITION BY RANGE (at)).

Migration 0011 makes the table partitioned; `ensure_partitions` (daily: `gongzhi audit partitions`)
keeps the current month and the next few ready, so inserts land in a month of their own. Months are
calendar months in the installation's time zone, so a month of the audit page reads one partition.
A row outside every month lands in core_auditrecord_default instead of failing the insert; when its
month is created later, the rows move into it, ids and hashes unchanged (the chain is by id).
SQLite keeps a plain table: there is nothing to do there.
"""

import datetime
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction

TABLE = "core_auditrecord"
DEFAULT = f"{TABLE}_default"
# One lock key for "someone is creating audit partitions": two runs at once queue, never collide.
LOCK_KEY = zlib.crc32(b"gongzhi.audit_partitions")
TRUNCATE_TRIGGER = f"{TABLE}_no_truncate"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime.datetime | None  # None for the DEFAULT partition
    end: datetime.datetime | None
    rows: int


def month_start(moment: datetime.datetime) -> datetime.datetime:
    """The first instant of the moment's calendar month, in the installation's time zone."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return datetime.datetime(local.year, local.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def next_month(start: datetime.datetime) -> datetime.datetime:
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def partition_name(start: datetime.datetime) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def is_partitioned(connection=default_connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def ensure_partitions(
    months_ahead: int = 3, *, months=(), now: datetime.datetime | None = None, connection=default_connection
) -> list[str]:
    """Create the current month's partition and the next `months_ahead` (and any month in `months`,
    given as a moment inside it), each with its truncate trigger; return the names created.
    Idempotent; concurrent runs serialise on a transaction-level advisory lock."""
    if not is_partitioned(connection):
        return []
    from django.utils import timezone

    first = month_start(now or timezone.now())
    wanted = {first}
    for _ in range(months_ahead):
        first = next_month(first)
        wanted.add(first)
    wanted |= {month_start(m) for m in months}
    created = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        existing = _partition_names(cursor)  # read after the lock: sees what a run before us made
        for start in sorted(wanted):
            if partition_name(start) not in existing:
                create_month(cursor, start)
                created.append(partition_name(start))
    return created


def _partition_names(cursor) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return {name for (name,) in cursor.fetchall()}


def create_month(cursor, start: datetime.datetime) -> None:
    """Create one month. PostgreSQL refuses a partition whose range has rows in DEFAULT, so those
    rows are set aside, removed from DEFAULT (with the purge permission, this transaction only),
    and written back through the parent once their month exists: same ids, same hashes."""
    name, end = partition_name(start), next_month(start)
    bounds = [start.isoformat(), end.isoformat()]
    # Creating a partition needs this lock anyway; taken first, no row can reach DEFAULT between
    # the count and the CREATE (inserts wait a moment, once a month).
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT count(*) FROM {DEFAULT} WHERE at >= %s AND at < %s", bounds)  # noqa: S608
    stranded = cursor.fetchone()[0]
    if stranded:
        # Lifted for this transaction only; put back as it was (the suite's flush keeps it on).
        cursor.execute("SELECT current_setting('gongzhi.audit_purge', true)")
        previous = cursor.fetchone()[0] or "off"
        cursor.execute("SELECT set_config('gongzhi.audit_purge', 'on', true)")
        cursor.execute(
            f"CREATE TEMP TABLE audit_partition_move ON COMMIT DROP AS "  # noqa: S608
            f"SELECT * FROM {DEFAULT} WHERE at >= %s AND at < %s",
            bounds,
        )
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE at >= %s AND at < %s", bounds)  # noqa: S608
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{bounds[0]}') TO ('{bounds[1]}')"
    )
    add_truncate_trigger(cursor, name)
    if stranded:
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM audit_partition_move")  # noqa: S608
        cursor.execute("DROP TABLE audit_partition_move")
        cursor.execute("SELECT set_config('gongzhi.audit_purge', %s, true)", [previous])


def add_truncate_trigger(cursor, partition: str) -> None:
    """A TRUNCATE of one partition does not fire the parent's statement trigger: each partition
    refuses it itself, with the parent's function (so the purge permission lifts it alike)."""
    cursor.execute(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {partition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()"
    )


def partitions(connection=default_connection) -> list[Partition]:
    """Every partition with its range (as the database holds it) and its exact row count."""
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, b[1]::timestamptz, b[2]::timestamptz FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), "
            "$$FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$$) AS b ON true "
            "WHERE i.inhparent = %s::regclass ORDER BY b[1]::timestamptz NULLS FIRST, c.relname",
            [TABLE],
        )
        found = cursor.fetchall()
        result = []
        for name, start, end in found:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            result.append(Partition(name, start, end, cursor.fetchone()[0]))
    return result
