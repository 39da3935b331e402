"""Background work on Django's tasks framework, with the worker backend of a deployment.

The embedded demo runs tasks in-process (Django's immediate backend, after the commit). A
deployment sets `GONGZHI_TASKS=database`: tasks become rows of django-tasks-db's table, written in
the same transaction as the data that asked for them (nothing is lost between a commit and an
enqueue, as it can be with a queue in another engine), and `gongzhi worker` processes take them.

Three guarantees are added here, because the framework leaves them to the application:
- `enqueue`: in-process backends run the task after the commit (never on rolled-back data);
  the database backend writes the task inside the caller's transaction.
- `retried`: a task that raises is enqueued again with exponential backoff, up to `attempts`.
- Workers beat a heartbeat; a worker killed in the middle of a task (SIGKILL, a lost machine)
  stops beating, and `reap` puts its running tasks back in the queue. Every task is idempotent,
  so a task run again finds its work done and does nothing twice.
"""

import functools
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.tasks import task_backends
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
# A worker beats every HEARTBEAT; one silent for `stale()` is taken for dead.
HEARTBEAT = timedelta(seconds=2)


# This process's tag: work it claims outside the task table (e.g. messages being sent) carries
# it, so what a dead worker held can be released when it is found dead (`worker_lost`).
PROCESS_TAG = uuid.uuid4().hex[:8]
# Sent once per worker found silent, with its `tag`: apps release what it had claimed.
worker_lost = Signal()


def claim_token() -> str:
    """A 32-character claim token that starts with this process's tag."""
    return PROCESS_TAG + uuid.uuid4().hex[:24]


def stale() -> timedelta:
    return timedelta(seconds=getattr(settings, "GONGZHI_WORKER_STALE_SECONDS", 20))


def uses_workers() -> bool:
    return type(task_backends["default"]).__module__.startswith("django_tasks_db.")


def database_aliases() -> list[str]:
    """The task backends whose tasks `gongzhi worker` runs, "default" first."""
    return [
        alias
        for alias in settings.TASKS
        if type(task_backends[alias]).__module__.startswith("django_tasks_db.")
    ]


def enqueue(task, *args, **kwargs) -> None:
    """Enqueue `task` for after the current transaction (if any) commits."""
    if uses_workers():
        task.enqueue(*args, **kwargs)  # the row commits (or rolls back) with the caller's data
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)


def enqueue_once(task, *args, **kwargs) -> None:
    """`enqueue`, unless the same task is already waiting in the workers' queue (a wake-up call
    such as "deliver what is due": one waiting is enough)."""
    if uses_workers():
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
            return
    enqueue(task, *args, **kwargs)


def backoff(attempt: int, base_seconds: float = 10) -> timedelta:
    """10 s, 20 s, 40 s … capped at an hour."""
    return timedelta(seconds=min(3600, base_seconds * 2 ** max(0, attempt - 1)))


def retried(attempts: int = 5, base_seconds: float = 10):
    """Put under `@task`: a failure enqueues the same call again after `backoff`, carrying the
    attempt number in the `attempt` keyword, until `attempts` runs have failed."""

    def decorate(func):
        @functools.wraps(func)
        def run(*args, attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < attempts and uses_workers():
                    itself = import_string(f"{func.__module__}.{func.__qualname__}")
                    later = itself.using(run_after=timezone.now() + backoff(attempt, base_seconds))
                    later.enqueue(*args, attempt=attempt + 1, **kwargs)
                    log.warning("task %s failed (attempt %d), retried later", func.__qualname__, attempt)
                raise

        return run

    return decorate


def beat(worker_id: str) -> None:
    from gongzhi.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now(), "tag": PROCESS_TAG}
    )


def reap(*, now=None) -> int:
    """Put back in the queue the running tasks of workers that stopped beating, and tell the apps
    (`worker_lost`) to release what those workers had claimed. Returns how many tasks were requeued."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from gongzhi.core.models import WorkerHeartbeat

    now = now or timezone.now()
    silent = WorkerHeartbeat.objects.filter(seen_at__lt=now - stale())
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - stale()).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).select_for_update(
            skip_locked=True
        )
        for row in running:
            if row.worker_ids and row.worker_ids[-1] not in alive:
                row.status, row.started_at = TaskResultStatus.READY, None
                row.save(update_fields=["status", "started_at"])
                requeued += 1
                log.warning("task %s of silent worker %s requeued", row.id, row.worker_ids[-1])
    for worker in silent:
        # Deleted first: of several reapers, only the one whose delete took the row tells.
        if WorkerHeartbeat.objects.filter(pk=worker.pk, seen_at=worker.seen_at).delete()[0]:
            worker_lost.send(sender=WorkerHeartbeat, worker_id=worker.worker_id, tag=worker.tag)
    return requeued
