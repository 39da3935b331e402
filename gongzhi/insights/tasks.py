"""Background work of insights on Django's tasks framework, as `concerns.tasks` does it.

A scheduler (cron or a systemd timer) runs `gongzhi insights refresh` nightly; the command
enqueues one task per subdistrict on the configured backend (immediate by default: it runs in the
command's own process); a deployment with a worker backend runs the same task unchanged.
"""

from django.tasks import task

from gongzhi.core import jobs
from gongzhi.insights import services
from gongzhi.org.models import Subdistrict


@task
@jobs.retried()
def refresh_hot_issues(subdistrict_id: int) -> str:
    subdistrict = Subdistrict.objects.filter(pk=subdistrict_id).first()
    if subdistrict is None:
        return f"no subdistrict {subdistrict_id}"
    return str(services.refresh_hot_issues(subdistrict))
