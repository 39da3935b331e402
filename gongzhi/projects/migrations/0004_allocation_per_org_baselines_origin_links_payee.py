# Allocations per owner organisation, pinned round baselines, origin links to deliberation results,
# and payees of expenses (for the maintenance accounts).

from decimal import ROUND_HALF_UP, Decimal

import django.db.models.deletion
from django.db import migrations, models


def lines_per_org(apps, schema_editor):
    """Allocations made per project become one line per owner organisation: a single project's
    line keeps its numbers; several projects of one organisation are summed (old, new), their
    scores averaged and their reasons kept, so the amounts adopted stay what they were."""
    AllocationLine = apps.get_model("projects", "AllocationLine")
    groups = {}
    for line in AllocationLine.objects.select_related("project").order_by("allocation_id", "rank", "id"):
        groups.setdefault((line.allocation_id, line.project.owner_id), []).append(line)
    for lines in groups.values():
        first = lines[0]
        first.org_id = first.project.owner_id
        first.projects = [
            {"id": x.project_id, "title": x.project.title, "result": str(x.score), "budget": str(x.old)}
            for x in lines
        ]
        if len(lines) > 1:
            first.old = sum(x.old for x in lines)
            first.new = sum(x.new for x in lines)
            first.score = (sum(x.score for x in lines) / len(lines)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            first.reason = "; ".join(x.reason for x in lines)[:255]
            AllocationLine.objects.filter(pk__in=[x.pk for x in lines[1:]]).delete()
        first.save()


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_agenda_concern_and_neighborhood_duties"),
        ("org", "0001_initial"),
        ("projects", "0003_files_through_core_uploads"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundBaseline",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("budget", models.DecimalField(decimal_places=2, max_digits=14)),
                ("pinned_at", models.DateTimeField(auto_now_add=True)),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="round_baselines",
                        to="projects.project",
                    ),
                ),
                (
                    "review_round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="baselines",
                        to="projects.reviewround",
                    ),
                ),
            ],
            options={
                "verbose_name": "round baseline budget",
                "verbose_name_plural": "round baseline budgets",
                "constraints": [
                    models.UniqueConstraint(fields=("review_round", "project"), name="round_baseline_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="allocationline",
            name="org",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocation_lines",
                to="org.partyorg",
                verbose_name="owner organisation",
            ),
        ),
        migrations.AddField(
            model_name="allocationline",
            name="projects",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(lines_per_org, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="allocationline", name="allocation_line_once"),
        migrations.RemoveField(model_name="allocationline", name="project"),
        migrations.AlterField(
            model_name="allocationline",
            name="org",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocation_lines",
                to="org.partyorg",
                verbose_name="owner organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="allocationline",
            constraint=models.UniqueConstraint(fields=("allocation", "org"), name="allocation_line_once_per_org"),
        ),
        migrations.AddField(
            model_name="expense",
            name="payee",
            field=models.CharField(blank=True, max_length=128, verbose_name="payee / contractor"),
        ),
        migrations.AddField(
            model_name="expense",
            name="payee_is_person",
            field=models.BooleanField(default=False, verbose_name="the payee is a private person"),
        ),
        migrations.AddField(
            model_name="project",
            name="origin_candidate",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="projects",
                to="deliberation.candidate",
                verbose_name="tick-list option of origin",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="origin_vote",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="projects",
                to="deliberation.vote",
                verbose_name="vote of origin",
            ),
        ),
    ]
