"""An emergency call-up from opening to the assignment plan, and a drop-out refilled in place."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, PostAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def emergency(world):
    admin = world.users["subdistrict_admin"]
    e = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="核酸筛查招募令")
    gate = services.add_post(
        actor=admin, emergency=e, name="一号门", latitude=Decimal("31.30"), longitude=Decimal("121.40")
    )
    square = services.add_post(
        actor=admin, emergency=e, name="广场", latitude=Decimal("31.31"), longitude=Decimal("121.41")
    )
    start = timezone.now().replace(microsecond=0)
    day = services.add_shift(actor=admin, emergency=e, starts_at=start, ends_at=start + timedelta(hours=8))
    night = services.add_shift(
        actor=admin, emergency=e, starts_at=start + timedelta(hours=16), ends_at=start + timedelta(hours=24)
    )
    for post in (gate, square):
        for shift in (day, night):
            services.set_need(actor=admin, post=post, shift=shift, count=1)
    services.set_need(actor=admin, post=gate, shift=day, count=1, skill="medical")
    return e


def _accepting(world, emergency, n: int):
    people = [t.volunteer(world, f"应召{i}", skills="medical" if i == 0 else "") for i in range(n)]
    services.call_up(actor=world.users["subdistrict_admin"], emergency=emergency)
    for answer in CallUpAnswer.objects.filter(emergency=emergency):
        services.answer_call_up(token=answer.token, accept=True)
    return people


def test_call_up_reaches_each_volunteer_once(world, emergency):
    t.volunteer(world, "甲")
    t.volunteer(world, "乙", neighborhood=world.neighborhood_far)
    admin = world.users["subdistrict_admin"]
    assert services.call_up(actor=admin, emergency=emergency) == 1
    assert services.call_up(actor=admin, emergency=emergency) == 0


def test_plan_fills_every_place_with_the_doctor_on_the_medical_place(world, emergency):
    people = _accepting(world, emergency, 6)
    filled = services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=emergency)
    assert filled == 5
    assert PostAssignment.objects.get(skill="medical").volunteer == people[0]
    assert all(r["filled"] == r["needed"] for r in selectors.fill_rates(emergency))


def test_a_drop_out_is_refilled_without_moving_anyone_else(world, emergency):
    _accepting(world, emergency, 8)
    services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=emergency)
    before = set(PostAssignment.objects.values_list("volunteer_id", "post_id", "shift_id"))
    leaving = PostAssignment.objects.filter(skill="").first().volunteer
    answer = CallUpAnswer.objects.get(volunteer=leaving)
    services.answer_call_up(token=answer.token, accept=False)
    after = set(PostAssignment.objects.values_list("volunteer_id", "post_id", "shift_id"))
    assert {a for a in before if a[0] != leaving.pk} <= after
    assert leaving.pk not in {a[0] for a in after}
    assert len(after) == len(before)


def test_staff_of_another_area_cannot_plan(world, emergency):
    other = services.open_emergency(
        actor=world.users["subdistrict_admin"],
        subdistrict=world.subdistrict,
        title="x",
        neighborhood=world.neighborhood_b,
    )
    with pytest.raises(NotInScope):
        services.plan_assignment(actor=world.users["social_worker"], emergency=other)
    with pytest.raises(NotInScope):
        services.plan_assignment(actor=world.users["grid_worker"], emergency=emergency)


def test_an_unknown_call_up_link_is_refused(world, emergency):
    with pytest.raises(NotInScope):
        services.answer_call_up(token="nope", accept=True)
