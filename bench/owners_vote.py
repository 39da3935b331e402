"""Paper ballots on an owners' vote of a 3,072-owner compound, entered through the vote page's own
endpoint (the htmx partial the page posts), as staff type them in after a collection round.

    .venv/bin/python bench/owners_vote.py                       # a throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench_votes .venv/bin/python bench/owners_vote.py

The database is created if missing, migrated and written to: never point it at real data. One
compound of 32 buildings × 96 flats gets an open owners' vote (art. 278 item 4); a neighborhood
secretary opens the vote page (first electorate page, a search by building and room) and enters
300 paper ballots one by one with the Django test client, each a POST with HX-Request as the page
sends it. Last line: `owners_vote: p95 M ms per ballot over 300 ballots, 3072 owners`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import serve  # noqa: E402

os.environ.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-votes-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
os.environ.setdefault("GONGZHI_MFA_REQUIRED", "false")

BUILDINGS, FLATS = 32, 96  # 3,072 owners


def setup_django():
    if os.environ.get("DATABASE_URL"):
        serve.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's host is allowed


def build_compound():
    """A compound of 3,072 owned flats and the secretary of its neighborhood, made once."""
    from gongzhi.accounts.models import User
    from gongzhi.org import factories as f
    from gongzhi.org import services
    from gongzhi.org.models import Compound, Household, Resident

    compound = Compound.objects.filter(name="表决压测苑").first()
    secretary = User.objects.filter(username="votes_bench_secretary").first()
    if compound is not None:
        return compound, secretary
    nb = f.NeighborhoodFactory(name="表决压测居民区")
    compound = f.CompoundFactory(neighborhood=nb, name="表决压测苑")
    households = []
    for b in range(BUILDINGS):
        building = f.BuildingFactory(compound=compound, neighborhood=nb, number=f"{b + 1}号楼")
        households += [
            Household(
                building=building,
                neighborhood=nb,
                room=f"{floor + 1}{unit + 1:02d}",
                floor_area=Decimal("60.00") + Decimal(b * FLATS + floor * 8 + unit) / 100,
            )
            for floor in range(12)
            for unit in range(8)
        ]
    Household.objects.bulk_create(households, batch_size=1000)
    created = Household.objects.filter(building__compound=compound).order_by("pk")
    Resident.objects.bulk_create(
        [Resident(household=h, name=f"业主{i:04d}", is_owner=True) for i, h in enumerate(created)],
        batch_size=1000,
    )
    secretary = User.objects.create_user(username="votes_bench_secretary", password=None, is_staff=True)
    services.assign_role(actor=None, user=secretary, role="neighborhood_secretary", unit=nb)
    return compound, secretary


def open_vote(compound, secretary):
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.deliberation import services
    from gongzhi.deliberation.models import Vote

    started = time.perf_counter()
    vote = services.create_vote(
        actor=secretary,
        kind=Vote.Kind.OWNERS,
        subject=f"续聘物业服务企业（压测 {timezone.now():%H%M%S}）",
        compound=compound,
        owners_item=4,
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    vote = services.open_vote(actor=secretary, vote=vote)
    print(f"vote set up and opened in {time.perf_counter() - started:.1f} s: {vote.electors.count()} owners")
    return vote


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.urls import reverse

    from gongzhi.deliberation.models import VoterReceipt

    compound, secretary = build_compound()
    vote = open_vote(compound, secretary)
    client = Client()
    client.force_login(secretary)
    ms, page = timed(lambda: client.get(reverse("deliberation:vote", args=[vote.pk])))
    assert page.status_code == 200, page.status_code
    warm, _page = timed(lambda: client.get(reverse("deliberation:vote", args=[vote.pk])))
    print(f"vote page (first 50 of {vote.electors.count()} owners): {ms:.0f} ms cold, {warm:.0f} ms warm")
    ms, found = timed(
        lambda: client.get(reverse("deliberation:vote_electors", args=[vote.pk]), {"q": "17 803"})
    )
    assert found.status_code == 200 and "17号楼 803" in found.content.decode()
    print(f"search '17 803': {ms:.0f} ms")
    url = reverse("deliberation:paper_ballot", args=[vote.pk])
    electors = list(vote.electors.order_by("?").values_list("pk", flat=True)[: args.ballots])
    times = []
    for i, pk in enumerate(electors):
        choice = ("yes", "no", "abstain")[i % 3]
        data = {"elector": pk, "choice": choice}
        ms, response = timed(lambda data=data: client.post(url, data, HTTP_HX_REQUEST="true"))
        body = response.content.decode()
        assert response.status_code == 200 and 'data-voted="yes"' in body and 'role="alert"' not in body, body
        times.append(ms)
    entered = VoterReceipt.objects.filter(vote=vote, channel="paper", voided_at__isnull=True).count()
    assert entered == len(electors), (entered, len(electors))
    print(f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    print(
        f"owners_vote: p95 {p95(times):.0f} ms per ballot over {len(times)} ballots, "
        f"{vote.electors.count()} owners"
    )


if __name__ == "__main__":
    main()
