"""The lean intake path (no key look-up first, no full_clean, one household query) keeps every
check: field errors, one concern and one audit record per key, the place as before."""

import json

import pytest
from django.core.exceptions import ValidationError

from gongzhi.concerns.models import Concern, ConcernEvent
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_a_cost_that_is_not_a_number_is_a_field_error_and_writes_nothing(world, parking):
    for value in ("NaN", "Infinity", "一百"):
        with pytest.raises(ValidationError) as caught:
            concern_for(world, estimated_cost=value)
        assert "estimated_cost" in caught.value.message_dict
    assert (
        Concern.objects.count() == 0
        and AuditRecord.objects.filter(object_type="concerns.concern").count() == 0
    )


def test_a_retry_adds_no_event_and_no_audit_record(world, parking):
    first = concern_for(world, idempotency_key="k-1")
    again = concern_for(world, idempotency_key="k-1")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert ConcernEvent.objects.filter(concern=first).count() == 1
    assert AuditRecord.objects.filter(object_type="concerns.concern", object_id=str(first.pk)).count() == 1


def test_api_intake_keeps_the_household_place_and_its_area(client, world, parking):
    client.force_login(world.users["grid_worker"])
    body = {"category": "parking", "description": "电瓶车楼道充电", "household_id": world.household_a.pk}
    response = client.post("/api/v1/concerns", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    concern = Concern.objects.get(pk=response.json()["id"])
    household = world.household_a
    assert concern.place == str(household)
    assert (concern.subdistrict_id, concern.neighborhood_id, concern.building_id, concern.micro_grid_id) == (
        world.subdistrict.pk,
        household.building.neighborhood_id,
        household.building_id,
        household.micro_grid_id or household.building.micro_grid_id,
    )
    record = AuditRecord.objects.get(object_type="concerns.concern", object_id=str(concern.pk))
    assert (record.subdistrict_id, record.neighborhood_id) == (world.subdistrict.pk, concern.neighborhood_id)
