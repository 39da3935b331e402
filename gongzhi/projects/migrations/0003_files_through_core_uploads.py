# Receipts, step documents and checklist evidence are kept by core.uploads (content-checked,
# outside the web root, served with a permission check) instead of plain file fields.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_exports_uploads"),
        ("projects", "0002_project_closed_label"),
    ]

    operations = [
        migrations.RemoveField(model_name="actiondone", name="evidence"),
        migrations.RemoveField(model_name="step", name="document"),
        migrations.RemoveField(model_name="expense", name="receipt"),
        migrations.AddField(
            model_name="actiondone",
            name="evidence",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="core.storedfile", verbose_name="evidence",
            ),
        ),
        migrations.AddField(
            model_name="step",
            name="document",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="core.storedfile", verbose_name="document",
            ),
        ),
        migrations.AddField(
            model_name="expense",
            name="receipt",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="core.storedfile", verbose_name="receipt",
            ),
        ),
    ]
