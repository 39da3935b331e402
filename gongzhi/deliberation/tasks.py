"""Background work of deliberation on Django's tasks framework (`django.tasks`).

As with concerns, a scheduler (cron or a systemd timer) runs `gongzhi deliberation_duties` daily;
the command enqueues this task, which makes sure every neighborhood has this year's and (from
December) next year's weekly and monthly meeting duties. Creating them is idempotent.
"""

from django.tasks import task
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.deliberation import services


@task
@jobs.retried()
def schedule_meeting_duties() -> int:
    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    return sum(services.schedule_all_meeting_duties(year=year) for year in years)
