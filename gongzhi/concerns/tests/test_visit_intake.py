"""Visit intake (concerns/visit_intake.py): a visit that raises a problem with a category opens a
concern in the same step, both or neither; visits.services writes the visit only."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.concerns import visit_intake
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.errors import NotInScope
from gongzhi.visits import services as visit_services
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_a_visit_with_a_category_opens_a_visit_channel_concern_linked_to_it(world):
    visit = visit_intake.record_visit(
        actor=world.users["grid_worker"],
        household=world.household_a,
        raised="  楼道堆物  ",
        category=category(),
        idempotency_key="k-1",
    )
    concern = visit.concern
    assert (concern.channel, concern.description, concern.household_id) == (
        "visit",
        "楼道堆物",
        world.household_a.pk,
    )
    assert visit.raised == "楼道堆物" and visit.worker == world.users["grid_worker"]


def test_a_retried_submission_creates_neither_the_visit_nor_the_concern_twice(world):
    worker = world.users["grid_worker"]

    def send():
        return visit_intake.record_visit(
            actor=worker,
            household=world.household_a,
            raised="路灯不亮",
            category=category(),
            idempotency_key="r",
        )

    assert send().pk == send().pk
    assert Visit.objects.count() == 1 and Concern.objects.count() == 1
    # Another worker's same key is their own submission, not a retry of the first.
    other = visit_intake.record_visit(
        actor=world.users["neighborhood_secretary"], household=world.household_a, idempotency_key="r"
    )
    assert other.pk != send().pk and Visit.objects.count() == 2


def test_a_visit_refused_after_the_concern_was_taken_in_leaves_no_concern(world):
    # A visit time that is no time fails only when the visit is cleaned, after the concern's insert.
    with pytest.raises(ValidationError) as refused:
        visit_intake.record_visit(
            actor=world.users["grid_worker"],
            household=world.household_a,
            raised="水管漏水",
            category=category(),
            visited_at="yesterday",
        )
    assert "visited_at" in refused.value.message_dict
    assert not Concern.objects.exists() and not Visit.objects.exists()


def test_the_visits_refusals_come_before_any_concern(world):
    worker = world.users["grid_worker"]
    with pytest.raises(NotInScope):
        visit_intake.record_visit(
            actor=worker, household=world.household_far, raised="x", category=category()
        )
    with pytest.raises(ValidationError) as refused:
        visit_intake.record_visit(
            actor=worker, household=world.household_a, channel="fax", raised="x", category=category()
        )
    assert "channel" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        visit_intake.record_visit(actor=worker, household=world.household_a, category=category())
    assert "raised" in refused.value.message_dict
    assert not Concern.objects.exists() and not Visit.objects.exists()


def test_visits_services_write_the_visit_only_and_link_a_given_concern(world):
    worker = world.users["grid_worker"]
    plain = visit_services.record_visit(actor=worker, household=world.household_a, raised="聊家常")
    assert plain.concern is None and not Concern.objects.exists()
    concern = concern_for(world)
    linked = visit_services.record_visit(
        actor=worker, household=world.household_a, concern=concern, idempotency_key="v"
    )
    again = visit_services.record_visit(actor=worker, household=world.household_a, idempotency_key="v")
    assert linked.concern == concern and again.pk == linked.pk
    assert (linked.subdistrict_id, linked.neighborhood_id, linked.building_id, linked.micro_grid_id) == (
        world.household_a.neighborhood.subdistrict_id,
        world.household_a.neighborhood_id,
        world.household_a.building_id,
        world.household_a.micro_grid_id,
    )


def test_the_visit_api_sits_at_its_old_path_and_opens_a_concern_by_category_code(client, world):
    import json

    category()
    client.force_login(world.users["grid_worker"])
    body = {
        "household_id": world.household_a.pk,
        "raised": "垃圾满溢",
        "category": "parking",
        "idempotency_key": "a",
    }
    first = client.post("/api/v1/visits", data=json.dumps(body), content_type="application/json")
    again = client.post("/api/v1/visits", data=json.dumps(body), content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["concern_id"] == again.json()["concern_id"] == Concern.objects.get().pk
    body.update(category="nope", idempotency_key="b")
    bad = client.post("/api/v1/visits", data=json.dumps(body), content_type="application/json")
    assert bad.status_code == 422 and "category" in bad.json()["errors"]
