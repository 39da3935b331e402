"""The audit trail: every write and unmask leaves a record; the table refuses change and deletion."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.org import services

pytestmark = pytest.mark.django_db


def test_writes_and_unmask_are_recorded_with_actor_and_reason(world):
    secretary = world.users["neighborhood_secretary"]
    services.update_household(actor=secretary, household=world.household_a, floor_area="88.8")
    services.unmask_resident(actor=secretary, resident=world.resident_a, reason="核对低保材料")
    update, unmask = AuditRecord.objects.order_by("id").reverse()[:2][::-1]
    assert update.action == "update" and update.changes == {"floor_area": ["68.50", "88.80"]}
    assert unmask.action == "unmask" and unmask.reason == "核对低保材料"
    assert unmask.actor_id == secretary.pk and unmask.neighborhood_id == world.neighborhood_a.pk


def test_personal_numbers_never_enter_the_trail(world):
    secretary = world.users["neighborhood_secretary"]
    services.update_resident(actor=secretary, resident=world.resident_a, phone="13900001111")
    record = AuditRecord.objects.latest("id")
    assert record.changes == {"phone": "***"}
    assert "13900001111" not in str(record.__dict__)


def test_unmask_without_reason_is_refused_and_not_recorded(world):
    from django.core.exceptions import ValidationError

    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError):
        services.unmask_resident(
            actor=world.users["neighborhood_secretary"], resident=world.resident_a, reason=" "
        )
    assert AuditRecord.objects.count() == before


def _lift_purge_permission():
    """The suite's connection may purge (for flushes); take that away for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL gongzhi.audit_purge = 'off'")


def test_audit_rows_cannot_be_updated_in_the_database(world, settings):
    record = AuditRecord.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(summary="tampered")
    record.refresh_from_db()
    assert record.summary != "tampered"


def test_audit_rows_cannot_be_deleted_without_purge_permission(world, settings):
    settings.AUDIT_PURGE_ALLOWED = False
    record = AuditRecord.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        _lift_purge_permission()
        AuditRecord.objects.filter(pk=record.pk).delete()
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_audit_page_shows_only_own_area(client, world):
    services.update_household(
        actor=world.users["subdistrict_admin"], household=world.household_b, floor_area="70", room="909"
    )
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("core:audit")).content.decode()
    assert str(world.household_b.building) not in page
    client.force_login(world.users["subdistrict_admin"])
    assert str(world.household_b.building) in client.get(reverse("core:audit")).content.decode()


@pytest.mark.parametrize("role", ["grid_worker", "partner_liaison", "stairwell_chief"])
def test_roles_without_audit_access_see_an_empty_trail(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("core:audit"))
    assert page.status_code == 200 and "本辖区暂无审计记录" in page.content.decode()
