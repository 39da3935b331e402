"""Concern intake through the API on PostgreSQL, served the way production runs it (gunicorn).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench_intake .venv/bin/python bench/concern_intake.py
    … --requests 6000 --clients 16 --workers 2 --threads 4

The database named by DATABASE_URL is created if missing, migrated and written to: never point it
at real data. Gunicorn (bench/serve.py: gthread workers, persistent database connections, DEBUG
off) listens on 127.0.0.1 only. The load comes from one client process on the same machine that
drives `--clients` keep-alive connections with a selector loop (cheap, since it shares the two
cores with the server and PostgreSQL): each request a bearer-token POST /api/v1/concerns with its
own Idempotency-Key, and every answer is read and checked (201, the concern accepted for the
household sent). After a warm-up it sends a fixed number of requests and prints, besides the
rate, the CPU time per request of gunicorn, of the bench database's PostgreSQL backends and of
itself (from /proc: a figure other work on a shared machine does not inflate the way it does the
rate). Last line: `intake: N req/s, p95 M ms`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import selectors
import socket
import statistics
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import serve  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench_intake")
# The server and this script share the generated keys, kept per bench database so that the audit
# chain written over several runs still verifies (`gongzhi audit verify` after the load).
_DB_NAME = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[-1]
os.environ.setdefault("GONGZHI_VAR_DIR", os.path.join(ROOT, "var", f"bench-{_DB_NAME}"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")


def prepare(households: int) -> tuple[str, list[int]]:
    """Migrate, then one neighborhood with buildings and households and a social worker's token."""
    token, _user, ids = serve.bench_town(households, role="social_worker", label="压测")
    return token, ids


class Connection:
    """One keep-alive HTTP/1.1 connection that has at most one request in flight."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.started = 0.0


def _request(port: int, token: str, household: int, i: int) -> bytes:
    body = json.dumps(
        {"category": "parking", "description": f"楼下乱停车 {i}", "household_id": household}
    ).encode()
    head = (
        f"POST /api/v1/concerns HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: {uuid.uuid4().hex}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _response(conn: Connection) -> tuple[int, bytes, bool] | None:
    """(status, body, server keeps the connection) once a whole response is buffered."""
    end = conn.buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = conn.buffer[:end].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers.get("Content-Length", "0"))
    if len(conn.buffer) < end + 4 + length:
        return None
    body = conn.buffer[end + 4 : end + 4 + length]
    conn.buffer = conn.buffer[end + 4 + length :]
    return int(lines[0].split()[1]), body, headers.get("Connection", "").lower() != "close"


def _accepted(status: int, body: bytes, household: int) -> bool:
    """Every answer is read: a new concern in state accepted for the household that was sent."""
    if status != 201:
        return False
    concern = json.loads(body)
    return concern["state"] == "accepted" and concern["household_id"] == household and concern["id"] > 0


def client_process(port: int, token: str, households: list[int], count: int, connections: int, out) -> None:
    """`connections` keep-alive connections from one process, driven by one selector loop: a client
    that costs little CPU, since it shares the two cores with the server and PostgreSQL."""
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    bad = sent = 0
    cpu = os.times()

    def send(conn: Connection) -> None:
        nonlocal sent
        conn.household = households[sent % len(households)]
        conn.started = time.perf_counter()
        conn.sock.sendall(_request(port, token, conn.household, sent))
        sent += 1

    for _ in range(min(connections, count)):
        conn = Connection(port)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        send(conn)
    while selector.get_map():
        for key, _events in selector.select(timeout=30):
            conn = key.data
            chunk = conn.sock.recv(65536)
            if not chunk:
                sys.exit("the server closed a connection")
            conn.buffer += chunk
            if (answer := _response(conn)) is None:
                continue
            latencies.append(time.perf_counter() - conn.started)
            status, body, keep = answer
            bad += not _accepted(status, body, conn.household)
            if not keep:
                sys.exit("the server did not keep the connection alive")
            if sent < count:
                send(conn)
            else:
                selector.unregister(conn.sock)
                conn.sock.close()
    spent = os.times()
    out.put((latencies, bad, spent.user - cpu.user + spent.system - cpu.system))


def load(port: int, token: str, households: list[int], total: int, clients: int, processes: int):
    """(seconds, latencies, failed answers, client CPU seconds) for `total` requests."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=client_process,
            args=(port, token, households, total // processes, clients // processes, queue),
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
    return elapsed, latencies, sum(r[1] for r in results), sum(r[2] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args()
    serve.ensure_database(os.environ["DATABASE_URL"])
    token, households = prepare(args.households)
    port = serve.free_port()
    server = serve.start_gunicorn(port, args.workers, args.threads)
    meter = serve.CpuMeter(server)
    try:
        # Warm-up: workers import everything and open their database connections.
        load(port, token, households, min(400, args.requests), args.clients, args.client_processes)
        meter.start()
        elapsed, latencies, errors, client_cpu = load(
            port, token, households, args.requests, args.clients, args.client_processes
        )
        server_cpu, database_cpu = meter.stop()
    finally:
        serve.stop(server)
    n = len(latencies)
    latencies.sort()
    p95 = latencies[int(0.95 * (n - 1))] * 1000
    print(
        f"{n} requests over {args.clients} connections, {errors} not 201 with the concern; "
        f"median {statistics.median(latencies) * 1000:.1f} ms; gunicorn {args.workers}×{args.threads} gthread; "
        f"load average {serve.load_average()}"
    )
    per = {"gunicorn": server_cpu, "PostgreSQL backends": database_cpu, "load generator": client_cpu}
    print(
        "CPU per request: "
        + ", ".join(f"{name} {seconds / n * 1000:.2f} ms" for name, seconds in per.items())
        + f"; total {sum(per.values()) / n * 1000:.2f} ms (two cores give {2000 / (sum(per.values()) / n * 1000):.0f} req/s at most)"
    )
    print(_chain_report())
    print(f"intake: {n / elapsed:.0f} req/s, p95 {p95:.0f} ms")


def _chain_report() -> str:
    """The audit chains the concurrent load wrote must verify, as `gongzhi audit verify` does."""
    from django.db.models import Count

    from gongzhi.core.audit import verify_chain
    from gongzhi.core.models import AuditRecord

    report = verify_chain()
    chains = AuditRecord.objects.values("chain").annotate(n=Count("id")).count()
    if not report.intact:
        sys.exit(f"audit chain broken at record {report.broken_at}: {report.problem}")
    return f"audit chain intact: {report.checked} records in {chains} chains"


if __name__ == "__main__":
    main()
