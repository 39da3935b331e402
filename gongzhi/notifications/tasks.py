"""Background delivery through Django's tasks framework (core/jobs.py: in-process by default,
`gongzhi worker` processes in a deployment)."""

from django.tasks import task

from gongzhi.core import jobs
from gongzhi.notifications import services


@task
@jobs.retried()
def deliver_pending(batch: int = 500) -> int:
    return services.fan_out(batch=batch).sent
