"""A day of a district, compressed: many subdistricts on PostgreSQL, two web servers, two task
workers, residents' intake, visits, KPI and dashboard reads and a big call-up, with a worker
killed in the middle of the fan-out.

    .venv/bin/python bench/district_day.py                      # 12 subdistricts, 1.4 M households, 10 min
    .venv/bin/python bench/district_day.py --subdistricts 1 --households 5000 --minutes 1 --callup 2000

The database (`--db`, default gongzhi_district on 127.0.0.1:5432, user postgres) is dropped and
made afresh unless `--reuse` is given: never point it at real data. The first subdistrict is the
whole demo (`gongzhi demo load`: logins, concerns, visits …); the others are further demo towns
(places and people, each with its own codes and residents' ID numbers).

Processes, as deploy/ runs them: two gunicorn servers (bench/serve.py settings, one gthread
process of 4 threads each, the client spreading its connections over both as nginx would), two
`gongzhi worker` processes (GONGZHI_TASKS=database) and a webhook receiver standing in for the
SMS gateway, in a process of its own (`gongzhi.notifications.testing.Receiver`: it checks
signatures and acts on each Idempotency-Key once). The load, open loop (requests are sent on a schedule, not when the last
one returns, so a slow server shows as latency):
- intake: `--rate` concerns per second through POST /api/v1/concerns (bearer token);
- visits: one in ten of the intake rate through POST /api/v1/visits;
- KPI page every 2 s and the dashboard every 5 s, as the subdistrict admin (session);
- after `--warmup` seconds at full load (not measured: cold caches), the measured run; at a tenth
  of it, a call-up of `--callup` volunteers; once a fifth of its messages reached
  the receiver, the worker running the fan-out is killed with SIGKILL and started again 5 s later.
  The workers send at most `--gateway-rate` messages a second each (GONGZHI_WEBHOOK_RATE), as a
  gateway's contract would have it: unpaced, the fan-out takes both cores from the residents.
Then the run waits for the fan-out to finish and checks, at the receiver, that every call-up
message arrived (lost) and none was acted on twice (duplicated); messages handed over by the
killed worker and sent again under the same key are counted as resent.

Last line: `district: H households, S subdistricts; intake p95 X ms at R req/s; kpi p95 Y ms;
fanout N messages in T s, lost 0, duplicated 0; workers killed 1`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import serve  # noqa: E402
from bench.district_meter import Meter, database_size  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
from bench.kpi_page import PASSWORD  # noqa: E402  (its Browser signs in with it)

GONGZHI = [sys.executable, "-c", "from gongzhi.cli import main; main()"]
# Area codes of Shanghai's districts: each further town's residents get their own ID numbers.
ID_AREAS = ["310113", "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112"]
ID_AREAS += ["310114", "310115", "310116", "310117", "310118", "310120", "310151"]


def configure(db: str, reuse: bool) -> None:
    url = f"{PG}/{db}"
    if not reuse:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        GONGZHI_VAR_DIR=os.path.join(ROOT, "var", f"bench-{db}"),
        GONGZHI_TASKS="database",
        GONGZHI_WORKER_STALE_SECONDS="5",
        GONGZHI_LOG_LEVEL="ERROR",
        GONGZHI_MFA_REQUIRED="false",
        GONGZHI_WEBHOOK_SECRET="district-bench",
        GONGZHI_WEBHOOK_TIMEOUT="5",
        GONGZHI_DEMO_PASSWORD=PASSWORD,
    )
    os.makedirs(os.environ["GONGZHI_VAR_DIR"], exist_ok=True)


def load_district(subdistricts: int, households: int) -> float:
    started = time.monotonic()
    subprocess.run([*GONGZHI, "migrate", "-v0"], cwd=ROOT, check=True)
    per_town = households // subdistricts
    subprocess.run([*GONGZHI, "demo", "load", "--households", str(per_town), "--quiet"], cwd=ROOT, check=True)
    for n in range(1, subdistricts):
        town = ["--town", f"310113-D{n:02d}", f"压测{n:02d}镇", ID_AREAS[n % len(ID_AREAS)]]
        subprocess.run(
            [
                *GONGZHI,
                "demo",
                "load",
                "--households",
                str(per_town),
                "--seed",
                str(3000 + n),
                *town,
                "--quiet",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.monotonic() - started


def prepare(callup: int) -> dict:
    """Tokens, households, the admin's password and the call-up's volunteers (made once)."""
    import django

    django.setup()
    from django.db import connections

    from gongzhi.accounts.models import User
    from gongzhi.org.models import Household, Subdistrict
    from gongzhi.volunteers.models import Volunteer

    town = Subdistrict.objects.get(code="310113-YX-DEMO")
    senders = [_sender(subdistrict) for subdistrict in Subdistrict.objects.order_by("pk")]
    admin = User.objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    places = list(town.neighborhoods.all())
    have = Volunteer.objects.filter(name__startswith="压测志愿者").count()
    Volunteer.objects.bulk_create(
        [
            Volunteer(neighborhood=places[i % len(places)], name=f"压测志愿者{i:05d}", phone=f"137{i:08d}")
            for i in range(have, callup)
        ],
        batch_size=2000,
    )
    removed = _forget_earlier_runs()
    if removed:
        print(f"removed earlier runs' intake: {removed[0]:,} concerns, {removed[1]:,} visits", flush=True)
    # A reused database may hold an interrupted run's undelivered messages: not this run's to send.
    from gongzhi.notifications.models import Message

    Message.objects.filter(status__in=["queued", "sending"]).update(
        status="failed", error="earlier bench run"
    )
    counts = {"household_count": Household.objects.count(), "subdistricts": Subdistrict.objects.count()}
    connections.close_all()
    return {"senders": senders, "town": town.pk, **counts}


def _sender(subdistrict) -> tuple[str, list[int]]:
    """A social worker of the subdistrict's first neighborhood (made once) with an API token, and
    up to 2,000 of its households: intake and visits come from the whole district, as they would."""
    from gongzhi.accounts.models import User
    from gongzhi.core.tokens import create_token
    from gongzhi.org import selectors as org_selectors
    from gongzhi.org import services

    neighborhood = subdistrict.neighborhoods.order_by("code").first()
    worker, _made = User.objects.get_or_create(username=f"bench-sw-{subdistrict.pk}")
    if not worker.role_assignments.exists():
        services.assign_role(actor=None, user=worker, role="social_worker", unit=neighborhood)
    _item, token = create_token(actor=None, user=worker, name=f"district bench {uuid.uuid4().hex[:6]}")
    households = list(org_selectors.households_visible_to(worker).values_list("pk", flat=True)[:2000])
    return token, households


class Pacer:
    """Calls `fn` `rate` times a second on a thread pool until `stop`, recording latencies."""

    def __init__(self, fn, rate: float, threads: int, stop: threading.Event):
        self.fn, self.rate, self.stop = fn, rate, stop
        self.pool = ThreadPoolExecutor(threads)
        self.done: list[tuple[float, float]] = []  # (monotonic start, seconds) of each answered request
        self.errors: list[str] = []
        self.sent = 0
        self.started = self.ended = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = self.started = time.monotonic()
        while not self.stop.is_set():
            due = start + self.sent / self.rate
            if due > time.monotonic():
                time.sleep(min(0.05, due - time.monotonic()))
                continue
            self.pool.submit(self._one, self.sent, due)
            self.sent += 1
        self.ended = time.monotonic()

    def _one(self, n: int, due: float) -> None:
        # Timed from when the request was due, not from when a client thread took it: a request
        # waiting for a free connection is a slow answer too (no coordinated omission).
        try:
            self.fn(n)
            self.done.append((due, time.monotonic() - due))  # one append: atomic across threads
        except Exception as exc:  # noqa: BLE001  (counted and shown, the run goes on)
            self.errors.append(f"{type(exc).__name__}: {exc}"[:200])

    @property
    def times(self) -> list[float]:
        return [t for _at, t in self.done]

    def p95_ms(self, inside: tuple[float, float] | None = None) -> float:
        """p95 of all requests, or of those due inside a window of monotonic time."""
        times = [t for at, t in self.done if not inside or inside[0] <= at < inside[1]]
        if len(times) < 2:
            return float("nan")
        return statistics.quantiles(times, n=20, method="inclusive")[18] * 1000

    def count(self, inside: tuple[float, float]) -> int:
        return sum(1 for at, _t in self.done if inside[0] <= at < inside[1])

    def achieved(self) -> float:
        return len(self.times) / max(1e-9, self.ended - self.started)


class Clients:
    """Keep-alive connections per thread, spread over the web servers."""

    def __init__(self, ports: list[int]):
        self.ports, self.local = ports, threading.local()

    def conn(self, n: int) -> http.client.HTTPConnection:
        pool = getattr(self.local, "pool", None)
        if pool is None:
            pool = self.local.pool = {}
        port = self.ports[n % len(self.ports)]
        if port not in pool:
            pool[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return pool[port]

    def call(self, n: int, method: str, path: str, body: dict | None, headers: dict) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        for again in (True, False):  # a keep-alive connection the server closed: once more, anew
            conn = self.conn(n)
            try:
                conn.request(method, path, data, {"Content-Type": "application/json", **headers})
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.pool.pop(self.ports[n % len(self.ports)], None)
                if not again:
                    raise
        raise AssertionError("unreachable")


def start_workers(n: int, env: dict) -> list[subprocess.Popen]:
    return [start_worker(f"district-w{i + 1}", env) for i in range(n)]


def start_worker(worker_id: str, env: dict) -> subprocess.Popen:
    # Polling as deployed (deploy/systemd: the default half second): at 0.2 s two workers' four
    # loops cost a tenth of a core doing nothing.
    return subprocess.Popen([*GONGZHI, "worker", "--worker-id", worker_id], cwd=ROOT, env=env)


def running_fanout_worker() -> str | None:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    row = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path__endswith="deliver_pending")
        .order_by("-started_at")
        .first()
    )
    return row.worker_ids[-1] if row else None


def _forget_earlier_runs() -> tuple[int, int] | None:
    """Each run adds a month of a district's intake (60,000 concerns, 6,000 visits: the capacity
    plan's one concern per two households a year). On a reused database the earlier runs' are
    removed first, so every run starts from the month it loaded: a third run had measured the
    KPI page and the dashboard over three months of concerns in one. (Their audit records stay:
    the trail is append-only and grows in a deployment too.)"""
    from django.db import connection

    from gongzhi.concerns.models import Concern, ConcernEvent
    from gongzhi.visits.models import Visit

    concerns = Concern.objects.filter(created_by__username__startswith="bench-sw-").delete()[1]
    visits = Visit.objects.filter(worker__username__startswith="bench-sw-").delete()[1]
    removed = concerns.get("concerns.Concern", 0), visits.get("visits.Visit", 0)
    if not any(removed):
        return None
    # Their dead rows are autovacuum's work, not the measured run's; FULL gives the space back, so
    # the run's rows grow the tables again (bytes a row are measured by growth).
    with connection.cursor() as cursor:
        for model in (Concern, ConcernEvent, Visit):
            cursor.execute(f"VACUUM (FULL, ANALYZE) {model._meta.db_table}")
    return removed


def call_up(town_id: int) -> tuple[set[str], float]:
    """The call-up, in a process of its own as a staff member's request would be in a server's:
    its 20,000 answers and messages take seconds of Python, which in the load generator's process
    held up its clients (counted as the servers' latency)."""
    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    process = spawn.Process(target=_call_up_child, args=(town_id, child), daemon=True)
    process.start()
    keys, started = parent.recv()
    process.join(60)
    return keys, started


def _call_up_child(town_id: int, pipe) -> None:
    import django

    django.setup()
    pipe.send(_call_up(town_id))


def _call_up(town_id: int) -> tuple[set[str], float]:
    from gongzhi.accounts.models import User
    from gongzhi.notifications.models import Message
    from gongzhi.org.models import Subdistrict
    from gongzhi.volunteers import services

    admin = User.objects.get(username="admin")
    town = Subdistrict.objects.get(pk=town_id)
    emergency = services.open_emergency(
        actor=admin, subdistrict=town, title=f"区级防汛演练召集 {uuid.uuid4().hex[:4]}"
    )
    started = time.monotonic()
    services.call_up(actor=admin, emergency=emergency)
    keys = set(
        # SMS go through the gateway (the receiver); volunteers with an account also get an inbox message.
        Message.objects.filter(
            key__startswith="callup:", channel="sms", created_at__gte=emergency.opened_at
        ).values_list("key", flat=True)
    )
    return keys, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subdistricts", type=int, default=12)
    parser.add_argument("--households", type=int, default=1_400_000, help="in all subdistricts together")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100, help="intake requests per second")
    parser.add_argument("--callup", type=int, default=20_000)
    parser.add_argument(
        "--gateway-rate",
        type=float,
        default=250,
        help="GONGZHI_WEBHOOK_RATE of the workers: messages a second each hands to the gateway (0: no limit)",
    )
    parser.add_argument("--warmup", type=float, default=30, help="seconds at full load before measuring")
    parser.add_argument("--db", default="gongzhi_district")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database of an earlier run")
    parser.add_argument(
        "--load-only", action="store_true", help="load the district, then stop (drive it later with --reuse)"
    )
    args = parser.parse_args()

    # Stopped from outside: the `finally` below still stops the servers and workers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    configure(args.db, args.reuse)
    if not args.reuse:
        seconds = load_district(args.subdistricts, args.households)
        print(f"loaded {args.subdistricts} subdistricts in {seconds:.0f} s", flush=True)
    if args.load_only:
        return
    ready = prepare(args.callup)
    print(f"{ready['household_count']:,} households in {ready['subdistricts']} subdistricts", flush=True)

    from gongzhi.notifications.models import Message

    with Gateway(os.environ["GONGZHI_WEBHOOK_SECRET"]) as box:
        os.environ["GONGZHI_WEBHOOK_URL"] = box.url
        os.environ["GONGZHI_WEBHOOK_RATE"] = str(args.gateway_rate)
        env = dict(os.environ)
        ports = [serve.free_port(), serve.free_port()]
        servers = [serve.start_gunicorn(port, workers=1, threads=4) for port in ports]
        workers = start_workers(2, env)
        ids = {f"district-w{i + 1}": w for i, w in enumerate(workers)}
        killed = 0
        try:
            result = drive(args, ready, ports, box, ids, env, servers)
            killed = result["killed"]
        finally:
            for process in [*servers, *ids.values()]:
                process.terminate()
            for process in [*servers, *ids.values()]:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()

        keys = result["keys"]
        processed, requests = box.final()
        lost = len(keys - processed.keys())
        duplicated = sum(1 for k in keys if processed.get(k, 0) > 1)
        resent = sum(n - 1 for n in requests.values() if n > 1)
        unsent = Message.objects.filter(key__in=keys).exclude(status="sent").count()
    intake, kpi = result["intake"], result["kpi"]
    window = result["fanout"]
    measured = (result["measured_from"], float("inf"))  # after the warm-up
    phases = {"before": (measured[0], window[0]), "during": window, "after": (window[1], float("inf"))}
    print(
        f"intake: {len(intake.times)} ok, {len(intake.errors)} errors {intake.errors[:3]}; p95 before / during / "
        f"after the fan-out {' / '.join(f'{intake.p95_ms(w):.0f}' for w in phases.values())} ms; kpi p95 "
        f"{' / '.join(f'{kpi.p95_ms(w):.0f}' for w in phases.values())} ms"
    )
    print(f"visits: {len(result['visits'].times)} ok, {len(result['visits'].errors)} errors")
    dashboard = result["dashboard"]
    print(
        f"kpi: {len(kpi.times)} ok, {len(kpi.errors)} errors; dashboard: {len(dashboard.times)} ok, p95 {dashboard.p95_ms(measured):.0f} ms"
    )
    print(f"fanout: resent after the kill {resent} (same key, acted on once); not marked sent {unsent}")
    cpu = result["cpu"]
    # The requests of the measured part (after the warm-up), as the CPU figures are.
    requests = sum(result[name].count(measured) for name in ("intake", "visits", "kpi", "dashboard"))
    print(
        f"cpu over {cpu['seconds']:.0f} s: web {cpu['web']:.0f} s, workers {cpu['workers']:.0f} s, "
        f"postgres {cpu['postgres']:.0f} s, this bench (clients, gateway) {cpu['bench']:.0f} s; "
        f"{1000 * (cpu['web'] + cpu['postgres']) / max(1, requests):.1f} ms "
        f"web+database per request ({requests} requests, {len(keys)} messages); machine busy "
        f"{100 * cpu['busy_share']:.0f} % of {os.cpu_count()} cores; write-ahead log "
        f"{cpu['wal_bytes'] / 1e6 / (cpu['seconds'] / 60):.0f} MB/min; database {database_size() / 1e9:.1f} GB"
    )
    rate = intake.achieved()
    _write_record(
        args,
        {
            "households": ready["household_count"],
            "subdistricts": ready["subdistricts"],
            "requests": {
                name: result[name].count(measured) for name in ("intake", "visits", "kpi", "dashboard")
            },
            "p95_ms": {
                "intake": intake.p95_ms(measured),
                **{f"intake_{phase}": intake.p95_ms(w) for phase, w in phases.items()},
                "kpi": kpi.p95_ms(measured),
                "dashboard": dashboard.p95_ms(measured),
            },
            "intake_rate": rate,
            "messages": len(keys),
            "fanout_seconds": window[1] - window[0],
            "lost": lost,
            "duplicated": duplicated,
            "cpu_seconds": {k: cpu[k] for k in ("web", "workers", "postgres", "bench")},
            "seconds": cpu["seconds"],
            "busy_share": cpu["busy_share"],
            "wal_bytes": cpu["wal_bytes"],
            "row_bytes": cpu["row_bytes"],
            "database_bytes": database_size(),
        },
    )
    print(
        f"district: {ready['household_count']:,} households, {ready['subdistricts']} subdistricts; "
        f"intake p95 {intake.p95_ms(measured):.0f} ms at {rate:.0f} req/s; kpi p95 {kpi.p95_ms(measured):.0f} ms; "
        f"fanout {len(keys)} messages in {result['fanout'][1] - result['fanout'][0]:.0f} s, lost {lost}, "
        f"duplicated {duplicated}; workers killed {killed}"
    )
    failed = len(intake.errors) + len(result["visits"].errors) + len(kpi.errors) + len(dashboard.errors)
    if lost or duplicated or unsent or not killed or failed > 0.01 * max(1, len(intake.times)):
        sys.exit("district: FAILED (messages lost, doubled or unsent, no worker killed, or requests failing)")


def drive(args, ready: dict, ports: list[int], box, ids: dict, env: dict, servers: list) -> dict:
    from bench.kpi_page import Browser

    clients = Clients(ports)
    senders = ready["senders"]

    def sender(n: int) -> tuple[dict, list[int]]:
        """Request n's subdistrict, in turn: its token's header and its households."""
        token, households = senders[n % len(senders)]
        return {"Authorization": f"Bearer {token}"}, households

    def intake(n: int) -> None:
        token, households = sender(n)
        body = {
            "category": "parking",
            "description": f"楼下乱停车 {n}",
            "household_id": households[(n // len(senders)) % len(households)],
        }
        status, text = clients.call(
            n, "POST", "/api/v1/concerns", body, {**token, "Idempotency-Key": uuid.uuid4().hex}
        )
        if status != 201:
            raise RuntimeError(f"intake {status} {text[:100]!r}")

    def visit(n: int) -> None:
        token, households = sender(n)
        body = {
            "household_id": households[(n * 7 // len(senders)) % len(households)],
            "raised": "家中一切都好",
            "idempotency_key": uuid.uuid4().hex,
        }
        status, text = clients.call(n, "POST", "/api/v1/visits", body, token)
        if status != 201:
            raise RuntimeError(f"visit {status} {text[:100]!r}")

    def page(path: str):
        """One reader of `path` (the KPI page's reader is not the dashboard's), signed in on each
        server; a connection carries one request at a time, so a slow answer delays only its reader."""
        browsers = {port: (Browser(port), threading.Lock()) for port in ports}
        for browser, _lock in browsers.values():
            browser.sign_in("admin")

        def read(n: int) -> None:
            browser, lock = browsers[ports[n % len(ports)]]
            with lock:
                status, _location, text = browser.request("GET", path)
            if status != 200:
                raise RuntimeError(f"{path} {status}")

        return read

    stop = threading.Event()
    pacers = {
        "intake": Pacer(intake, args.rate, 48, stop),
        "visits": Pacer(visit, max(1.0, args.rate / 10), 8, stop),
        "kpi": Pacer(page("/concerns/kpi/"), 0.5, 2, stop),
        "dashboard": Pacer(page("/insights/"), 0.2, 2, stop),
    }
    for pacer in pacers.values():
        pacer.thread.start()
    # Warm-up at the full rate, not measured: a server just started has cold caches (its own and
    # PostgreSQL's over a district's tables), as no server of a running deployment has.
    time.sleep(args.warmup)
    meter = Meter(ports_pids=[server.pid for server in servers], workers=ids)
    duration = args.minutes * 60
    began = time.monotonic()
    time.sleep(duration / 10)
    keys, called_at = call_up(ready["town"])
    print(f"call-up of {len(keys)} messages at {time.monotonic() - began:.0f} s", flush=True)
    box.watch(keys)
    killed = kill_during_fanout(keys, box, ids, env, share=0.2)
    done_at = None
    deadline = began + duration
    while time.monotonic() < deadline or done_at is None:
        if done_at is None and box.arrived() == len(keys):
            done_at = time.monotonic()
        if time.monotonic() > max(deadline, called_at + 600):
            break
        time.sleep(0.5)
    stop.set()
    for pacer in pacers.values():
        pacer.pool.shutdown(wait=True, cancel_futures=True)  # requests not yet sent are dropped
    fanout = (called_at, done_at or time.monotonic())
    cpu = meter.read()
    return {**pacers, "keys": keys, "fanout": fanout, "killed": killed, "cpu": cpu, "measured_from": began}


def _write_record(args, record: dict) -> None:
    """The run's figures as JSON beside the log (var/district-day-DB.json): bench/capacity_plan.py
    scales a city from them."""
    path = os.path.join(ROOT, "var", f"district-day-{args.db}.json")
    record = {
        **record,
        "minutes": args.minutes,
        "rate": args.rate,
        "callup": args.callup,
        "gateway_rate": args.gateway_rate,
    }
    with open(path, "w") as out:
        json.dump(record, out, indent=1)
    print(f"figures written to {os.path.relpath(path, ROOT)}")


class Gateway:
    """The SMS gateway stand-in (`notifications.testing.Receiver`) in a process of its own, as a
    real gateway is: in the bench's process its HTTP threads (400 requests a second during the
    fan-out) took the interpreter lock from the load generator's threads, delaying requests before
    they were sent, which the bench then counted as the servers' latency."""

    def __init__(self, secret: str):
        self.pipe, child = multiprocessing.get_context("fork").Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=_gateway, args=(secret, child), daemon=True
        )

    def __enter__(self) -> Gateway:
        self.process.start()
        self.url = self.pipe.recv()
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.join(10)

    def _ask(self, command: str, argument=None):
        self.pipe.send((command, argument))
        return self.pipe.recv()

    def watch(self, keys: set[str]) -> None:
        """The messages to count from now on (the call-up's)."""
        self._ask("watch", sorted(keys))

    def arrived(self) -> int:
        """How many of the watched messages the gateway has acted on."""
        return self._ask("arrived")

    def final(self) -> tuple[dict, dict]:
        """Per watched key: times acted on, requests received (retries included)."""
        return self._ask("final")


def _gateway(secret: str, pipe) -> None:
    from gongzhi.notifications.testing import Receiver

    with Receiver(secret) as box:
        pipe.send(box.url)
        watched: set[str] = set()
        while True:
            command, argument = pipe.recv()
            with box.lock:
                if command == "watch":
                    watched = set(argument)
                    pipe.send(None)
                elif command == "arrived":
                    pipe.send(len(watched & box.processed.keys()))
                else:
                    pipe.send(
                        (
                            {k: box.processed[k] for k in watched if box.processed[k]},
                            {k: box.requests[k] for k in watched if box.requests[k]},
                        )
                    )


def kill_during_fanout(keys: set[str], box, ids: dict, env: dict, share: float) -> int:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and box.arrived() < share * len(keys):
        time.sleep(0.1)
    victim = running_fanout_worker()
    if victim not in ids:
        print(f"no worker is running the fan-out ({victim}): nothing killed", flush=True)
        return 0
    os.kill(ids[victim].pid, signal.SIGKILL)
    ids[victim].wait(10)
    print(f"killed {victim} at {box.arrived()} of {len(keys)} messages", flush=True)
    time.sleep(5)
    ids[victim] = start_worker(victim + "-again", env)
    return 1


if __name__ == "__main__":
    main()
