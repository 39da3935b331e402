"""The KPI page of a subdistrict admin over 1,000,000 concerns on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/kpi_page.py
    … --concerns 1000000 --requests 30

The database named by DATABASE_URL is created if missing, migrated and written to: never point it
at real data. One bench town (30 neighborhoods, 300 micro-grids, 12,000 households, 60 workers) gets
its concerns spread over 24 months and 200,000 visits, inserted by SQL (generate_series) once and
reused on later runs. Gunicorn then serves it as production runs it (bench/serve.py, as for
bench/concern_intake.py); the admin signs in over HTTP with a password and fetches the page month
by month, for each grouping, over one keep-alive connection. Last line:
`kpi: p95 M ms over N concerns`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys
import tempfile
import time
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import serve  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench")
os.environ.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-kpi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
# The bench's server shares these; the admin signs in with a password, and a second factor would
# only send it to the enrolment page.
os.environ.setdefault("GONGZHI_MFA_REQUIRED", "false")

TOWN = "KPIBENCH"
MONTHS = 24
FIRST = "2024-12-01 00:00:00+08"


def setup_django():
    serve.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_town():
    """The bench town with its places and staff, made once."""
    from gongzhi.accounts.models import User
    from gongzhi.org import factories as f
    from gongzhi.org import services
    from gongzhi.org.models import Household, Subdistrict

    town = Subdistrict.objects.filter(code=TOWN).first()
    if town is not None:
        return town
    town = f.SubdistrictFactory(name="指标压测镇", code=TOWN)
    households = []
    for n in range(30):
        nb = f.NeighborhoodFactory(subdistrict=town, name=f"压测{n:02d}居民区", code=f"{TOWN}-{n:02d}")
        compound = f.CompoundFactory(neighborhood=nb, name=f"压测{n:02d}苑")
        for g in range(10):
            grid = f.MicroGridFactory(neighborhood=nb, code=f"{TOWN}-{n:02d}-{g}", name=f"{n:02d}-{g}网格")
            building = f.BuildingFactory(compound=compound, micro_grid=grid, number=f"{g + 1}号楼")
            households += [
                Household(building=building, neighborhood=nb, micro_grid=grid, room=str(101 + r))
                for r in range(40)
            ]
        for w in range(2):
            user = User.objects.create_user(username=f"kpi_worker_{n:02d}_{w}", password=None, is_staff=True)
            services.assign_role(actor=None, user=user, role="social_worker", unit=nb)
    Household.objects.bulk_create(households, batch_size=2000)
    admin = User.objects.create_user(username="kpi_bench_admin", password=None, is_staff=True)
    services.assign_role(actor=None, user=admin, role="subdistrict_admin", unit=town)
    return town


def fill(town, concerns: int, visits: int) -> int:
    """Insert concerns and visits up to the wanted numbers with one SQL statement each."""
    from django.db import connection

    from gongzhi.concerns.models import Category, Concern, Visit

    have = Concern.objects.filter(subdistrict=town).count()
    if have >= concerns:
        return have
    category_ids = list(Category.objects.values_list("id", flat=True)) or [
        Category.objects.create(code="parking", name="停车").pk
    ]
    with connection.cursor() as cur:
        cur.execute(
            CONCERN_SQL,
            {
                "town": town.pk,
                "n": concerns - have,
                "offset": have,
                "cats": category_ids,
                "first": FIRST,
                "days": MONTHS * 30.4,
            },
        )
        if not Visit.objects.filter(subdistrict=town).exists():
            cur.execute(VISIT_SQL, {"town": town.pk, "n": visits, "first": FIRST, "days": MONTHS * 30.4})
        cur.execute("ANALYZE concerns_concern; ANALYZE concerns_visit;")
    return Concern.objects.filter(subdistrict=town).count()


# Each concern: a household's building, grid and neighborhood; a worker of that neighborhood; 90 %
# closed within 1–200 hours; ratings 6:3:1 satisfied/basically/dissatisfied among closed; 85 %
# responded on time; 5 % overdue.
CONCERN_SQL = """
WITH h AS (
  SELECT row_number() OVER (ORDER BY hh.id) - 1 AS k, hh.id, hh.building_id, hh.micro_grid_id, hh.neighborhood_id
  FROM org_household hh JOIN org_neighborhood nb ON nb.id = hh.neighborhood_id WHERE nb.subdistrict_id = %(town)s
), w AS (
  SELECT ra.neighborhood_id, array_agg(ra.user_id ORDER BY ra.user_id) AS users
  FROM org_roleassignment ra WHERE ra.role = 'social_worker' AND ra.subdistrict_id = %(town)s GROUP BY 1
), s AS (
  SELECT i, %(first)s::timestamptz + (i::float / (%(n)s + %(offset)s) * %(days)s) * interval '1 day' AS at,
         (i::bigint * 7919) %% (SELECT count(*) FROM h) AS k
  FROM generate_series(%(offset)s + 1, %(offset)s + %(n)s) AS i
)
INSERT INTO concerns_concern (
  subdistrict_id, neighborhood_id, micro_grid_id, building_id, household_id, category_id, title, description,
  channel, place, households_affected, urgent, tier, tier_by_rule, tier_reason, state, version, handler_kind,
  accepted_at, response_due, resolution_due, responded_at, responded_on_time, closed_at, close_hours, overdue,
  escalation_level, rating, reopen_count, reporter_name, reporter_phone, created_by_id, public_token,
  published, supporters
)
SELECT %(town)s, h.neighborhood_id, h.micro_grid_id, h.building_id, h.id,
  (%(cats)s::bigint[])[1 + s.i %% cardinality(%(cats)s::bigint[])], '压测诉求 ' || s.i, '压测诉求内容',
  'hotline', '', 1, false, 'minor', 'minor', '',
  CASE WHEN s.i %% 10 = 0 THEN 'handling' ELSE 'closed' END, 1, 'residents_committee',
  s.at, s.at + interval '1 day', s.at + interval '7 days', s.at + interval '3 hours', s.i %% 20 <> 0,
  CASE WHEN s.i %% 10 = 0 THEN NULL ELSE s.at + (1 + s.i %% 200) * interval '1 hour' END,
  CASE WHEN s.i %% 10 = 0 THEN NULL ELSE 1 + s.i %% 200 END,
  s.i %% 20 = 1, 0,
  CASE WHEN s.i %% 10 = 0 THEN '' WHEN s.i %% 10 IN (1,2,3,4,5,6) THEN 'satisfied'
       WHEN s.i %% 10 IN (7,8) THEN 'basically' ELSE 'dissatisfied' END,
  0, '', '', w.users[1 + s.i %% 2], md5(s.i::text || 'kpi'), false, 0
FROM s
JOIN h ON h.k = s.k
JOIN w ON w.neighborhood_id = h.neighborhood_id
"""

VISIT_SQL = """
WITH h AS (
  SELECT row_number() OVER (ORDER BY hh.id) - 1 AS k, hh.id, hh.building_id, hh.micro_grid_id, hh.neighborhood_id
  FROM org_household hh JOIN org_neighborhood nb ON nb.id = hh.neighborhood_id WHERE nb.subdistrict_id = %(town)s
), w AS (
  SELECT ra.neighborhood_id, min(ra.user_id) AS user_id FROM org_roleassignment ra
  WHERE ra.role = 'social_worker' AND ra.subdistrict_id = %(town)s GROUP BY 1
), s AS (
  SELECT i, (i::bigint * 104729) %% (SELECT count(*) FROM h) AS k FROM generate_series(1, %(n)s) AS i
)
INSERT INTO concerns_visit (subdistrict_id, neighborhood_id, micro_grid_id, building_id, household_id, worker_id,
  visited_at, channel, raised, handled, suggestions)
SELECT %(town)s, h.neighborhood_id, h.micro_grid_id, h.building_id, h.id, w.user_id,
  %(first)s::timestamptz + (s.i::float / %(n)s * %(days)s) * interval '1 day', 'door', '', '', ''
FROM s
JOIN h ON h.k = s.k
JOIN w ON w.neighborhood_id = h.neighborhood_id
"""


PASSWORD = "kpi-bench-Pass-2026"


class Browser:
    """A keep-alive HTTP client with a cookie jar: enough to sign in and fetch pages."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.conn.port}{path}"  # Django's CSRF origin check
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def sign_in(self, username: str) -> None:
        _status, _location, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        if status != 302 or "login" in location:
            sys.exit(f"signing in failed: {status} {location}")


def measure(port: int, requests: int) -> list[float]:
    from gongzhi.accounts.models import User

    admin = User.objects.get(username="kpi_bench_admin")
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    from django.db import connections

    connections.close_all()
    browser = Browser(port)
    browser.sign_in("kpi_bench_admin")
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(MONTHS - 1)]
    groups = ["neighborhood", "micro_grid", "worker", "subdistrict"]
    browser.request("GET", f"/concerns/kpi/?month={months[0]}")  # warm-up: connection, templates
    times = []
    for n in range(requests):
        query = urlencode({"month": months[n % len(months)], "by": groups[n % len(groups)]})
        start = time.perf_counter()
        status, location, page = browser.request("GET", f"/concerns/kpi/?{query}")
        times.append(time.perf_counter() - start)
        if status != 200 or "<html" not in page:
            sys.exit(f"KPI page answered {status} {location}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    setup_django()
    town = build_town()
    start = time.perf_counter()
    total = fill(town, args.concerns, args.visits)
    print(f"{total:,} concerns in the bench town (filled in {time.perf_counter() - start:.1f} s)")
    port = serve.free_port()
    server = serve.start_gunicorn(port, args.workers, args.threads)
    try:
        times = sorted(measure(port, args.requests))
    finally:
        serve.stop(server)
    p95 = times[int(0.95 * (len(times) - 1))] * 1000
    print(f"median {times[len(times) // 2] * 1000:.0f} ms over {len(times)} pages (4 groupings × months)")
    print(f"kpi: p95 {p95:.0f} ms over {total} concerns")


if __name__ == "__main__":
    main()
