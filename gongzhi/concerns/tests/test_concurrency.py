"""Two people acting on one concern at once: one wins, the other gets a clear conflict.
The same retried intake at once: one concern. Real threads, real transactions, both engines."""

import pytest

from gongzhi.concerns import services
from gongzhi.concerns.models import Concern, ConcernEvent
from gongzhi.concerns.services import Conflict
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_dispatching_at_once_one_wins_one_conflicts(world):
    concern = concern_for(world, category=category())

    def dispatch(role):
        return lambda: services.transition(
            actor=world.users[role], concern=concern, action="dispatch", expected_version=concern.version
        )

    outcomes = run_together(dispatch("social_worker"), dispatch("neighborhood_secretary"))
    won = [o for o in outcomes if isinstance(o, Concern)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    concern.refresh_from_db()
    assert concern.version == 2 and concern.state == "dispatched"
    assert ConcernEvent.objects.filter(concern=concern, action="dispatch").count() == 1


def test_close_and_return_at_once_cannot_both_happen(world):
    concern = concern_for(world, category=category())
    for action, note in (("dispatch", ""), ("start", ""), ("resolve", "非机动车已移走，消防通道已清理")):
        concern = services.transition(
            actor=world.users["social_worker"],
            concern=concern,
            action=action,
            note=note,
            expected_version=concern.version,
        )
    version = concern.version
    outcomes = run_together(
        lambda: services.transition(
            actor=world.users["neighborhood_secretary"],
            concern=concern,
            action="close",
            expected_version=version,
        ),
        lambda: services.transition(
            actor=world.users["social_worker"],
            concern=concern,
            action="reject",
            note="没修好",
            expected_version=version,
        ),
    )
    assert sum(isinstance(o, Concern) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes


def test_the_same_intake_retried_at_once_creates_one_concern(world):
    parking = category()
    outcomes = run_together(
        *[lambda: concern_for(world, category=parking, idempotency_key="retry-1") for _ in range(3)]
    )
    assert all(isinstance(o, Concern) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Concern.objects.count() == 1
