"""API tokens expire: tokens made before this get 90 days from their creation."""

from datetime import timedelta

from django.db import migrations, models


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("core", "ApiToken")
    for item in ApiToken.objects.all():
        item.expires_at = item.created_at + timedelta(days=90)
        item.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_exports_uploads")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
