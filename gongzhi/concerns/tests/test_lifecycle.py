"""Moving a concern: allowed steps only, who may take them, history, response, close, reopen once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from gongzhi.concerns import services
from gongzhi.concerns.models import Concern, RoutingRule, Supervision
from gongzhi.concerns.services import Conflict
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core import jobs
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def step(world, concern, action, role="social_worker", note="", **kw):
    return services.transition(
        actor=world.users[role],
        concern=concern,
        action=action,
        note=note,
        expected_version=concern.version,
        **kw,
    )


def test_full_loop_keeps_every_transition_with_actor_time_and_note(world, parking):
    concern = concern_for(world)
    concern = step(world, concern, "dispatch")
    concern = step(world, concern, "start", "grid_worker")
    concern = step(world, concern, "resolve", "grid_worker", note="非机动车已移走，消防通道已清理")
    concern = step(world, concern, "close", "neighborhood_secretary")
    assert concern.state == "closed" and concern.closed_at and concern.close_hours is not None
    assert concern.responded_on_time is True
    events = list(concern.events.values_list("action", "from_state", "to_state", "actor_label", "note"))
    assert events == [
        ("accept", "", "accepted", "grid_worker", ""),
        ("dispatch", "accepted", "dispatched", "social_worker", ""),
        ("start", "dispatched", "handling", "grid_worker", ""),
        ("resolve", "handling", "verifying", "grid_worker", "非机动车已移走，消防通道已清理"),
        ("close", "verifying", "closed", "neighborhood_secretary", ""),
    ]
    assert AuditRecord.objects.filter(object_type="concerns.concern", action="update").count() == 4


def test_steps_outside_the_lifecycle_are_refused_and_write_nothing(world, parking):
    concern = concern_for(world)
    with pytest.raises(Conflict):
        step(world, concern, "close")
    with pytest.raises(ValidationError):
        step(world, concern, "fly")
    concern = step(world, concern, "dispatch")
    concern = step(world, concern, "start")
    with pytest.raises(ValidationError) as err:
        step(world, concern, "resolve")  # a resolution needs a note
    assert "note" in err.value.message_dict
    assert Concern.objects.get(pk=concern.pk).state == "handling"


def test_stale_version_is_a_conflict(world, parking):
    concern = concern_for(world)
    services.transition(
        actor=world.users["social_worker"], concern=concern, action="dispatch", expected_version=1
    )
    with pytest.raises(Conflict, match="social_worker"):
        services.transition(
            actor=world.users["grid_chief"], concern=concern, action="dispatch", expected_version=1
        )


def test_handler_works_only_their_queue_and_cannot_close(world, parking):
    RoutingRule.objects.create(subdistrict=world.subdistrict, handler_kind="property_company")
    concern = step(world, concern_for(world), "dispatch")
    property_staff = world.users["property_staff"]
    concern = services.transition(actor=property_staff, concern=concern, action="start", expected_version=2)
    concern = services.transition(
        actor=property_staff, concern=concern, action="resolve", note="已修复", expected_version=3
    )
    with pytest.raises(PermissionDenied):
        services.transition(actor=property_staff, concern=concern, action="close", expected_version=4)
    with pytest.raises(NotInScope):
        services.transition(actor=world.users["department_handler"], concern=concern, action="close")
    with pytest.raises(PermissionDenied):
        services.transition(actor=world.users["stairwell_chief"], concern=concern, action="close")


def test_returned_concern_is_redispatched_to_another_handler(world, parking):
    RoutingRule.objects.create(subdistrict=world.subdistrict, handler_kind="property_company")
    concern = step(world, concern_for(world), "dispatch")
    concern = services.transition(
        actor=world.users["property_staff"],
        concern=concern,
        action="return",
        note="不属物业",
        expected_version=2,
    )
    assert concern.state == "returned"
    dept = world.users["department_handler"].role_assignments.get().department
    concern = step(world, concern, "dispatch", handler=services.Handler("department", department_id=dept.pk))
    assert concern.handler_kind == "department" and concern.handler_compound_id is None
    services.transition(
        actor=world.users["department_handler"], concern=concern, action="start", expected_version=4
    )


def closed(world):
    concern = concern_for(world)
    for action, note in (
        ("dispatch", ""),
        ("start", ""),
        ("resolve", "非机动车已移走，消防通道已清理"),
        ("close", ""),
    ):
        concern = step(world, concern, action, note=note)
    return concern


def test_resident_rates_once_and_dissatisfied_reopens_only_once(world, parking):
    concern = closed(world)
    concern = services.rate_concern(
        public_token=concern.public_token, rating="dissatisfied", reopen=True, note="没修好"
    )
    assert concern.state == "reopened" and concern.reopen_count == 1 and concern.rating == ""
    for action, note in (
        ("dispatch", ""),
        ("start", ""),
        ("resolve", "再次清理楼下乱停的非机动车，消防通道畅通"),
        ("close", ""),
    ):
        concern = step(world, concern, action, note=note)
    concern = services.rate_concern(public_token=concern.public_token, rating="dissatisfied", reopen=True)
    assert concern.state == "closed" and concern.rating == "dissatisfied"
    with pytest.raises(Conflict):
        services.rate_concern(public_token=concern.public_token, rating="satisfied")
    with pytest.raises(ValidationError):
        step(world, concern, "reopen", note="再开")


def test_rating_needs_a_closed_concern_and_a_valid_choice(world, parking):
    concern = concern_for(world)
    with pytest.raises(Conflict):
        services.rate_concern(public_token=concern.public_token, rating="satisfied")
    with pytest.raises(ValidationError):
        services.rate_concern(public_token=concern.public_token, rating="great")
    with pytest.raises(NotInScope):
        services.rate_concern(public_token="nope", rating="satisfied")


def test_tier_override_needs_a_reason_and_area_staff(world, parking):
    concern = concern_for(world)
    with pytest.raises(ValidationError):
        services.override_tier(actor=world.users["social_worker"], concern=concern, tier="major", reason="")
    concern = services.override_tier(
        actor=world.users["social_worker"], concern=concern, tier="major", reason="涉及整栋楼"
    )
    assert (concern.tier, concern.tier_by_rule, concern.tier_reason) == ("major", "minor", "涉及整栋楼")


def test_escalation_puts_overdue_concerns_on_the_supervision_list_once(world, parking):
    late = concern_for(world)
    Concern.objects.filter(pk=late.pk).update(
        response_due=timezone.now() - timedelta(hours=1), resolution_due=timezone.now() - timedelta(minutes=1)
    )
    on_time = concern_for(world)
    assert services.escalate_overdue() == 2
    assert services.escalate_overdue() == 0
    late.refresh_from_db()
    assert late.overdue and late.escalation_level == 2
    assert set(Supervision.objects.filter(concern=late).values_list("reason", "level")) == {
        ("response", "neighborhood"),
        ("resolution", "subdistrict"),
    }
    assert not Supervision.objects.filter(concern=on_time).exists()
    call_command("concerns_escalate")
    late = step(world, late, "dispatch")
    assert late.responded_on_time is False


def test_escalation_command_prints_the_count_last(world, parking, capsys):
    concern = concern_for(world)
    Concern.objects.filter(pk=concern.pk).update(response_due=timezone.now() - timedelta(hours=1))
    call_command("concerns_escalate")
    # In-process the task has run when the command prints; with workers it is queued.
    assert (
        capsys.readouterr().out.strip().splitlines()[-1]
        == f"escalated: {'queued' if jobs.uses_workers() else 1}"
    )
    assert Supervision.objects.filter(concern=concern, reason="response").exists()
