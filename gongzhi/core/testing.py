"""Helpers the test suites of every app share."""

import threading

from django.db import connection


def run_together(*calls, timeout: float = 60) -> list:
    """Start the calls in threads at one barrier so their transactions overlap; return each
    call's result or the exception it raised, in order. Each thread closes its own connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001  (the outcome is what the test inspects)
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


def image_bytes(fmt: str = "PNG", *, size: tuple[int, int] = (8, 8), gps: bool = False) -> bytes:
    """A real, decodable image (uploads decode every photo in full); `gps` adds an EXIF GPS block
    and a camera make such as a phone writes."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 40, 40))
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 21.0, 0.0), 3: "E", 4: (121.0, 25.0, 0.0)}  # GPSInfo
        options["exif"] = exif
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


# The suite's worker (GONGZHI_TASKS=database under pytest): django-tasks-db's own Worker takes
# the ready tasks right after each commit that enqueued some, as a `gongzhi worker` polling the
# task table would. Only the suite installs it (conftest.py); production code never sees it.
SUITE_WORKER_ID = "suite"
_draining = threading.local()


def drain_tasks(alias: str) -> int:
    """Run the ready tasks of the database-backed `alias` until none is ready; return how many ran.

    Claims and runs each task as `Worker.run` does (locked, claimed, `run_task`), without the
    loop itself: `run` calls `close_old_connections`, which inside a test's transaction (a
    captured on-commit callback) would close the connection the test still holds. Tasks whose
    `run_after` is still ahead stay queued, as with a real worker.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    if getattr(_draining, "active", False):
        return 0  # a task enqueued by a task being run here: this loop takes it next
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=alias,
        startup_delay=False,
        max_tasks=None,
        worker_id=SUITE_WORKER_ID,
        excluded_queue_names=[],
    )
    _draining.active = True
    try:
        while True:
            ready = DBTaskResult.objects.ready().filter(backend_name=alias)
            with exclusive_transaction(ready.db):
                task_result = ready.get_locked()
                if task_result is not None:
                    task_result.claim(worker.worker_id)
            if task_result is None:
                return worker._run_tasks
            worker.run_task(task_result)
    finally:
        _draining.active = False


_suite_worker = {"on": True}


def suite_worker_enabled(on: bool) -> None:
    """Turn the suite's worker off for a test that runs real `gongzhi worker` processes."""
    _suite_worker["on"] = on


def run_tasks_after_commit(sender, task_result, **kwargs) -> None:
    """`task_enqueued` receiver: drain the task's alias once the enqueuing transaction commits,
    never when it rolls back (the row goes with it).

    A row written outside the code's own transactions is committed as it is written, and a worker
    takes it at once. Inside a test's transaction (pytest's `django_db`) that is the case when the
    only open atomic blocks are the test's own (the check `atomic(durable=True)` makes): there the
    code's commit is as done as it can be, so the task runs now. Inside the code's transaction it
    runs on that transaction's commit (in a test: `django_capture_on_commit_callbacks`)."""
    from django.db import connections, transaction
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not (_suite_worker["on"] and issubclass(sender, DatabaseBackend)):
        return
    alias = task_result.backend
    using = DBTaskResult.objects.db
    connection = connections[using]
    if all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        drain_tasks(alias)
    else:
        transaction.on_commit(lambda: _suite_worker["on"] and drain_tasks(alias), using=using, robust=False)
