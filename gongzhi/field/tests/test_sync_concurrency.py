"""The same batch from two clients at once (two tabs, two phones of one account): each item is
created once and both answer with the same ids. Real threads and transactions, both engines
(PostgreSQL is where the two inserts truly overlap)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.testing import run_together
from gongzhi.field import services
from gongzhi.field.models import SyncReceipt
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_batch_twice_at_once_creates_each_item_once(world):
    worker = world.users["grid_worker"]
    made = timezone.now() - timedelta(hours=1)
    batch = [
        {
            "key": str(uuid.uuid4()),
            "kind": "visit",
            "made_at": (made + timedelta(minutes=n)).isoformat(),
            "payload": {"household_id": world.household_a.pk, "raised": f"第{n}条"},
        }
        for n in range(20)
    ]
    outcomes = run_together(*(lambda: services.sync(actor=worker, items=batch) for _ in range(3)))
    for outcome in outcomes:
        assert isinstance(outcome, list), outcome
    assert Visit.objects.count() == 20 and SyncReceipt.objects.count() == 20
    ids = [[r["id"] for r in outcome] for outcome in outcomes]
    assert ids[0] == ids[1] == ids[2] and None not in ids[0]
    statuses = [r["status"] for outcome in outcomes for r in outcome]
    assert statuses.count("created") == 20 and statuses.count("duplicate") == 40
    assert sorted(Visit.objects.values_list("visited_at", flat=True)) == [
        made + timedelta(minutes=n) for n in range(20)
    ]
