"""Background tasks (core/jobs.py): in-process after the commit by default; with the database
backend a row written in the caller's transaction, retried with backoff, and run again when the
worker running it dies (a real `gongzhi worker` process killed with SIGKILL)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gongzhi.core import jobs
from gongzhi.core.models import WorkerHeartbeat
from gongzhi.core.tests import jobs_for_tests

DATABASE_TASKS = {
    alias: {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []} for alias in ("default", "background")
}
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def workers(settings, real_workers):
    """The worker backend with no worker: the test looks at the queue itself."""
    settings.TASKS = DATABASE_TASKS
    assert jobs.uses_workers()


@pytest.fixture
def in_process(settings):
    settings.TASKS = {
        alias: {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": []}
        for alias in ("default", "background")
    }
    assert not jobs.uses_workers()


@pytest.fixture
def suite_worker(settings):
    """The suite's worker mode (GONGZHI_TASKS=database under pytest, conftest.py), in either pass."""
    from django.tasks.signals import task_enqueued

    from gongzhi.core.testing import run_tasks_after_commit

    settings.TASKS = DATABASE_TASKS
    task_enqueued.connect(run_tasks_after_commit, dispatch_uid="suite-worker")
    yield
    if os.environ.get("GONGZHI_TASKS") != "database":
        task_enqueued.disconnect(dispatch_uid="suite-worker")


@pytest.mark.django_db
def test_in_process_tasks_run_after_the_commit_and_never_on_a_rollback(
    in_process, django_capture_on_commit_callbacks, tmp_path
):
    a, b = tmp_path / "a", tmp_path / "b"
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(jobs_for_tests.mark_then_linger, str(a), 0)
        assert not a.exists()
    assert a.read_text() == "done\n"
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(jobs_for_tests.mark_then_linger, str(b), 0)
        raise RuntimeError("the caller's work failed")
    assert not b.exists()


@pytest.mark.django_db
def test_the_suites_worker_runs_committed_tasks_through_the_task_table_and_never_rolled_back_ones(
    suite_worker, django_capture_on_commit_callbacks, tmp_path
):
    done, undone = tmp_path / "done", tmp_path / "undone"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs.enqueue(jobs_for_tests.mark_then_linger, str(done), 0)
        assert DBTaskResult.objects.get().status == TaskResultStatus.READY and not done.exists()
    row = DBTaskResult.objects.get()
    assert (row.status, row.worker_ids, row.return_value) == (TaskResultStatus.SUCCESSFUL, ["suite"], "done")
    assert done.read_text() == "done\n"
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            jobs.enqueue(jobs_for_tests.mark_then_linger, str(undone), 0)
            raise RuntimeError("the caller's work failed")
    assert callbacks == [] and not undone.exists()
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [row.pk]


@pytest.mark.django_db
def test_the_suites_worker_leaves_a_task_due_later_in_the_queue(
    suite_worker, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(minutes=5)
    jobs.enqueue(jobs_for_tests.mark_then_linger.using(run_after=later), "never", 0)
    row = DBTaskResult.objects.get()
    assert (row.status, row.worker_ids) == (TaskResultStatus.READY, [])


@pytest.mark.django_db
def test_the_suites_worker_takes_a_row_committed_outside_the_codes_transactions_at_once(
    suite_worker, tmp_path
):
    """As `gongzhi worker` would: the exports and the scheduled commands enqueue after their commit."""
    done = tmp_path / "done"
    jobs_for_tests.mark_then_linger.enqueue(str(done), 0)
    assert done.read_text() == "done\n"
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_with_workers_the_task_row_commits_or_rolls_back_with_the_callers_data(workers):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(jobs_for_tests.mark_then_linger, "c", 0)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the caller's work failed")
    assert DBTaskResult.objects.count() == 0
    jobs.enqueue(jobs_for_tests.mark_then_linger, "c", 0)
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY and row.task_path.endswith("mark_then_linger")


@pytest.mark.django_db
def test_a_wake_up_task_waits_in_the_queue_once(workers):
    for _ in range(3):
        jobs.enqueue_once(jobs_for_tests.mark_then_linger, "d", 0)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_a_failing_task_is_enqueued_again_with_backoff_until_its_attempts_are_spent(workers):
    with pytest.raises(RuntimeError, match="gateway down"):
        jobs_for_tests.fails.call("e")
    again = DBTaskResult.objects.get()
    assert again.args_kwargs == {"args": ["e"], "kwargs": {"attempt": 2}}
    assert timezone.now() < again.run_after <= timezone.now() + timedelta(seconds=1.5)
    with pytest.raises(RuntimeError):
        jobs_for_tests.fails.call("e", attempt=3)  # the last attempt: nothing more is queued
    assert DBTaskResult.objects.count() == 1
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [10, 20, 40, 3600]


@pytest.mark.django_db
def test_the_running_tasks_of_a_silent_worker_go_back_in_the_queue(workers):
    now = timezone.now()
    jobs.enqueue(jobs_for_tests.mark_then_linger, "f", 0)
    jobs.enqueue(jobs_for_tests.mark_then_linger, "g", 0)
    dead, alive = DBTaskResult.objects.order_by("enqueued_at")
    dead.claim("w-dead")
    alive.claim("w-alive")
    WorkerHeartbeat.objects.create(worker_id="w-dead", seen_at=now - timedelta(minutes=5))
    WorkerHeartbeat.objects.create(worker_id="w-alive", seen_at=now)
    assert jobs.reap(now=now) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == TaskResultStatus.READY and dead.started_at is None
    assert alive.status == TaskResultStatus.RUNNING
    # Told once, and the silent worker forgotten: a second reap finds nothing to do.
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w-alive"]
    assert jobs.reap(now=now) == 0


@pytest.mark.django_db
def test_messages_claimed_by_a_worker_found_dead_are_due_again_at_once(workers):
    from gongzhi.notifications import services as notify
    from gongzhi.notifications.models import Message

    for n in range(3):
        notify.send(key=f"k{n}", channel="sms", address="13900000000", subject="s", body="b", deliver=False)
    notify._claim(Q(), batch=2)  # this process claims two, as a worker's fan-out would
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w-dead", tag=jobs.PROCESS_TAG, seen_at=now - timedelta(minutes=5)
    )
    jobs.reap(now=now)
    assert Message.objects.filter(notify._due(timezone.now())).count() == 3  # not two minutes from now


def _worker(worker_id: str) -> subprocess.Popen:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GONGZHI_TEST"))},
        "DATABASE_URL": url,
        "GONGZHI_TASKS": "database",
        "GONGZHI_WORKER_STALE_SECONDS": "3",
        "GONGZHI_SECRET_KEY": settings.SECRET_KEY,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--worker-id", worker_id, "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.devnull, "w") if not os.environ.get("GONGZHI_JOB_TEST_LOG") else None,  # noqa: SIM115
    )


def _until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_task_loses_nothing_and_doubles_nothing(workers, tmp_path):
    marker = tmp_path / "work"
    jobs.enqueue(jobs_for_tests.mark_then_linger, str(marker), 600)
    first = _worker("w-first")
    try:
        assert _until(marker.exists, 120)
        os.kill(first.pid, signal.SIGKILL)  # the work is done, the task not recorded as finished
        first.wait(10)
        second = _worker("w-second")
        try:
            row = DBTaskResult.objects.get()
            assert _until(
                lambda: DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.SUCCESSFUL, 60
            )
        finally:
            second.terminate()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    row = DBTaskResult.objects.get()
    assert row.worker_ids == ["w-first", "w-second"]
    assert row.return_value == "found done"  # run again, it found its work done
    assert marker.read_text() == "done\n"  # the work was done once
