"""Two people at once on the visit plan: the same new rule saved twice is one row; the same visit
retried from two tabs (one idempotency key) is one visit and one concern. Run on PostgreSQL too."""

import pytest

from gongzhi.concerns import visit_intake
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category
from gongzhi.core.testing import run_together
from gongzhi.visits import services
from gongzhi.visits.models import Visit, VisitRule

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_new_rule_saved_at_once_is_one_row(world):
    admin = world.users["subdistrict_admin"]

    def save(every):
        return lambda: services.save_visit_rule(
            actor=admin, subdistrict=world.subdistrict, kind="tagged", tag="elderly_alone", every=every
        )

    outcomes = run_together(save(7), save(5), save(3))
    assert all(isinstance(o, VisitRule) for o in outcomes), outcomes
    assert VisitRule.objects.count() == 1
    assert VisitRule.objects.get().every in (7, 5, 3)


def test_a_visit_sent_twice_at_once_is_one_visit_and_one_concern(world):
    parking = category()
    worker = world.users["grid_worker"]

    def record():
        return visit_intake.record_visit(
            actor=worker,
            household=world.household_a,
            raised="消防通道被占",
            category=parking,
            idempotency_key="phone-retry-1",
        )

    outcomes = run_together(record, record)
    assert all(isinstance(o, Visit) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Visit.objects.count() == 1 and Concern.objects.count() == 1
