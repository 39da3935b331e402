"""Migration 0011 (the audit trail partitioned by month) on a table of a million audit rows, and
one month of the audit page before and after it (PostgreSQL only).

    .venv/bin/python bench/audit_partitions.py [--rows 1000000] [--months 12] [--db partition_bench]

Creates the scratch database, migrates it, takes core back to 0010 (a plain table), writes the
rows with one generate_series INSERT (spread evenly over the last N months, 20 subdistricts; the
hashes are not a real chain: only the layout is measured), VACUUM ANALYZEs, then EXPLAIN ANALYZEs
the audit page's two queries for the middle month and one subdistrict (the paginator's count and
the first page of 50, newest first), times `migrate core 0011`, asks again, and drops the database.
"""

import argparse
import os
import subprocess
import sys
import time

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

INSERT = """
INSERT INTO core_auditrecord (id, at, actor_id, actor_label, action, object_type, object_id, summary,
    reason, ip, subdistrict_id, neighborhood_id, changes, hash, prev_hash, chain)
SELECT g, now() - make_interval(secs => (%(rows)s - g) * %(step)s), g %% 5000, 'worker' || (g %% 5000),
    'update', 'org.household', (g %% 200000)::text, 'household ' || g, '', '10.0.0.1',
    1 + g %% 20, 1 + g %% 400, '{"n": 1}'::jsonb, md5(g::text) || md5(g::text), md5((g - 1)::text) || md5(g::text),
    1 + g %% 8
FROM generate_series(1, %(rows)s) AS g
"""
PAGE = """SELECT * FROM core_auditrecord WHERE subdistrict_id = 7 AND at >= %(lo)s AND at < %(hi)s
ORDER BY at DESC, id DESC LIMIT 50"""
COUNT = "SELECT count(*) FROM core_auditrecord WHERE subdistrict_id = 7 AND at >= %(lo)s AND at < %(hi)s"


def manage(db: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{db}")
    subprocess.run([sys.executable, "manage.py", *args, "-v0"], cwd=ROOT, env=env, check=True)


def explain(conn, sql: str, bounds: dict) -> str:
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, bounds).fetchall()
    return "\n".join(row[0] for row in plan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--db", default="partition_bench")
    args = parser.parse_args()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.db}"')
    try:
        manage(args.db, "migrate")
        manage(args.db, "migrate", "core", "0010_merge_worker_heartbeat_and_audit_verification")
        with psycopg.connect(f"{SERVER}/{args.db}", autocommit=True) as conn:
            step = args.months * 30 * 86400 / args.rows
            started = time.perf_counter()
            conn.execute(INSERT, {"rows": args.rows, "step": step})
            conn.execute(f"ALTER TABLE core_auditrecord ALTER COLUMN id RESTART WITH {args.rows + 1}")
            conn.execute("VACUUM ANALYZE core_auditrecord")
            print(f"{args.rows} rows written in {time.perf_counter() - started:.1f} s")
            lo, hi = conn.execute(
                "SELECT date_trunc('month', now() - interval '6 months', 'Asia/Shanghai'), "
                "date_trunc('month', now() - interval '5 months', 'Asia/Shanghai')"
            ).fetchone()
            bounds = {"lo": lo, "hi": hi}
            for sql in (COUNT, PAGE):
                explain(conn, sql, bounds)  # warm the cache once, as a page in use would be
                print("-- before:\n" + explain(conn, sql, bounds))
        started = time.perf_counter()
        manage(args.db, "migrate", "core", "0011_audit_partitions")
        took = time.perf_counter() - started
        started = time.perf_counter()
        manage(args.db, "migrate")  # nothing to do: Django's own start, to subtract
        print(
            f"migration 0011: {took - (time.perf_counter() - started):.1f} s ({took:.1f} s with Django's start)"
        )
        with psycopg.connect(f"{SERVER}/{args.db}", autocommit=True) as conn:
            for sql in (COUNT, PAGE):
                explain(conn, sql, bounds)
                print("-- after:\n" + explain(conn, sql, bounds))
            parts = conn.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'core_auditrecord'::regclass"
            )
            print(f"partitions: {parts.fetchone()[0]}")
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
