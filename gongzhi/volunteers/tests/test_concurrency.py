"""Many people acting at once: the ledger never goes negative, capacity is never exceeded."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import Balance, LedgerEntry, Redemption, RedemptionItem, SignUp

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_redemptions_never_take_the_balance_below_zero(world):
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=10)
    activity = t.activity(world, started=True)
    person = t.volunteer(world, "赵六", with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    t.attend(person, activity)
    services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=signup, hours="3")  # 30 points
    prize = services.add_redemption_item(
        actor=admin,
        subdistrict=world.subdistrict,
        name="停车费减免",
        kind="parking_fee",
        cost_points=10,
        stock=100,
    )
    staff = [world.users["social_worker"], world.users["neighborhood_secretary"], admin]
    outcomes = run_together(
        *(lambda a=staff[i % 3]: services.redeem(actor=a, volunteer=person, item=prize) for i in range(6))
    )
    won = [o for o in outcomes if isinstance(o, Redemption)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(refused)) == (3, 3), outcomes
    assert Balance.objects.get(volunteer=person).points == 0
    assert sum(LedgerEntry.objects.filter(volunteer=person).values_list("points", flat=True)) == 0
    assert RedemptionItem.objects.get(pk=prize.pk).stock == 97


def test_concurrent_redemptions_of_the_last_item_leave_one_winner(world):
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=100)
    people = []
    activity = t.activity(world, started=True, capacity=4)
    for name in ("甲", "乙", "丙", "丁"):
        person = t.volunteer(world, name, with_user=True)
        signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
        t.attend(person, activity)
        services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=signup, hours="1")
        people.append(person)
    prize = services.add_redemption_item(
        actor=admin, subdistrict=world.subdistrict, name="理发", kind="shop_service", cost_points=50, stock=1
    )
    outcomes = run_together(
        *(lambda p=p: services.redeem(actor=admin, volunteer=p, item=prize) for p in people)
    )
    assert sum(isinstance(o, Redemption) for o in outcomes) == 1, outcomes
    assert RedemptionItem.objects.get(pk=prize.pk).stock == 0


def test_concurrent_sign_ups_fill_capacity_and_waitlist_the_rest(world):
    activity = t.activity(world, capacity=2)
    people = [t.volunteer(world, f"v{i}", with_user=True) for i in range(5)]
    outcomes = run_together(
        *(lambda p=p: services.sign_up(actor=p.user, activity=activity, volunteer=p) for p in people)
    )
    assert all(isinstance(o, SignUp) for o in outcomes), outcomes
    statuses = sorted(SignUp.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses == ["confirmed"] * 2 + ["waitlisted"] * 3


def test_concurrent_cancellations_promote_exactly_as_many_from_the_waitlist(world):
    activity = t.activity(world, capacity=2)
    people = [t.volunteer(world, f"w{i}", with_user=True) for i in range(5)]
    signups = [services.sign_up(actor=p.user, activity=activity, volunteer=p) for p in people]
    outcomes = run_together(
        *(lambda s=s: services.cancel_signup(actor=s.volunteer.user, signup=s) for s in signups[:2])
    )
    assert all(isinstance(o, SignUp) for o in outcomes), outcomes
    confirmed = SignUp.objects.filter(activity=activity, status=SignUp.Status.CONFIRMED)
    assert sorted(confirmed.values_list("volunteer__name", flat=True)) == ["w2", "w3"]
