"""Taking in a concern: place, tier, routing, deadlines, idempotent retry, bad input."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.concerns import services
from gongzhi.concerns.models import CalendarDay, Concern, ConcernEvent, RoutingRule, Supervision, TimeLimit
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.errors import NotInScope
from gongzhi.core.testing import image_bytes
from gongzhi.org import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = image_bytes("PNG")


def test_concern_sits_in_the_household_area_and_is_accepted_with_one_event(world, parking):
    concern = concern_for(world)
    assert (concern.neighborhood_id, concern.micro_grid_id, concern.building_id) == (
        world.neighborhood_a.pk,
        world.grid_a.pk,
        world.household_a.building_id,
    )
    assert concern.state == "accepted" and concern.tier == "minor"
    assert concern.handler_kind == "residents_committee"
    assert list(ConcernEvent.objects.filter(concern=concern).values_list("action", flat=True)) == ["accept"]
    assert concern.title == concern.description[:40]


def test_retry_with_the_same_idempotency_key_creates_one_concern(world, parking):
    first = concern_for(world, idempotency_key="abc-123")
    again = concern_for(world, idempotency_key="abc-123")
    assert first.pk == again.pk and Concern.objects.count() == 1
    # The key belongs to its sender: another worker's identical key is another concern.
    other = concern_for(world, actor=world.users["social_worker"], idempotency_key="abc-123")
    assert other.pk != first.pk


def test_large_or_costly_matters_get_a_higher_tier_and_urgent_goes_to_supervision(world, parking):
    assert concern_for(world, households_affected=40).tier == "major"
    assert concern_for(world, estimated_cost="80000").tier == "key"
    urgent = concern_for(world, urgent=True)
    assert urgent.tier == "urgent"
    assert Supervision.objects.filter(concern=urgent, reason="urgent").exists()


def test_most_specific_routing_rule_wins(world, parking):
    department = f.DepartmentFactory(subdistrict=world.subdistrict)
    RoutingRule.objects.create(subdistrict=world.subdistrict, handler_kind="partner_unit")
    RoutingRule.objects.create(
        subdistrict=world.subdistrict, category=parking, handler_kind="department", department=department
    )
    RoutingRule.objects.create(
        subdistrict=world.subdistrict,
        category=parking,
        neighborhood=world.neighborhood_a,
        handler_kind="property_company",
    )
    concern = concern_for(world)
    assert concern.handler_kind == "property_company"
    assert concern.handler_compound_id == world.household_a.building.compound_id
    in_b = concern_for(world, actor=world.users["subdistrict_admin"], household=world.household_b)
    assert (in_b.handler_kind, in_b.handler_department_id) == ("department", department.pk)
    other = concern_for(world, category=category("pets", "宠物"))
    assert other.handler_kind == "partner_unit"


def test_deadlines_count_working_days_on_the_calendar(world, parking, monkeypatch):
    CalendarDay.objects.update_or_create(date=datetime(2026, 10, 1).date(), defaults={"working": False})
    TimeLimit.objects.update_or_create(
        category=None, tier="minor", defaults={"response_days": 1, "resolution_days": 5}
    )
    for n in range(2, 8):
        CalendarDay.objects.update_or_create(date=datetime(2026, 10, n).date(), defaults={"working": False})
    CalendarDay.objects.update_or_create(date=datetime(2026, 10, 10).date(), defaults={"working": True})
    accepted = datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr("django.utils.timezone.now", lambda: accepted)
    concern = concern_for(world)
    # Respond by end of Thu Oct 8; resolve 5 working days on: Oct 8, 9, 10 (make-up Sat), 12, 13.
    assert concern.response_due.astimezone(SHANGHAI) == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)
    assert concern.resolution_due.astimezone(SHANGHAI) == datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI)


def test_bad_input_names_the_field_and_writes_nothing(world, parking):
    with pytest.raises(ValidationError) as err:
        concern_for(world, description="  ")
    assert "description" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        concern_for(world, households_affected="many")
    assert "households_affected" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        concern_for(world, estimated_cost="abc")
    assert "estimated_cost" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        concern_for(world, reporter_phone="12345")
    assert "phone" in err.value.message_dict
    assert Concern.objects.count() == 0


def test_photos_are_checked_by_content_and_size(world, parking):
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as err:
        concern_for(world, photos=[fake])
    assert "photo" in err.value.message_dict
    big = SimpleUploadedFile("big.png", PNG + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError):
        concern_for(world, photos=[big])
    ok = concern_for(
        world, photos=[SimpleUploadedFile("a.bin", PNG, content_type="application/octet-stream")]
    )
    assert ok.photos.get().content_type == "image/png"


def test_staff_cannot_take_in_concerns_outside_their_area_or_without_the_role(world, parking):
    with pytest.raises(PermissionDenied):
        concern_for(world, household=world.household_far)
    with pytest.raises(PermissionDenied):
        concern_for(world, actor=world.users["property_staff"])
    with pytest.raises(ValidationError):
        services.place_of()
    assert not isinstance(PermissionDenied(), NotInScope)
