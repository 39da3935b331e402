"""The KPI page of a subdistrict admin over 1,000,000 concerns on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/kpi_page.py
    … --concerns 1000000 --requests 30

The database named by DATABASE_URL is created if missing, migrated and written to: never point it
at real data. One bench town (30 neighborhoods, 300 micro-grids, 12,000 households, 60 workers) gets
its concerns spread over 24 months and 200,000 visits, inserted by SQL (generate_series) once and
reused on later runs. The page is rendered in-process through Django's test client (view, queries
and template: what the server spends), month by month, for each grouping. Last line:
`kpi: p95 M ms over N concerns`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench")
os.environ.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-kpi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
# The bench signs its admin in directly (force_login); a second factor would only redirect.
os.environ.setdefault("GONGZHI_MFA_REQUIRED", "false")

TOWN = "KPIBENCH"
MONTHS = 24
FIRST = "2024-12-01 00:00:00+08"


def setup_django():
    from bench.concern_intake import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
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
        cur.execute(CONCERN_SQL, {"town": town.pk, "n": concerns - have, "offset": have, "cats": category_ids,
                                  "first": FIRST, "days": MONTHS * 30.4})  # fmt: skip
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
  escalation_level, rating, reopen_count, reporter_name, reporter_phone, created_by_id, public_token
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
  0, '', '', w.users[1 + s.i %% 2], md5(s.i::text || 'kpi')
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


def measure(requests: int) -> list[float]:
    from django.test import Client

    from gongzhi.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="kpi_bench_admin"))
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(MONTHS - 1)]
    groups = ["neighborhood", "micro_grid", "worker", "subdistrict"]
    client.get("/concerns/kpi/", {"month": months[0]})  # warm-up: connection, templates
    times = []
    for n in range(requests):
        params = {"month": months[n % len(months)], "by": groups[n % len(groups)]}
        start = time.perf_counter()
        response = client.get("/concerns/kpi/", params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    town = build_town()
    start = time.perf_counter()
    total = fill(town, args.concerns, args.visits)
    print(f"{total:,} concerns in the bench town (filled in {time.perf_counter() - start:.1f} s)")
    times = sorted(measure(args.requests))
    p95 = times[int(0.95 * (len(times) - 1))] * 1000
    print(f"median {times[len(times) // 2] * 1000:.0f} ms over {len(times)} pages (4 groupings × months)")
    print(f"kpi: p95 {p95:.0f} ms over {total} concerns")


if __name__ == "__main__":
    main()
