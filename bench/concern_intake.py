"""Concern intake through the API on PostgreSQL, served the way production runs it (gunicorn).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/concern_intake.py
    … --requests 6000 --clients 16 --workers 4 --threads 4

The database named by DATABASE_URL is created if missing, migrated and written to: never point it
at real data. Gunicorn (gthread workers, persistent database connections through
`?conn_max_age=60` on DATABASE_URL, DEBUG off) listens on 127.0.0.1 only; the load comes from
client processes on the same machine, each request a bearer-token POST /api/v1/concerns with its
own Idempotency-Key, a fixed number of requests after a warm-up. Last line:
`intake: N req/s, p95 M ms`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
VAR = tempfile.mkdtemp(prefix="gongzhi-intake-bench-")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench")
os.environ["GONGZHI_VAR_DIR"] = VAR  # the server and this script share the generated keys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(households: int) -> tuple[str, list[int]]:
    """Migrate, then one neighborhood with buildings and households and a social worker's token."""
    import django

    django.setup()
    from django.core.management import call_command

    from gongzhi.core.tokens import create_token
    from gongzhi.org import factories as f
    from gongzhi.org import services

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6]
    town = f.SubdistrictFactory(name=f"压测镇{tag}", code=f"SDB{tag}")
    neighborhood = f.NeighborhoodFactory(subdistrict=town, name=f"压测居民区{tag}", code=f"BENCH{tag}")
    grid = f.MicroGridFactory(neighborhood=neighborhood, code=f"G{tag}")
    compound = f.CompoundFactory(neighborhood=neighborhood, name=f"压测苑{tag}")
    ids = []
    for b in range(max(households // 50, 1)):
        building = f.BuildingFactory(compound=compound, micro_grid=grid, number=f"{b + 1}号楼")
        ids += [f.HouseholdFactory(building=building, room=str(101 + r)).pk for r in range(50)]
    user = f.UserFactory(username=f"bench_worker_{tag}", is_staff=True)
    services.assign_role(actor=None, user=user, role="social_worker", unit=neighborhood)
    _item, token = create_token(actor=None, user=user, name="bench")
    from django.db import connections

    connections.close_all()
    return token, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    url = os.environ["DATABASE_URL"]
    env = dict(os.environ, DATABASE_URL=url + ("&" if "?" in url else "?") + "conn_max_age=60")
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"), "gongzhi.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
            "--threads", str(threads), "--keep-alive", "30", "--log-level", "warning",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def client_process(port: int, token: str, households: list[int], count: int, threads: int, out) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        for i in range(n):
            body = json.dumps(
                {
                    "category": "parking",
                    "description": f"楼下乱停车 {i}",
                    "household_id": households[i % len(households)],
                }
            )
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            start = time.perf_counter()
            conn.request("POST", "/api/v1/concerns", body, headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status != 201
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    per = count // threads
    pool = [threading.Thread(target=run, args=(per,)) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0]))


def load(
    port: int, token: str, households: list[int], total: int, clients: int
) -> tuple[float, list[float], int]:
    processes = 2
    queue: multiprocessing.Queue = multiprocessing.Queue()
    per_process = total // processes
    procs = [
        multiprocessing.Process(
            target=client_process, args=(port, token, households, per_process, clients // processes, queue)
        )
        for _ in range(processes)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    latencies = [x for r in results for x in r[0]]
    return elapsed, latencies, sum(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    token, households = prepare(args.households)
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        load(port, token, households, min(400, args.requests), args.clients)  # warm-up
        elapsed, latencies, errors = load(port, token, households, args.requests, args.clients)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
    print(
        f"{len(latencies)} requests from {args.clients} clients, {errors} not 201; "
        f"median {statistics.median(latencies) * 1000:.1f} ms; gunicorn {args.workers}×{args.threads} gthread"
    )
    print(f"intake: {len(latencies) / elapsed:.0f} req/s, p95 {p95:.0f} ms")


if __name__ == "__main__":
    main()
