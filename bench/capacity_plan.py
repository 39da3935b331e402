"""A capacity plan for a city, scaled from a district's measured figures.

    .venv/bin/python bench/district_day.py            # first: loads the district and writes var/district-day-gongzhi_district.json
    .venv/bin/python bench/capacity_plan.py           # then: measures each kind of request on it and scales

What is measured, on the district database the day left (PostgreSQL, 127.0.0.1):
- the CPU each kind of request costs, in the web process and in PostgreSQL (from /proc, so other
  work on the machine does not inflate it): a concern taken in, a visit logged, a staff workbench,
  the KPI page, the dashboard, a resident's home page; each run serially in this process;
- from the day's record: fan-out CPU per message (workers), write-ahead log per minute at the
  day's rates, database size per household;
- the size of a row, indexes included, of the tables that grow every day.

What is assumed (the WORKLOAD table below, each with its reason) is how often a city's people do
each thing. Change an assumption and the plan follows. Last line:
`plan: C subdistricts, H households: W web cores, P database cores, R replicas, K workers, D GB`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench.district_meter import GROWING, TOTAL_SIZE, analyze_without_autovacuum, postgres_cpu  # noqa: E402  (the tables the day made grow)

PG = "postgres://postgres@127.0.0.1:5432"

CITY_SUBDISTRICTS = 200
CITY_HOUSEHOLDS = 10_000_000
PEOPLE_PER_HOUSEHOLD = 2.5
WORKING_DAYS = 250
# Share of a working day's requests that fall in its busiest hour.
PEAK_HOUR_SHARE = 0.2
# Cores are planned to run at this share at the peak hour, so a p95 stays low (queueing) and one
# server can be lost.
TARGET_UTILISATION = 0.5

# kind: (per year, per what, why)
WORKLOAD = {
    "intake": (0.5, "household", "a concern per two households a year, logged by staff or sent by residents"),
    "visit": (4, "household", "each household visited every quarter (走访全覆盖)"),
    "workbench": (20, "staff_day", "a staff member comes back to the workbench 20 times a working day"),
    "staff_page": (130, "staff_day", "and opens 130 other pages (ledgers, a concern, a household)"),
    "kpi": (5, "staff_day", "the KPI ledger a few times a day"),
    "dashboard": (2, "staff_day", "the dashboard twice a day (on a replica)"),
    "resident_home": (20, "resident_year", "a resident with an account opens the app 20 times a year"),
}
# Social workers, grid workers, chiefs and secretaries (the seeds: a micro-grid of 300–500 households).
STAFF_PER_SUBDISTRICT = 300
RESIDENTS_WITH_ACCOUNTS = 0.3  # share of people who sign in
# A city-wide emergency: every subdistrict calls up this many volunteers at once, within this time.
CALLUP_PER_SUBDISTRICT = 2_000
CALLUP_MINUTES = 10
# Rows a year per household of the tables that grow (beside the requests above): audit records of
# every write and messages (notifications, call-ups).
AUDIT_PER_WRITE = 1.5
MESSAGES_PER_HOUSEHOLD = 4


def measure_requests(repeat: int) -> dict[str, tuple[float, float]]:
    """CPU milliseconds (web, database) of each kind of request, serially, on the loaded district."""
    from django.conf import settings
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.core.tokens import create_token
    from gongzhi.org import selectors as org_selectors

    settings.ALLOWED_HOSTS = ["*"]
    worker = User.objects.get(username="socialworker")
    _item, token = create_token(actor=None, user=worker, name=f"capacity {uuid.uuid4().hex[:6]}")
    households = list(org_selectors.households_visible_to(worker).values_list("pk", flat=True)[:500])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api, staff, resident = Client(), Client(), Client()
    staff.force_login(User.objects.get(username="admin"))
    social = Client()
    social.force_login(worker)
    resident.force_login(User.objects.filter(kind=User.Kind.RESIDENT).order_by("pk").first())

    def post(path: str, body: dict, **headers) -> None:
        answer = api.post(path, json.dumps(body), content_type="application/json", **bearer, **headers)
        assert answer.status_code == 201, answer.content[:200]

    def get(client, path: str) -> None:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)

    kinds = {
        "intake": lambda n: post(
            "/api/v1/concerns",
            {
                "category": "parking",
                "description": f"容量测算 {n}",
                "household_id": households[n % len(households)],
            },
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        ),
        "visit": lambda n: post(
            "/api/v1/visits",
            {
                "household_id": households[n % len(households)],
                "raised": "一切都好",
                "idempotency_key": uuid.uuid4().hex,
            },
        ),
        "workbench": lambda n: get(social, "/"),
        "staff_page": lambda n: get(social, "/concerns/"),
        "kpi": lambda n: get(staff, "/concerns/kpi/"),
        "dashboard": lambda n: get(staff, "/insights/"),
        "resident_home": lambda n: get(resident, "/"),
    }
    costs = {}
    for kind, run in kinds.items():
        times = repeat if kind not in ("dashboard", "kpi") else max(3, repeat // 10)
        run(0)  # warm
        python, database = time.process_time(), postgres_cpu()
        for n in range(1, times + 1):
            run(n)
        web, db = 1000 * (time.process_time() - python) / times, 1000 * (postgres_cpu() - database) / times
        costs[kind] = (web, db)
        print(
            f"measured {kind}: {web:.1f} ms web + {db:.1f} ms database CPU a request ({times} requests)",
            flush=True,
        )
    return costs


def row_bytes(day: dict) -> dict[str, float]:
    """Bytes a new row adds, indexes included: as the district day measured them where it could
    (growth over its rows), otherwise the table's size over its rows."""
    if day.get("row_bytes"):
        return {table: day["row_bytes"].get(table) or 0.0 for table in GROWING}
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in GROWING:
            cursor.execute(
                f"SELECT {TOTAL_SIZE.format(table=table)}, (SELECT count(*) FROM {table})"  # noqa: S608
            )
            total, rows = cursor.fetchone()
            sizes[table] = total / max(1, rows)
    return sizes


def plan(day: dict, costs: dict[str, float], rows: dict[str, float]) -> dict:
    staff = CITY_SUBDISTRICTS * STAFF_PER_SUBDISTRICT
    residents = CITY_HOUSEHOLDS * PEOPLE_PER_HOUSEHOLD * RESIDENTS_WITH_ACCOUNTS
    per_day = {}
    for kind, (rate, per, _why) in WORKLOAD.items():
        base = {"household": CITY_HOUSEHOLDS * rate / WORKING_DAYS, "staff_day": staff * rate}
        per_day[kind] = base.get(per, residents * rate / WORKING_DAYS)
    peak = {kind: n * PEAK_HOUR_SHARE / 3600 for kind, n in per_day.items()}
    # Cores busy at the peak hour, in the web servers and in the database; dashboards read a replica.
    web = {kind: peak[kind] * costs[kind][0] / 1000 for kind in peak}
    database = {kind: peak[kind] * costs[kind][1] / 1000 for kind in peak}
    cpu = {kind: web[kind] + database[kind] for kind in peak}
    on_replica = database["dashboard"]
    web_cores = sum(web.values()) / TARGET_UTILISATION
    database_cores = (sum(database.values()) - on_replica) / TARGET_UTILISATION
    day_cpu = day["cpu_seconds"]
    # Fan-out: CPU per message measured in the day's workers; a city-wide call-up within its minutes.
    messages = CITY_SUBDISTRICTS * CALLUP_PER_SUBDISTRICT
    per_message = day_cpu["workers"] / max(1, day["messages"])
    worker_rate = day["messages"] / max(1e-9, day["fanout_seconds"])  # one worker process ran the fan-out
    workers = max(2, math.ceil(messages / (CALLUP_MINUTES * 60) / worker_rate))
    writes_a_year = CITY_HOUSEHOLDS * (WORKLOAD["intake"][0] + WORKLOAD["visit"][0])
    growth = (
        CITY_HOUSEHOLDS * WORKLOAD["intake"][0] * rows["concerns_concern"]
        + CITY_HOUSEHOLDS * WORKLOAD["visit"][0] * rows["concerns_visit"]
        + writes_a_year * AUDIT_PER_WRITE * rows["core_auditrecord"]
        + CITY_HOUSEHOLDS * MESSAGES_PER_HOUSEHOLD * rows["notifications_message"]
    )
    base = day["database_bytes"] / day["households"] * CITY_HOUSEHOLDS
    day_writes = (day["requests"]["intake"] + day["requests"]["visits"]) / day["seconds"]
    wal_per_write = day["wal_bytes"] / max(
        1, day["requests"]["intake"] + day["requests"]["visits"] + day["messages"]
    )
    peak_writes = peak["intake"] + peak["visit"]
    return {
        "per_day": per_day,
        "peak": peak,
        "cpu": cpu,
        "web_cores": web_cores,
        "database_cores": database_cores,
        "replica_cores": on_replica / TARGET_UTILISATION,
        "replicas": 2,  # one hot standby to fail over to, one for dashboards and reports
        "workers": workers,
        "worker_rate": worker_rate,
        "per_message_ms": 1000 * per_message,
        "base_gb": base / 1e9,
        "growth_gb_year": growth / 1e9,
        "peak_writes": peak_writes,
        "day_writes": day_writes,
        "wal_mb_hour_peak": peak_writes * wal_per_write * 3600 / 1e6,
        "wal_per_write": wal_per_write,
    }


def report(day: dict, costs: dict, rows: dict, p: dict) -> None:
    print(
        f"\nmeasured district: {day['households']:,} households, {day['subdistricts']} subdistricts, "
        f"{day['database_bytes'] / 1e9:.1f} GB; fan-out {p['worker_rate']:.0f} messages/s by one worker, "
        f"{p['per_message_ms']:.2f} ms worker CPU a message; {p['wal_per_write'] / 1e3:.1f} kB of WAL a write"
    )
    print("row sizes with indexes: " + ", ".join(f"{t} {b:,.0f} B" for t, b in rows.items()))
    print(f"\ncity: {CITY_SUBDISTRICTS} subdistricts, {CITY_HOUSEHOLDS:,} households")
    print(f"{'kind':<14}{'a day':>12}{'peak /s':>10}{'ms CPU':>9}{'cores':>8}  assumption")
    for kind, (rate, per, why) in WORKLOAD.items():
        print(
            f"{kind:<14}{p['per_day'][kind]:>12,.0f}{p['peak'][kind]:>10.1f}{sum(costs[kind]):>9.1f}{p['cpu'][kind]:>8.2f}  {rate} a {per}: {why}"
        )
    print(
        f"\nweb: {p['web_cores']:.1f} cores; database primary: {p['database_cores']:.1f} cores; replicas: "
        f"{p['replicas']} ({p['replica_cores']:.1f} cores of dashboards on one); workers: {p['workers']} "
        f"({CITY_SUBDISTRICTS * CALLUP_PER_SUBDISTRICT:,} call-up messages in {CALLUP_MINUTES} min)"
    )
    print(
        f"database: {p['base_gb']:.0f} GB of places and people, +{p['growth_gb_year']:.0f} GB a year; "
        f"peak writes {p['peak_writes']:.0f}/s (the district day sustained {p['day_writes']:.0f}/s on 2 cores), "
        f"WAL {p['wal_mb_hour_peak']:,.0f} MB in the peak hour"
    )
    total = math.ceil(p["web_cores"]) + math.ceil(p["database_cores"])
    print(
        f"plan: {CITY_SUBDISTRICTS} subdistricts, {CITY_HOUSEHOLDS:,} households: {math.ceil(p['web_cores'])} web cores, "
        f"{math.ceil(p['database_cores'])} database cores, {p['replicas']} replicas, {p['workers']} workers, "
        f"{p['base_gb'] + 3 * p['growth_gb_year']:.0f} GB after three years ({total} cores besides replicas and workers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="gongzhi_district")
    parser.add_argument("--repeat", type=int, default=100, help="requests of each kind measured")
    args = parser.parse_args()
    with open(os.path.join(ROOT, "var", f"district-day-{args.db}.json")) as f:
        day = json.load(f)
    os.environ.update(
        DATABASE_URL=f"{PG}/{args.db}",
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        GONGZHI_VAR_DIR=os.path.join(ROOT, "var", f"bench-{args.db}"),
        GONGZHI_TASKS="database",
        GONGZHI_MFA_REQUIRED="false",
        GONGZHI_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    if analyze_without_autovacuum():
        print("autovacuum is off on this server: statistics refreshed (ANALYZE) before measuring", flush=True)
    costs = measure_requests(args.repeat)
    rows = row_bytes(day)
    report(day, costs, rows, plan(day, costs, rows))


if __name__ == "__main__":
    main()
