"""Tasks the job tests enqueue (a worker process imports them by path)."""

import time
from pathlib import Path

from django.tasks import task

from gongzhi.core import jobs


@task
def mark_then_linger(path: str, seconds: float) -> str:
    """Does its work (a line in a file, once: the task is idempotent), then lingers as a long
    task would: a worker killed while it lingers has done the work but not recorded the task as
    finished."""
    marker = Path(path)
    if marker.exists():
        return "found done"
    with marker.open("a") as out:
        out.write("done\n")
    time.sleep(seconds)
    return "done"


@task
@jobs.retried(attempts=3, base_seconds=1)
def fails(key: str) -> None:
    raise RuntimeError(f"gateway down for {key}")
