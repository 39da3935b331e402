"""The visits leave the concerns app: their four tables keep their names (`Meta.db_table`), so
this migration changes Django's state only, and renames the content types so admin history and
permissions follow the models."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ("visit", "visitrule", "hotline", "staffcontact")


def content_types_to(app_label: str):
    """Move the four models' content types to `app_label` (unless it already has them)."""
    source = "concerns" if app_label == "visits" else "visits"

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            if not ContentType.objects.filter(app_label=app_label, model=model).exists():
                ContentType.objects.filter(app_label=source, model=model).update(app_label=app_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('concerns', '0009_visits_leave_for_their_app'),
        ('grids', '0003_gridplan_gridassignmenthistory'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='Hotline',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=48, verbose_name='name')),
                    ('number', models.CharField(max_length=32, verbose_name='number')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                    ('neighborhood', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='hotlines', to='org.neighborhood')),
                    ('subdistrict', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hotlines', to='org.subdistrict')),
                ],
                options={
                    'verbose_name': 'hotline',
                    'verbose_name_plural': 'hotlines',
                    'db_table': 'concerns_hotline',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='StaffContact',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('work_phone', models.CharField(max_length=32, verbose_name='work phone')),
                    ('on_card', models.BooleanField(default=True, verbose_name='print on contact cards')),
                    ('subdistrict', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.subdistrict')),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_contact', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'staff work phone',
                    'verbose_name_plural': 'staff work phones',
                    'db_table': 'concerns_staffcontact',
                },
            ),
            migrations.CreateModel(
                name='Visit',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('visited_at', models.DateTimeField(db_index=True, verbose_name='visited at')),
                    ('channel', models.CharField(choices=[('door', 'at the door'), ('phone', 'by phone'), ('wechat', 'on WeChat')], default='door', max_length=8, verbose_name='channel')),
                    ('raised', models.TextField(blank=True, max_length=2000, verbose_name='raised')),
                    ('handled', models.TextField(blank=True, max_length=2000, verbose_name='handled on the spot')),
                    ('suggestions', models.TextField(blank=True, max_length=2000, verbose_name='suggestions')),
                    ('idempotency_key', models.CharField(blank=True, editable=False, max_length=160, null=True, unique=True)),
                    ('building', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.building')),
                    ('concern', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='visit', to='concerns.concern')),
                    ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='org.household')),
                    ('micro_grid', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='grids.microgrid')),
                    ('neighborhood', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.neighborhood')),
                    ('subdistrict', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.subdistrict')),
                    ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'visit',
                    'verbose_name_plural': 'visits',
                    'db_table': 'concerns_visit',
                    'ordering': ['-visited_at', '-id'],
                    'indexes': [models.Index(fields=['neighborhood', 'visited_at'], name='visit_nb_month'), models.Index(fields=['household', 'visited_at'], name='visit_household_at'), models.Index(fields=['worker', 'visited_at'], name='visit_worker_at')],
                },
            ),
            migrations.CreateModel(
                name='VisitRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('staff', 'households per staff member per month'), ('household', 'every household once in N months'), ('tagged', 'tagged households once in N days')], max_length=12, verbose_name='kind')),
                    ('every', models.PositiveSmallIntegerField(help_text='households, months or days, by kind', validators=[django.core.validators.MinValueValidator(1)], verbose_name='N')),
                    ('tag', models.CharField(blank=True, max_length=24, verbose_name='sensitive tag')),
                    ('role', models.CharField(blank=True, max_length=40, verbose_name='staff role')),
                    ('active', models.BooleanField(default=True, verbose_name='active')),
                    ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('subdistrict', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visit_rules', to='org.subdistrict')),
                    ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'visit rule',
                    'verbose_name_plural': 'visit rules',
                    'db_table': 'concerns_visitrule',
                    'ordering': ['subdistrict', 'kind', 'tag', 'role'],
                    'constraints': [models.UniqueConstraint(fields=('subdistrict', 'kind', 'tag', 'role'), name='visit_rule_unique'), models.CheckConstraint(condition=models.Q(('every__gte', 1)), name='visit_rule_every_positive')],
                },
            ),
            ],
        ),
        migrations.RunPython(content_types_to("visits"), content_types_to("concerns")),
    ]
