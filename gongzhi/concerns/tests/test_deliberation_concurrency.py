"""Two people (or two intakes) putting one concern on the agenda at once make one item and one
meeting: the concern row is locked first (real threads, real transactions; run on PostgreSQL too)."""

import pytest

from gongzhi.concerns import coordination
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.testing import run_together
from gongzhi.deliberation.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _major(world):
    return concern_for(world, category=category("qa_lift", "电梯困人", tier="major"))


def test_two_waiting_items_cannot_be_made_at_once(world):
    concern = _major(world)
    AgendaItem.objects.filter(concern=concern).delete()  # as if intake had not run its last step yet
    queue = lambda: coordination.deliberate_if_due(actor=None, concern=concern)  # noqa: E731
    outcomes = run_together(queue, queue)
    assert all(isinstance(o, AgendaItem) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk and AgendaItem.objects.filter(concern=concern).count() == 1


def test_two_staff_scheduling_one_waiting_item_at_once_make_one_meeting(world):
    concern = _major(world)
    waiting = AgendaItem.objects.get(concern=concern)
    assert waiting.meeting is None
    outcomes = run_together(
        lambda: coordination.to_deliberation(actor=world.users["neighborhood_secretary"], concern=concern),
        lambda: coordination.to_deliberation(actor=world.users["social_worker"], concern=concern),
    )
    assert all(isinstance(o, AgendaItem) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {waiting.pk}
    assert Meeting.objects.count() == 1 and AgendaItem.objects.get().meeting is not None
    assert concern.events.filter(action="deliberate").count() == 2  # waiting, then scheduled once
