from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "gongzhi.visits"
    label = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from gongzhi.grids.signals import households_regridded
        from gongzhi.visits.services import follow_households

        # A household moved to another grid (an adopted plan, a stairwell split) takes its
        # visits along, so the new grid's staff and KPIs see its history.
        households_regridded.connect(follow_households, dispatch_uid="visits.follow_households")
