"""Two people adopting grid plans of one area at the same moment: exactly one wins."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.models import AuditRecord
from gongzhi.core.testing import run_together
from gongzhi.grids import services
from gongzhi.grids.models import GridAssignmentHistory, GridPlan
from gongzhi.grids.tests.test_services import SMALL, add_row
from gongzhi.org.models import Household

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_plan_adopted_twice_at_once_is_adopted_once(world):
    add_row(world.neighborhood_a, 6, 2)
    secretary, admin = world.users["neighborhood_secretary"], world.users["subdistrict_admin"]
    plan = services.propose_plan(actor=secretary, neighborhood=world.neighborhood_a, **SMALL)
    outcomes = run_together(
        lambda: services.adopt_plan(actor=secretary, plan=plan),
        lambda: services.adopt_plan(actor=admin, plan=plan),
    )
    adopted = [o for o in outcomes if isinstance(o, GridPlan)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(adopted) == 1 and len(refused) == 1, outcomes
    assert AuditRecord.objects.filter(action="adopt").count() == 1
    assert GridAssignmentHistory.objects.count() == 6


def test_two_plans_of_one_neighborhood_adopted_at_once_leave_one_drawing(world):
    add_row(world.neighborhood_a, 6, 2)
    secretary, admin = world.users["neighborhood_secretary"], world.users["subdistrict_admin"]
    first = services.propose_plan(actor=secretary, neighborhood=world.neighborhood_a, **SMALL)
    second = services.propose_plan(
        actor=admin,
        neighborhood=world.neighborhood_a,
        full=True,
        min_households=6,
        max_households=6,
        gap_m=30,
    )
    outcomes = run_together(
        lambda: services.adopt_plan(actor=secretary, plan=first),
        lambda: services.adopt_plan(actor=admin, plan=second),
    )
    adopted = [o for o in outcomes if isinstance(o, GridPlan)]
    assert len(adopted) == 1 and isinstance(next(o for o in outcomes if o not in adopted), ValidationError)
    winner = adopted[0]
    # Every household sits in the grid the winning plan gave its building: no mix of the two.
    for key, code in winner.proposed.items():
        grids = set(Household.objects.filter(building_id=key).values_list("micro_grid__code", flat=True))
        assert grids == {code}
