"""Two people joining reports to one concern at once, and joining while the main one closes:
real threads, real transactions (run on PostgreSQL too)."""

import pytest

from gongzhi.concerns import coordination, services
from gongzhi.concerns.models import Concern, ConcernEvent
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)
REPLY = "非机动车已移走，消防通道已清理，今后每天巡查"


def test_two_joins_at_once_both_count(world):
    main = concern_for(world, category=category())
    first = concern_for(world, category=category(), description="楼下电瓶车堵住消防通道")
    second = concern_for(
        world, actor=world.users["social_worker"], household=world.household_a2, category=category()
    )
    outcomes = run_together(
        lambda: coordination.join_concern(actor=world.users["grid_worker"], concern=first, into=main),
        lambda: coordination.join_concern(actor=world.users["social_worker"], concern=second, into=main),
    )
    assert all(isinstance(o, Concern) for o in outcomes), outcomes
    main.refresh_from_db()
    assert main.supporters == 2 and main.households_affected == 2  # household_a is main's own
    assert ConcernEvent.objects.filter(concern=main, action="joined").count() == 2


def test_the_same_join_twice_at_once_counts_once(world):
    main = concern_for(world, category=category())
    other = concern_for(world, category=category(), description="楼下电瓶车堵住消防通道")
    join = lambda: coordination.join_concern(actor=world.users["grid_worker"], concern=other, into=main)  # noqa: E731
    outcomes = run_together(join, join)
    assert all(isinstance(o, Concern) for o in outcomes), outcomes
    main.refresh_from_db()
    assert main.supporters == 1 and ConcernEvent.objects.filter(action="join").count() == 1


def test_joining_while_the_main_concern_closes_leaves_nothing_open_behind(world):
    main = concern_for(world, category=category())
    for action, note in (("dispatch", ""), ("start", ""), ("resolve", REPLY)):
        main = services.transition(actor=world.users["social_worker"], concern=main, action=action, note=note)
    other = concern_for(world, category=category(), description="楼下电瓶车堵住消防通道")
    outcomes = run_together(
        lambda: services.transition(
            actor=world.users["neighborhood_secretary"], concern=main, action="close"
        ),
        lambda: coordination.join_concern(actor=world.users["grid_worker"], concern=other, into=main),
    )
    other.refresh_from_db()
    main.refresh_from_db()
    assert main.state == "closed"
    if other.joined_to_id == main.pk:  # the join came first: it closed with the main one
        assert other.state == "closed" and isinstance(outcomes[1], Concern)
    else:  # the close came first: the join was refused and the report stays open on its own
        assert other.state == "accepted" and "join" in str(outcomes[1])
