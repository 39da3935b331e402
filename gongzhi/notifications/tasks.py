"""Background delivery through Django's tasks framework (immediate backend by default)."""

from django.tasks import task

from gongzhi.notifications import services


@task
def deliver_pending(batch: int = 500) -> int:
    return services.fan_out(batch=batch).sent
