"""Projects approved for a total other than their budget lines' sum get their lines apportioned to
it (as `services.lifecycle.apportion_lines` now does on approval), so public notices add up."""

from decimal import ROUND_DOWN, Decimal

from django.db import migrations

FEN = Decimal("0.01")


def apportion(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    BudgetLine = apps.get_model("projects", "BudgetLine")
    for project in Project.objects.filter(approved_budget__isnull=False).iterator():
        lines = list(BudgetLine.objects.filter(project=project).order_by("-amount", "id"))
        asked = sum((line.requested_amount or line.amount for line in lines), Decimal(0))
        budget = project.approved_budget
        if not lines or asked <= 0 or sum(line.amount for line in lines) == budget:
            continue
        for line in lines:
            line.requested_amount = line.requested_amount or line.amount
            line.amount = (line.requested_amount * budget / asked).quantize(FEN, rounding=ROUND_DOWN)
        lines[0].amount += budget - sum(line.amount for line in lines)
        for line in lines:
            line.save(update_fields=["amount", "requested_amount"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_budget_line_requested_amount")]

    operations = [migrations.RunPython(apportion, migrations.RunPython.noop)]
