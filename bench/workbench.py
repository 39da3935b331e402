"""The workbench of every role on the demo subdistrict, and the resident home: p95 per role.

    .venv/bin/python manage.py demo load          # once: the demo town (the default SQLite file)
    .venv/bin/python bench/workbench.py [--requests 30]
    DATABASE_URL=postgres://… .venv/bin/python bench/workbench.py   # against a loaded PostgreSQL

Each demo login with a role (one per role, as `demo load` makes them; the duty accounts, whose "/"
is their one page, left out) signs in through Django's
test client and fetches `/` (the workbench, or the resident home for the demo resident) the given
number of times after one warm-up request; the page is rendered in full, every selector included,
inside this process. Staff roles also fetch the area in figures (`/workbench/area/`, which the page
loads after itself through htmx) as many times, timed on its own. Reads only: the database is not
changed. Last lines: `workbench: p95 M ms over R roles (target < 300 ms)` and the same for the area.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
os.environ.setdefault("GONGZHI_MFA_REQUIRED", "false")

TARGET_MS = 300


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def accounts():
    """(label, user) for every role held in the demo subdistrict, one user each, and a resident."""
    from gongzhi.accounts.models import User
    from gongzhi.core.roles import DUTY_ROLES
    from gongzhi.org.models import RoleAssignment, Subdistrict

    town = Subdistrict.objects.filter(name="杨行镇").first() or Subdistrict.objects.order_by("pk").first()
    if town is None:
        sys.exit("No subdistrict: run `manage.py demo load` first.")
    seen, found = set(), []
    for a in RoleAssignment.objects.filter(subdistrict=town).select_related("user").order_by("role", "pk"):
        # The duty accounts (三员) have no workbench: "/" sends them to their one page.
        if a.role not in seen and a.role not in DUTY_ROLES:
            seen.add(a.role)
            found.append((a.role, a.user))
    resident = User.objects.filter(kind=User.Kind.RESIDENT).order_by("pk").first()
    if resident is not None:
        found.append(("resident", resident))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.urls import reverse

    area_url = reverse("core:workbench_area")
    every: list[float] = []
    every_area: list[float] = []
    rows = accounts()
    for role, user in rows:
        client = Client()
        client.force_login(user)
        first = client.get("/")
        if first.status_code != 200:
            sys.exit(f"{role}: / answered {first.status_code}")
        times = timed(client, "/", args.requests)
        every += times
        items = first.content.decode().count('data-item="')
        line = f"{role:26} p95 {p95(times):6.1f} ms  median {statistics.median(times):6.1f} ms  items {items}"
        if role != "resident":
            client.get(area_url)
            area = timed(client, area_url, args.requests)
            every_area += area
            line += f"  | area p95 {p95(area):6.1f} ms"
        print(line, flush=True)
    print(f"workbench: p95 {p95(every):.0f} ms over {len(rows)} roles (target < {TARGET_MS} ms)")
    print(
        f"area in figures: p95 {p95(every_area):.0f} ms over {len(rows) - 1} staff roles (loaded after the page)"
    )


def timed(client, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


if __name__ == "__main__":
    main()
