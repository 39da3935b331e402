"""Joint cases: a concern handed to its block's joint team, one part per department, moving on
when every part is done; bad input and retries change nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.concerns import joint, selectors, services
from gongzhi.concerns.joint import PartRequest
from gongzhi.concerns.models import ConcernEvent, JointCase, JointPart
from gongzhi.concerns.tests.conftest import concern_for, joint_team
from gongzhi.core.errors import NotInScope


def _open(world, concern, deps, actor=None, **kw):
    parts = [PartRequest(d.pk, f"{d.name}到场处置") for d in deps]
    return joint.open_joint_case(
        actor=actor or world.users["block_chief"], concern=concern, parts=parts, **kw
    )


@pytest.mark.django_db
def test_a_joint_case_moves_on_only_when_every_department_is_done(world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    concern = concern_for(world)
    case = _open(world, concern, [dep_a, dep_b], working_days="3")
    concern.refresh_from_db()
    assert concern.state == "dispatched" and concern.handler_kind == "joint_team"
    assert case.parts.count() == 2 and case.working_days == 3 and case.block == world.block
    part_a = case.parts.get(department=dep_a)
    joint.finish_part(actor=user_a, part=part_a, reply="已约谈业主，限期整改")
    concern.refresh_from_db()
    assert concern.state == "handling"
    joint.finish_part(actor=user_b, part=case.parts.get(department=dep_b), reply="违章搭建已拆除")
    concern.refresh_from_db()
    assert concern.state == "verifying"
    resolve = ConcernEvent.objects.get(concern=concern, action="resolve")
    assert "已约谈业主" in resolve.note and "违章搭建已拆除" in resolve.note
    assert JointCase.objects.get(pk=case.pk).completed_at is not None
    services.transition(
        actor=world.users["social_worker"], concern=concern, action="close", reply_override="各部门已分别答复"
    )
    concern.refresh_from_db()
    assert concern.state == "closed"


@pytest.mark.django_db
def test_the_joint_deadline_counts_working_days_on_the_calendar(world):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b], working_days="5")
    local = timezone.localtime(case.due_at)
    assert (local.hour, local.minute) == (23, 59) and local.weekday() < 5
    assert timedelta(days=5) <= case.due_at - case.opened_at <= timedelta(days=12)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([], "parts"),
        (["only_a"], "parts"),
        (["a", "outsider"], "parts.2.department"),
        (["a", "a"], "parts.2.department"),
        (["a", "b_without_task"], "parts.2.task"),
    ],
)
def test_bad_parts_are_refused_naming_the_row_and_change_nothing(world, parts, field):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    from gongzhi.org.factories import DepartmentFactory

    outsider = DepartmentFactory(subdistrict=world.subdistrict)  # not on the block's team
    rows = {
        "a": PartRequest(dep_a.pk, "整改"),
        "only_a": PartRequest(dep_a.pk, "整改"),
        "outsider": PartRequest(outsider.pk, "整改"),
        "b_without_task": PartRequest(dep_b.pk, "  "),
    }
    concern = concern_for(world)
    with pytest.raises(ValidationError) as caught:
        joint.open_joint_case(
            actor=world.users["block_chief"], concern=concern, parts=[rows[p] for p in parts]
        )
    assert field in caught.value.message_dict
    concern.refresh_from_db()
    assert concern.state == "accepted" and not JointCase.objects.exists() and not JointPart.objects.exists()


@pytest.mark.django_db
def test_the_same_request_sent_again_makes_no_second_case_or_part(world):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    concern = concern_for(world)
    first = _open(world, concern, [dep_a, dep_b])
    again = _open(world, concern, [dep_a, dep_b])
    assert again.pk == first.pk and JointPart.objects.count() == 2
    with pytest.raises(ValidationError):
        _open(world, concern, [dep_a])


@pytest.mark.django_db
def test_finishing_a_part_again_changes_nothing_and_a_reply_is_needed(world):
    dep_a, user_a, dep_b, _ub = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b])
    part = case.parts.get(department=dep_a)
    with pytest.raises(ValidationError) as caught:
        joint.finish_part(actor=user_a, part=part, reply=" ")
    assert "reply" in caught.value.message_dict
    joint.finish_part(actor=user_a, part=part, reply="已处理完毕")
    joint.finish_part(actor=user_a, part=part, reply="再次提交")
    part.refresh_from_db()
    assert part.reply == "已处理完毕"
    assert ConcernEvent.objects.filter(concern=case.concern, action="start").count() == 1


@pytest.mark.django_db
def test_a_department_finishes_only_its_own_part(world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b])
    with pytest.raises(NotInScope):  # the other department's part is not even visible
        joint.finish_part(actor=user_b, part=case.parts.get(department=dep_a), reply="不是我们的")
    with pytest.raises(PermissionDenied):  # area staff read it but do not do a department's work
        joint.finish_part(
            actor=world.users["social_worker"], part=case.parts.get(department=dep_a), reply="代办"
        )
    assert not JointPart.objects.filter(state="done").exists()


@pytest.mark.django_db
def test_handling_steps_are_taken_by_the_parts_not_by_hand(world):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b])
    with pytest.raises(ValidationError):
        services.transition(
            actor=world.users["social_worker"], concern=case.concern, action="return", note="退回"
        )


@pytest.mark.django_db
def test_sending_a_joint_concern_back_from_verification_reopens_every_part(world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b])
    joint.finish_part(actor=user_a, part=case.parts.get(department=dep_a), reply="已处理完毕")
    joint.finish_part(actor=user_b, part=case.parts.get(department=dep_b), reply="已处理完毕")
    services.transition(
        actor=world.users["social_worker"], concern=case.concern, action="reject", note="现场未整改"
    )
    assert set(case.parts.values_list("state", flat=True)) == {"open"}


@pytest.mark.django_db
def test_only_the_area_staff_of_a_concern_in_a_block_open_a_joint_case(world):
    dep_a, user_a, dep_b, _ub = joint_team(world)
    concern_b = concern_for(world, actor=world.users["subdistrict_admin"], household=world.household_b)
    with pytest.raises(NotInScope):  # 杨泰二村 lies outside the block
        _open(world, concern_b, [dep_a, dep_b])
    with pytest.raises(ValidationError) as caught:  # and in no block at all
        _open(world, concern_b, [dep_a, dep_b], actor=world.users["subdistrict_admin"])
    assert "concern" in caught.value.message_dict
    with pytest.raises((PermissionDenied, NotInScope)):
        _open(world, concern_for(world), [dep_a, dep_b], actor=user_a)


@pytest.mark.django_db
def test_overdue_parts_show_in_the_part_queue(world):
    dep_a, user_a, dep_b, _ub = joint_team(world)
    case = _open(world, concern_for(world), [dep_a, dep_b])
    JointCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    joint.finish_part(actor=user_a, part=case.parts.get(department=dep_a), reply="已处理完毕")
    admin = world.users["subdistrict_admin"]
    assert [p.department for p in selectors.part_queue(admin, show="overdue")] == [dep_b]
    assert list(selectors.part_queue(user_a, show="overdue")) == []
    assert [p.department for p in selectors.part_queue(user_a, show="done")] == [dep_a]


@pytest.mark.django_db
def test_opening_a_joint_case_tells_the_team_members_of_those_departments(
    world, django_capture_on_commit_callbacks
):
    from gongzhi.notifications.models import Message

    dep_a, user_a, dep_b, user_b = joint_team(world)
    concern = concern_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        _open(world, concern, [dep_a, dep_b])
    told = Message.objects.filter(key__contains=f"concern:{concern.pk}:", user=user_a)
    assert (
        told.exists() and Message.objects.filter(key__contains=f"concern:{concern.pk}:", user=user_b).exists()
    )
    assert not Message.objects.filter(user=world.users["social_worker"], key__contains=":handler:").exists()
    assert told.first().link.endswith("/concerns/joint/")
