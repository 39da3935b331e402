"""The subdistrict edits its taxonomy, routing rules and the holiday calendar in the admin."""

import pytest
from django.urls import reverse

from gongzhi.concerns.models import CalendarDay
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_subdistrict_admin_adds_a_holiday_and_it_is_audited(client, world):
    client.force_login(world.users["subdistrict_admin"])
    response = client.post(
        reverse("admin:concerns_calendarday_add"),
        {"date": "2028-01-01", "working": "", "name": "元旦", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2028-01-01").working is False
    assert AuditRecord.objects.filter(object_type="concerns.calendarday", action="create").exists()


@pytest.mark.parametrize("role", ["grid_worker", "property_staff", "department_handler"])
def test_other_roles_cannot_edit_the_calendar(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("admin:concerns_calendarday_changelist")).status_code == 403


def test_routing_rules_are_scoped_to_the_subdistrict(client, world):
    from gongzhi.concerns.models import RoutingRule

    far = RoutingRule.objects.create(subdistrict=world.subdistrict_far, handler_kind="department")
    mine = RoutingRule.objects.create(subdistrict=world.subdistrict, handler_kind="property_company")
    client.force_login(world.users["subdistrict_admin"])
    page = client.get(reverse("admin:concerns_routingrule_changelist")).content.decode()
    assert reverse("admin:concerns_routingrule_change", args=[mine.pk]) in page
    assert reverse("admin:concerns_routingrule_change", args=[far.pk]) not in page
