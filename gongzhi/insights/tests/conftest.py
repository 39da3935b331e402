"""Concerns made from a slice of the real hot-issue messages, in area A and B of the `world`."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.concerns.intelligence.timestamps import parse_time
from gongzhi.concerns.models import Category, Concern

SAMPLE = (
    Path(__file__).resolve().parents[2] / "concerns" / "tests" / "fixtures" / "hot_issue_messages_sample.csv"
)


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def make_concerns(world, rows, *, now=None, neighborhood=None, spread=None) -> list[Concern]:
    """One concern per message, its time moved so the newest message arrived a day before `now`;
    every third message lies in neighborhood B, the rest in A (or all in `neighborhood`, or in turn
    in the neighborhoods of `spread`)."""
    now = now or timezone.now()
    category, _ = Category.objects.get_or_create(subdistrict=None, code="other", defaults={"name": "其他"})
    times = [parse_time(r["time"]) for r in rows]
    latest = max(t for t in times if t)
    shift = now - timedelta(days=1) - timezone.make_aware(latest)
    concerns = []
    for i, (row, when) in enumerate(zip(rows, times, strict=True)):
        accepted = timezone.make_aware(when or latest) + shift
        if spread:
            nb = spread[i % len(spread)]
        else:
            nb = neighborhood or (world.neighborhood_b if i % 3 == 2 else world.neighborhood_a)
        concerns.append(
            Concern(
                subdistrict=nb.subdistrict,
                neighborhood=nb,
                category=category,
                title=row["title"][:120],
                description=row["body"][:4000] or row["title"],
                channel="hotline",
                tier="minor",
                tier_by_rule="minor",
                handler_kind="residents_committee",
                accepted_at=accepted,
                response_due=accepted + timedelta(days=1),
                resolution_due=accepted + timedelta(days=5),
                reporter_name="张三丰",
                households_affected=1 + min(int(row.get("supports") or 0), 50),
            )
        )
    return Concern.objects.bulk_create(concerns)


@pytest.fixture
def concerns(world):
    return make_concerns(world, sample_rows())
