"""What the district day measures besides latency: CPU by process group (web servers, workers,
PostgreSQL, the bench itself), the machine's busy share, write-ahead log written, bytes a new row
of the tables that grow, database size. From /proc and PostgreSQL's own functions, so the figures
are the processes' own, not inflated by waiting."""

from __future__ import annotations

import os
import time

from bench import serve


class Meter:
    """CPU seconds spent by the web servers, the workers and PostgreSQL during the run, and the
    machine's busy share: the per-request costs the capacity plan scales from (docs/operations.md).
    A killed worker's CPU until its death is not counted (its /proc entry is gone)."""

    def __init__(self, ports_pids: list[int], workers: dict):
        self.servers, self.workers = ports_pids, workers
        self.began, self.machine, self.wal = time.monotonic(), _machine_jiffies(), _wal_position()
        self.tables = _table_sizes()
        self.before = self._sample()

    def _sample(self) -> dict[str, dict[int, float]]:
        web = [pid for server in self.servers for pid in serve.process_tree(server)]
        workers = [process.pid for process in self.workers.values()]
        groups = (
            ("web", web),
            ("workers", workers),
            ("postgres", _postgres_pids()),
            ("bench", [os.getpid()]),
        )
        sample = {group: {pid: serve.cpu_seconds([pid]) for pid in pids} for group, pids in groups}
        # Backends that ended (a connection closed) are gone from /proc; the server process that
        # reaped them carries their CPU in its children's times, counted here under key 0.
        sample["postgres"][0] = _reaped_postgres_cpu()
        return sample

    def read(self) -> dict[str, float]:
        after, seconds = self._sample(), time.monotonic() - self.began
        spent = {
            group: sum(cpu - self.before[group].get(pid, 0.0) for pid, cpu in pids.items())
            for group, pids in after.items()
        }
        busy, total = (now - then for now, then in zip(_machine_jiffies(), self.machine, strict=True))
        wal = _wal_position() - self.wal
        grown = {
            table: (size - self.tables[table][0]) / (rows - self.tables[table][1])
            for table, (size, rows) in _table_sizes().items()
            if rows > self.tables[table][1]
        }
        return {
            **spent,
            "seconds": seconds,
            "busy_share": busy / max(1, total),
            "wal_bytes": wal,
            "row_bytes": grown,
        }


# The tables a district's day makes grow: bytes a row (indexes included) for the capacity plan.
GROWING = ("concerns_concern", "concerns_visit", "core_auditrecord", "notifications_message")
# A table's size with its indexes and, for a partitioned one (the audit trail), its partitions'.
TOTAL_SIZE = (
    "pg_total_relation_size('{table}') + COALESCE((SELECT sum(pg_total_relation_size(inhrelid)) "
    "FROM pg_inherits WHERE inhparent = '{table}'::regclass), 0)"
)


def _table_sizes() -> dict[str, tuple[int, int]]:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in GROWING:
            cursor.execute(f"SELECT {TOTAL_SIZE.format(table=table)}, (SELECT count(*) FROM {table})")  # noqa: S608
            sizes[table] = tuple(int(v) for v in cursor.fetchone())
    return sizes


def _wal_position() -> int:
    """Bytes of write-ahead log PostgreSQL has written so far: what a replica must replay."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
        return int(cursor.fetchone()[0])


def database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def _postgres_pids() -> list[int]:
    """The whole PostgreSQL server: backends, WAL writer, checkpointer, autovacuum."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/comm") as f:
                if entry.isdigit() and f.read().strip() == "postgres":
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def postgres_cpu() -> float:
    """CPU seconds the whole PostgreSQL server has spent: processes running and ended ones."""
    return serve.cpu_seconds(_postgres_pids()) + _reaped_postgres_cpu()


def _reaped_postgres_cpu() -> float:
    """CPU seconds of PostgreSQL's ended processes: the postmaster's children's user + system time."""
    pids = set(_postgres_pids())
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if int(fields[1]) not in pids:  # the postmaster: its parent is not a postgres process
            return (int(fields[13]) + int(fields[14])) / serve.TICK
    return 0.0


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:8]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def analyze_without_autovacuum() -> bool:
    """A server with autovacuum off (this machine's PostgreSQL is configured so) never refreshes
    the planner's statistics of tables a run grew: the capacity plan's concern queries were planned
    for the 533 rows the table had held, and cost three times their CPU. ANALYZE, as autovacuum
    would have done; returns whether it was needed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return False
        cursor.execute("ANALYZE")
    return True
