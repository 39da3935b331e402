"""Rule caches answer from memory and forget on save or delete of their model."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.concerns import deadlines
from gongzhi.concerns.models import TimeLimit


def test_time_limits_are_read_once_and_forgotten_on_save(db):
    with CaptureQueriesContext(connection) as first:
        before = deadlines._limits(None, "minor")
    with CaptureQueriesContext(connection) as again:
        assert deadlines._limits(None, "minor") == before
    assert len(first) == 1 and len(again) == 0

    TimeLimit.objects.update_or_create(
        category=None, tier="minor", defaults={"response_days": 9, "resolution_days": 19}
    )
    assert deadlines._limits(None, "minor") == (9, 19)

    TimeLimit.objects.filter(category=None, tier="minor").get().delete()
    assert deadlines._limits(None, "minor") != (9, 19)
