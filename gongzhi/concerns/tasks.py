"""Background work of concerns, on Django's tasks framework (`django.tasks`).

Django 6.1 ships only the immediate and dummy task backends, no database backend, so a scheduler
(cron or a systemd timer) runs `gongzhi concerns_escalate` every few minutes; that command
enqueues this task on the configured backend (immediate by default: it runs in the command's own
process). A deployment that adds a worker backend runs the same task unchanged.
"""

from django.tasks import task

from gongzhi.concerns import services, throttle
from gongzhi.core import jobs


@task
@jobs.retried()
def escalate_overdue() -> int:
    escalated = services.escalate_overdue()
    throttle.sweep()
    return escalated
