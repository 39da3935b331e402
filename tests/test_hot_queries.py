"""The hot queries of a district-sized installation are served by indexes, checked with the
engine's own plan (EXPLAIN): the audit trail of an area, a person's unread messages, the delivery
queue, a household's last visit, a neighborhood's concerns and the overdue ones.

Test tables are tiny, where a planner rightly prefers reading the whole table; PostgreSQL is
therefore asked with sequential scans priced out (`enable_seqscan = off`), which answers "could
an index serve this?"; SQLite's planner uses an index whenever one fits."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.concerns.models import Concern
from gongzhi.concerns.selectors import overdue_q
from gongzhi.core.audit_partitions import month_start, next_month, partition_name
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


def _audit_month_page():
    """The audit page filtered to one month of one subdistrict, as core.selectors builds it."""
    start = month_start(timezone.now())
    return AuditRecord.objects.filter(subdistrict_id=1, at__gte=start, at__lt=next_month(start)).order_by(
        "-at", "-id"
    )[:50]


HOT = {
    "audit trail of a subdistrict, newest first": lambda: AuditRecord.objects.filter(
        subdistrict_id=1
    ).order_by("-at", "-id")[:50],
    "audit trail of a day": lambda: AuditRecord.objects.filter(
        at__gte=timezone.now() - timedelta(days=1), at__lt=timezone.now()
    ),
    "the audit page of one month, newest first": _audit_month_page,
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


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit trail is partitioned on PostgreSQL only"
)
def test_a_month_of_the_audit_page_reads_only_that_months_partition():
    """Months are the installation's calendar months (core/audit_partitions.py): the planner prunes
    every other partition, DEFAULT included."""
    plan = _audit_month_page().explain()
    read = set(re.findall(r"on (core_auditrecord_(?:y\d{4}m\d{2}|default))\b", plan))
    assert read == {partition_name(month_start(timezone.now()))}, plan
