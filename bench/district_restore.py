"""A district's backup restored onto an empty database, timed: what a subdistrict office would go
through after losing its database server.

    .venv/bin/python bench/district_restore.py                 # the database bench/district_day.py left
    .venv/bin/python bench/district_restore.py --db gongzhi_district --jobs 2

Steps: a signed `gongzhi audit checkpoint`; `gongzhi backup --out` of the loaded district (pg_dump,
encrypted; timed); a new empty database; `gongzhi restore --from` into it (pg_restore, `--jobs`
parallel; timed); then the restored copy is checked: row counts of the big tables equal the source's, and `gongzhi audit verify` walks the
whole audit chain against the checkpoint taken before the backup (its keyed hashes only verify
with the installation's keys, and the checkpoint says where the trail ended: nothing lost).
The restored database is dropped at the end unless `--keep`.

Last line: `restore: H households, backup B MB in X s, restore in Y s, audit chain of N records
verified in Z s`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = "postgres://postgres@127.0.0.1:5432"
GONGZHI = [sys.executable, "-c", "from gongzhi.cli import main; main()"]
# The tables a district is mostly made of; their counts must match after the restore.
TABLES = [
    "org_household",
    "org_resident",
    "concerns_concern",
    "notifications_message",
    "core_auditrecord",
]


def gongzhi(db: str, *args: str, var: str | None = None) -> str:
    """`gongzhi …` on database `db`, with the var/ folder (uploads, audit checkpoints) of `var`'s bench."""
    env = dict(os.environ, DATABASE_URL=f"{PG}/{db}", DJANGO_SETTINGS_MODULE="gongzhi.settings")
    env["GONGZHI_VAR_DIR"] = os.path.join(ROOT, "var", f"bench-{var or db}")
    done = subprocess.run([*GONGZHI, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"gongzhi {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def counts(db: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(f"{PG}/{db}") as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def timed(fn, *args, **kwargs):
    began = time.monotonic()
    result = fn(*args, **kwargs)
    return result, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default="gongzhi_district", help="the loaded district (bench/district_day.py)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="pg_restore processes")
    parser.add_argument("--out", default=os.path.join(ROOT, "var", "district.backup"))
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()
    import psycopg

    target = f"{args.db}_restored"
    source = counts(args.db)
    print(f"source: {', '.join(f'{t} {n:,}' for t, n in source.items())}", flush=True)

    # A signed checkpoint of the trail as it is: the restored copy is verified against it.
    gongzhi(args.db, "audit", "checkpoint")
    _, backup_s = timed(gongzhi, args.db, "backup", "--out", args.out)
    size_mb = os.path.getsize(args.out) / 1e6
    print(f"backup: {size_mb:,.0f} MB in {backup_s:.0f} s", flush=True)

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}"')
    try:
        # The installation's own keys (var/, or GONGZHI_FIELD_KEY in production) open the backup.
        _, restore_s = timed(
            gongzhi, target, "restore", "--from", args.out, "--jobs", str(args.jobs), var=args.db
        )
        print(f"restore: {restore_s:.0f} s with {args.jobs} pg_restore jobs", flush=True)
        restored = counts(target)
        differ = {t: (source[t], restored[t]) for t in TABLES if source[t] != restored[t]}
        if differ:
            sys.exit(f"restore: FAILED, row counts differ (source, restored): {differ}")
        # Against the source's audit checkpoints: the restored trail must end where the source's did.
        said, verify_s = timed(gongzhi, target, "audit", "verify", var=args.db)
        checked = re.search(r"([\d,]+)", said)
        records = checked.group(1) if checked else "?"
        print(said.strip(), flush=True)
    finally:
        if not args.keep:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    print(
        f"restore: {source['org_household']:,} households, backup {size_mb:,.0f} MB in {backup_s:.0f} s, "
        f"restore in {restore_s:.0f} s, audit chain of {records} records verified in {verify_s:.0f} s"
    )


if __name__ == "__main__":
    main()
