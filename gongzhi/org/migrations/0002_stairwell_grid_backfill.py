"""Every stairwell carries its own grid (scopes follow it, not the building's): a stairwell with
none takes its building's; stairwells of buildings split by grids adoption keep theirs."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Building = apps.get_model("org", "Building")
    Stairwell = apps.get_model("org", "Stairwell")
    grid = Building.objects.filter(pk=OuterRef("building_id")).values("micro_grid_id")[:1]
    Stairwell.objects.filter(micro_grid__isnull=True).update(micro_grid_id=Subquery(grid))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
