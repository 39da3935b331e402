"""Two departments finishing their parts of one joint case at the same moment: both parts are done,
the concern is started once and resolved once, and ends in verification. Real threads, real
transactions, both engines (the concern row is the lock every part's write takes first)."""

import pytest

from gongzhi.concerns import joint
from gongzhi.concerns.models import Concern, ConcernEvent, JointCase, JointPart
from gongzhi.concerns.tests.conftest import concern_for, joint_team
from gongzhi.core.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_departments_finishing_at_once_leave_the_case_consistent(world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    concern = concern_for(world)
    case = joint.open_joint_case(
        actor=world.users["block_chief"],
        concern=concern,
        parts=[joint.PartRequest(dep_a.pk, "约谈房东"), joint.PartRequest(dep_b.pk, "拆除违建")],
    )
    part_a, part_b = case.parts.get(department=dep_a), case.parts.get(department=dep_b)
    outcomes = run_together(
        lambda: joint.finish_part(actor=user_a, part=part_a, reply="已约谈房东，限期整改"),
        lambda: joint.finish_part(actor=user_b, part=part_b, reply="违章搭建已拆除"),
    )
    assert all(isinstance(o, JointPart) for o in outcomes), outcomes
    concern = Concern.objects.get(pk=concern.pk)
    assert concern.state == "verifying"
    assert set(JointPart.objects.values_list("state", flat=True)) == {"done"}
    events = list(ConcernEvent.objects.filter(concern=concern).values_list("action", flat=True))
    assert events.count("start") == 1 and events.count("resolve") == 1
    assert JointCase.objects.get(pk=case.pk).completed_at is not None


def test_the_same_part_finished_twice_at_once_is_done_once(world):
    dep_a, user_a, dep_b, _ub = joint_team(world)
    case = joint.open_joint_case(
        actor=world.users["block_chief"],
        concern=concern_for(world),
        parts=[joint.PartRequest(dep_a.pk, "约谈房东"), joint.PartRequest(dep_b.pk, "拆除违建")],
    )
    part_a = case.parts.get(department=dep_a)
    outcomes = run_together(
        *[
            lambda n=n: joint.finish_part(actor=user_a, part=part_a, reply=f"第{n}次提交的答复")
            for n in range(3)
        ]
    )
    assert all(isinstance(o, JointPart) for o in outcomes), outcomes
    assert ConcernEvent.objects.filter(concern=case.concern, action="start").count() == 1
    assert JointPart.objects.get(pk=part_a.pk).state == "done"
