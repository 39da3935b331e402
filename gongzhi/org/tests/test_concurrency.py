"""Two people acting on one record at once: one wins cleanly, nothing is corrupted."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.models import AuditRecord
from gongzhi.core.testing import run_together
from gongzhi.org import factories as f
from gongzhi.org import services
from gongzhi.org.models import Household, Resident

pytestmark = pytest.mark.django_db(transaction=True)


def test_same_person_entered_twice_at_once_is_stored_once(world):
    secretary = world.users["neighborhood_secretary"]
    worker = world.users["social_worker"]
    number = f.fake_id_number(424242)

    def enter(actor):
        return lambda: services.create_resident(
            actor=actor, household=world.household_a, name="赵六", id_number=number
        )

    outcomes = run_together(enter(secretary), enter(worker))
    created = [o for o in outcomes if isinstance(o, Resident)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert Resident.objects.filter(name="赵六").count() == 1


def test_concurrent_updates_of_one_household_both_apply_in_turn(world):
    secretary = world.users["neighborhood_secretary"]
    household = world.household_a
    outcomes = run_together(
        lambda: services.update_household(actor=secretary, household=household, floor_area="90"),
        lambda: services.update_household(actor=secretary, household=household, room="888"),
    )
    assert all(isinstance(o, Household) for o in outcomes), outcomes
    household.refresh_from_db()
    # Row locks serialise the two edits, so neither overwrites the other's field.
    assert (str(household.floor_area), household.room) == ("90.00", "888")
    assert AuditRecord.objects.filter(object_type="org.household", action="update").count() == 2
