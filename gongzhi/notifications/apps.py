from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gongzhi.core.jobs import worker_lost
        from gongzhi.notifications.services import release_claims

        worker_lost.connect(release_claims, dispatch_uid="notifications.release_claims")
