"""The embedded deployment's backend for work a person waits on (an export's file, the audit
chain check): `django.tasks`' immediate backend, run in a thread of the web process, so the page
answers at once and follows the work's progress by polling the record the task updates.

Django 6.1 ships only the immediate and dummy backends; a deployment with worker processes points
the `background` alias (settings.TASKS, GONGZHI_BACKGROUND_TASKS) at a worker backend instead and
the tasks run there unchanged. Nothing is queued here: each enqueue starts its own thread, and work
lost to a restart is found by the records it left `running` (see the tasks' own modules).
"""

import threading

from django.db import close_old_connections, connections
from django.tasks.backends.immediate import ImmediateBackend


class ThreadBackend(ImmediateBackend):
    """Runs each task in its own daemon thread with its own database connection."""

    def _execute_task(self, task_result) -> None:
        thread = threading.Thread(
            target=self._run, args=(task_result,), name=f"task-{task_result.id[:8]}", daemon=True
        )
        thread.start()

    def _run(self, task_result) -> None:
        close_old_connections()
        try:
            super()._execute_task(task_result)
        finally:
            connections.close_all()
