"""10,000 queued field items synced in batches of 200 through POST /api/v1/sync, served as
production runs it (gunicorn, bench/serve.py), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench_sync .venv/bin/python bench/sync.py
    … --items 10000 --batch 200 --phones 2 --workers 2 --threads 4

The database named by DATABASE_URL is created if missing, migrated and written to: never point it
at real data. One grid worker's grid of 500 households; the items are visits made over the last
day (each with its own client key and made_at), split between `--phones` clients that send their
batches at the same time (two phones of one account, or two tabs). Then every batch is sent again
(a retry after a lost answer): each must come back `duplicate` with the first id. At the end the
database is checked: exactly one visit per key, each with its made_at, no item lost, none
doubled. Last line: `sync: N items/s (M batches of B, p95 P ms a batch)`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import serve  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench_sync")
_DB_NAME = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[-1]
os.environ.setdefault("GONGZHI_VAR_DIR", os.path.join(ROOT, "var", f"bench-{_DB_NAME}"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")


def prepare(households: int) -> tuple[str, int, list[int]]:
    """Migrate, then one grid of households and its grid worker's API token."""
    return serve.bench_town(households, role="grid_worker", label="同步")


def make_items(count: int, households: list[int]) -> list[dict]:
    start = datetime.now(UTC) - timedelta(days=1)
    return [
        {
            "key": str(uuid.uuid4()),
            "kind": "visit",
            "made_at": (start + timedelta(seconds=5 * i)).isoformat(),
            "payload": {
                "household_id": households[i % len(households)],
                "channel": "door",
                "raised": f"第{i}次走访",
            },
        }
        for i in range(count)
    ]


def send(port: int, token: str, batch: list[dict]) -> tuple[list[dict], float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    body = json.dumps({"items": batch}).encode()
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/sync",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    answer = conn.getresponse()
    data = answer.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if answer.status != 200:
        sys.exit(f"sync answered {answer.status}: {data[:300]!r}")
    return json.loads(data)["results"], elapsed


def phone(port, token, batches, results, timings) -> None:
    for batch in batches:
        answered, elapsed = send(port, token, batch)
        timings.append(elapsed)
        for item, result in zip(batch, answered, strict=True):
            if result["key"] != item["key"]:
                sys.exit("answers out of order")
            results.setdefault(item["key"], []).append(result)


def check(user_id: int, items: list[dict], first: dict, again: dict) -> None:
    """No loss, no duplicate: one visit per key, with its made_at, the same id on the retry."""
    from django.db import connections

    from gongzhi.field.models import SyncReceipt
    from gongzhi.visits.models import Visit

    connections.close_all()
    bad = [k for k, r in first.items() if len(r) != 1 or r[0]["status"] != "created"]
    if bad:
        sys.exit(f"{len(bad)} items not created on the first send, e.g. {first[bad[0]]}")
    replays = [
        k for k, r in again.items() if r[0]["status"] != "duplicate" or r[0]["id"] != first[k][0]["id"]
    ]
    if replays:
        sys.exit(f"{len(replays)} retried items did not answer duplicate with the first id")
    visits = dict(Visit.objects.filter(worker_id=user_id).values_list("pk", "visited_at"))
    receipts = SyncReceipt.objects.filter(user_id=user_id).count()
    if len(visits) != len(items) or receipts != len(items):
        sys.exit(f"{len(items)} items sent, {len(visits)} visits and {receipts} receipts stored")
    for item in items:
        stored = visits[first[item["key"]][0]["id"]]
        if stored != datetime.fromisoformat(item["made_at"]):
            sys.exit(f"visit {item['key']} stored at {stored}, made at {item['made_at']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--phones", type=int, default=2, help="clients sending their share at once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args()
    serve.ensure_database(os.environ["DATABASE_URL"])
    token, user_id, households = prepare(args.households)
    items = make_items(args.items, households)
    batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    port = serve.free_port()
    server = serve.start_gunicorn(port, args.workers, args.threads)
    try:
        send(port, token, [])  # warm-up: the workers import everything
        first: dict = {}
        timings: list[float] = []
        shares = [batches[p :: args.phones] for p in range(args.phones)]
        threads = [
            threading.Thread(target=phone, args=(port, token, share, first, timings)) for share in shares
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        again: dict = {}
        retry_started = time.perf_counter()
        phone(port, token, batches, again, [])
        retry = time.perf_counter() - retry_started
    finally:
        serve.stop(server)
    check(user_id, items, first, again)
    p95 = statistics.quantiles(timings, n=20)[-1] * 1000 if len(timings) > 1 else timings[0] * 1000
    print(
        f"{len(items)} items, {len(batches)} batches of {args.batch} from {args.phones} phones at once: {elapsed:.1f} s"
    )
    print(f"every batch again (retry): {retry:.1f} s, all duplicate with the first id")
    print("checked: one visit per key with its made_at, no loss, no duplicate")
    print(
        f"sync: {len(items) / elapsed:.0f} items/s ({len(batches)} batches of {args.batch}, p95 {p95:.0f} ms a batch)"
    )


if __name__ == "__main__":
    main()
