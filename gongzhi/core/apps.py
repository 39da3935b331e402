from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from gongzhi.core import columns, personal_data
        from gongzhi.core.db import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="gongzhi.core.db")
        # Each app's share of a person's data (core.personal_data): apps register, accounts asks.
        personal_data.discover()
        # Every saved row fits its columns on SQLite as on PostgreSQL (core/columns.py).
        pre_save.connect(columns.guard, dispatch_uid="gongzhi.core.columns")
