"""`gongzhi worker`: a task worker process for the database backend (GONGZHI_TASKS=database).

django-tasks-db's worker loop, plus a heartbeat thread that also reaps: tasks left running by a
worker that stopped beating (killed, or its machine lost) go back in the queue (core/jobs.py).
Run two or more on separate machines or as separate systemd units (deploy/).
"""

import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from gongzhi.core import jobs


class Command(BaseCommand):
    help = "Run a background task worker (needs GONGZHI_TASKS=database)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="queues to take, comma-separated ('*': all)")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--worker-id", default="", help="unique per worker (default: host-pid-random)")

    def handle(self, *, queue, interval, batch, worker_id, **options):
        if not jobs.uses_workers():
            raise CommandError("任务后台未配置为数据库：请设置 GONGZHI_TASKS=database")
        worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"
        jobs.beat(worker_id)
        jobs.reap()
        stop = threading.Event()
        threading.Thread(target=_beating, args=(worker_id, stop), daemon=True, name="heartbeat").start()
        # One loop per database-backed alias ("default", "background"), each in its own thread.
        loops = [
            Worker(
                queue_names=queue.split(","),
                interval=interval,
                batch=batch,
                backend_name=alias,
                startup_delay=not batch,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            for alias in jobs.database_aliases()
        ]

        def shut_down(signum, _frame):
            # The tasks in hand finish; a second signal stops at once (the defaults again).
            for loop in loops:
                loop.running = False
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, shut_down)
        others = [threading.Thread(target=loop.run, name=loop.backend_name) for loop in loops[1:]]
        for thread in others:
            thread.start()
        try:
            loops[0].run()
            for thread in others:
                thread.join()
        finally:
            stop.set()


def _beating(worker_id: str, stop: threading.Event) -> None:
    while not stop.wait(jobs.HEARTBEAT.total_seconds()):
        try:
            jobs.beat(worker_id)
            jobs.reap()
        except Exception:  # noqa: BLE001  (a missed beat is retried; the worker goes on)
            jobs.log.exception("heartbeat of %s failed", worker_id)
        finally:
            close_old_connections()
    connection.close()
