"""The hot queries of a district-sized installation are served by indexes, checked with the
engine's own plan (EXPLAIN): the audit trail of an area, a person's unread messages, the delivery
queue, a household's last visit, a neighborhood's concerns and the overdue ones.

Test tables are tiny, where a planner rightly prefers reading the whole table; PostgreSQL is
therefore asked with sequential scans priced out (`enable_seqscan = off`), which answers "could
an index serve this?"; SQLite's planner uses an index whenever one fits."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.concerns.models import Concern
from gongzhi.concerns.selectors import overdue_q
from gongzhi.core.models import AuditRecord
from gongzhi.notifications import services as notify
from gongzhi.notifications.models import Message
from gongzhi.notifications.selectors import unread_count  # noqa: F401  (the query checked below)
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db


def _full_scans(queryset) -> list[str]:
    """Lines of the plan that read a whole table."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    if connection.vendor == "postgresql":
        return [line for line in plan.splitlines() if "Seq Scan" in line]
    return [
        line
        for line in plan.splitlines()
        if " SCAN " in f" {line} " and "INDEX" not in line and "sqlite_" not in line
    ]


HOT = {
    "audit trail of a subdistrict, newest first": lambda: AuditRecord.objects.filter(
        subdistrict_id=1
    ).order_by("-at", "-id")[:50],
    "audit trail of a day": lambda: AuditRecord.objects.filter(
        at__gte=timezone.now() - timedelta(days=1), at__lt=timezone.now()
    ),
    "a person's unread messages": lambda: Message.objects.filter(
        user_id=1, channel=Message.Channel.INBOX, read_at__isnull=True
    ),
    "the delivery queue": lambda: Message.objects.filter(notify._due(timezone.now())).order_by("id")[:500],
    "a household's last visit": lambda: Visit.objects.filter(household_id=1).order_by("-visited_at")[:1],
    "a worker's visits of a month": lambda: Visit.objects.filter(
        worker_id=1, visited_at__gte=timezone.now() - timedelta(days=30)
    ),
    "a neighborhood's concerns of a month": lambda: Concern.objects.filter(
        neighborhood_id=1, accepted_at__gte=timezone.now() - timedelta(days=30)
    ),
    "overdue open concerns": lambda: Concern.objects.filter(overdue_q(), subdistrict_id=1),
}


@pytest.mark.parametrize("name", HOT)
def test_a_hot_query_is_served_by_an_index(name):
    assert _full_scans(HOT[name]()) == [], name
