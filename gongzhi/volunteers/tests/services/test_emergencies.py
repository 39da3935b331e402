"""An emergency call-up from opening to the assignment plan, and a drop-out refilled in place."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.org.models import PartnerUnit
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, PostAssignment
from gongzhi.volunteers.services import planning

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
    assert services.call_up(actor=admin, emergency=emergency).called == 1
    assert services.call_up(actor=admin, emergency=emergency).called == 0


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


def _register(world, name, **fields):
    fields.setdefault("phone", "13800138000")  # reachable by a call-up
    return services.register_volunteer(
        actor=world.users["subdistrict_admin"], neighborhood=world.neighborhood_a, name=name, **fields
    )


def _accept_all(emergency):
    for answer in CallUpAnswer.objects.filter(emergency=emergency):
        services.answer_call_up(token=answer.token, accept=True)


def test_plan_holds_each_volunteer_to_their_most_shifts(world, emergency):
    # Three people for five places over two relay shifts: with two shifts each all five fill.
    for i in range(3):
        _register(world, f"一班{i}", skills="medical" if i == 0 else "", max_shifts=1)
    services.call_up(actor=world.users["subdistrict_admin"], emergency=emergency)
    _accept_all(emergency)
    assert services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=emergency) == 3
    assert all(
        n == 1 for n in Counter(PostAssignment.objects.values_list("volunteer_id", flat=True)).values()
    )


def test_engine_gets_each_volunteers_most_shifts_and_the_shifts_their_hours_allow(world, emergency):
    day, night = emergency.shifts.order_by("starts_at")
    start = timezone.localtime(day.starts_at)
    window = f"{start:%H:%M}-{start + timedelta(hours=8):%H:%M}"
    days_only = _register(world, "白天", availability=window, max_shifts=3)
    anytime = _register(world, "随时")
    services.call_up(actor=world.users["subdistrict_admin"], emergency=emergency)
    _accept_all(emergency)
    people = {v.id: v for v in planning._engine_inputs(emergency)[0]}
    assert (people[days_only.pk].max_shifts, people[days_only.pk].available) == (3, frozenset({day.pk}))
    assert (people[anytime.pk].max_shifts, people[anytime.pk].available) == (2, None)
    services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=emergency)
    assert set(PostAssignment.objects.filter(volunteer=days_only).values_list("shift", flat=True)) <= {day.pk}


def test_engine_places_a_volunteer_without_a_point_at_their_buildings_location(world, emergency):
    building = world.household_a.building
    building.lat, building.lng = 31.305, 121.405
    building.save()
    resident = _register(world, world.resident_a.name, resident=world.resident_a)
    services.call_up(actor=world.users["subdistrict_admin"], emergency=emergency)
    _accept_all(emergency)
    (person,) = [v for v in planning._engine_inputs(emergency)[0] if v.id == resident.pk]
    assert (person.lat, person.lon) == (31.305, 121.405)


def test_call_up_of_chosen_partner_units_reaches_only_their_staff(world, emergency):
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    staff = _register(world, "单位职工", kind="partner_staff", partner_unit=unit)
    _register(world, "居民")
    admin = world.users["subdistrict_admin"]
    assert services.call_up(actor=admin, emergency=emergency, partner_units=[unit]).called == 1
    assert list(emergency.answers.values_list("volunteer", flat=True)) == [staff.pk]


def test_partner_unit_of_another_subdistrict_is_refused_and_calls_nobody(world, emergency):
    far_unit = PartnerUnit.objects.create(subdistrict=world.subdistrict_far, name="外镇医院", kind="hospital")
    _register(world, "居民")
    with pytest.raises(ValidationError) as refused:
        services.call_up(
            actor=world.users["subdistrict_admin"], emergency=emergency, partner_units=[far_unit]
        )
    assert "partner_units" in refused.value.message_dict
    assert not emergency.answers.exists()


def test_registering_staff_of_another_subdistricts_unit_is_refused(world):
    far_unit = PartnerUnit.objects.create(
        subdistrict=world.subdistrict_far, name="外镇工厂", kind="enterprise"
    )
    with pytest.raises(ValidationError) as refused:
        _register(world, "越界职工", kind="partner_staff", partner_unit=far_unit)
    assert "partner_unit" in refused.value.message_dict


def test_reserve_call_up_reaches_only_reserve_volunteers(world, emergency):
    reserve = _register(world, "后备", reserve=True)
    _register(world, "常备")
    admin = world.users["subdistrict_admin"]
    assert services.call_up(actor=admin, emergency=emergency, reserve_only=True).called == 1
    assert list(emergency.answers.values_list("volunteer", flat=True)) == [reserve.pk]


def test_call_up_within_a_distance_reaches_homes_near_a_post_only(world, emergency):
    building = world.household_a.building
    building.lat, building.lng = 31.312, 121.412  # about 250 m from the square
    building.save()
    near = _register(world, "近处", latitude=Decimal("31.301"), longitude=Decimal("121.401"))
    in_building = _register(world, world.resident_a.name, resident=world.resident_a)
    _register(world, "远处", latitude=Decimal("31.40"), longitude=Decimal("121.50"))
    _register(world, "无住址")
    admin = world.users["subdistrict_admin"]
    assert services.call_up(actor=admin, emergency=emergency, within_km=Decimal("2")).called == 2
    assert set(emergency.answers.values_list("volunteer", flat=True)) == {near.pk, in_building.pk}


def test_call_up_distance_must_be_positive_and_needs_posts(world):
    admin = world.users["subdistrict_admin"]
    bare = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="无点位")
    _register(world, "近处", latitude=Decimal("31.301"), longitude=Decimal("121.401"))
    for distance in ("0", "abc"):
        with pytest.raises(ValidationError) as refused:
            services.call_up(actor=admin, emergency=bare, within_km=distance)
        assert "within_km" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # a fine distance, but nothing to measure it to
        services.call_up(actor=admin, emergency=bare, within_km="3")
    assert "within_km" in refused.value.message_dict
    assert not bare.answers.exists()
