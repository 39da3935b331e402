"""The visits, their plan and the contact card's numbers move to the visits app
(gongzhi/visits/migrations/0001_initial.py): their tables stay, only Django's state forgets them here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0008_area_keys_lean_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Hotline"),
                migrations.DeleteModel(name="StaffContact"),
                migrations.DeleteModel(name="Visit"),
                migrations.DeleteModel(name="VisitRule"),
            ],
        ),
    ]
