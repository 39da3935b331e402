"""Tasks the job tests enqueue (a worker process imports them by path)."""

import time

from django.tasks import task
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.core.models import WorkerHeartbeat


@task
def mark_then_linger(key: str, seconds: float) -> str:
    """Does its work (one marker row, idempotent), then lingers as a long task would: a worker
    killed while it lingers has done the work but not recorded the task as finished."""
    _row, created = WorkerHeartbeat.objects.get_or_create(
        worker_id=f"done-{key}", defaults={"seen_at": timezone.now()}
    )
    if created:
        time.sleep(seconds)
    return "done" if created else "found done"


@task
@jobs.retried(attempts=3, base_seconds=1)
def fails(key: str) -> None:
    raise RuntimeError(f"gateway down for {key}")
