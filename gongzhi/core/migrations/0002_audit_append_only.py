"""Make the audit table append-only in the database itself, not only in the application."""

from django.db import migrations

from gongzhi.core.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(_append_only.ensure, _append_only.remove)]
