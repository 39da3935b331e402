"""Residents with accounts around `world`'s stairwell, for the notice tests: resident_a lives in the
stairwell of building_a; `neighbour` lives in a second stairwell of the same building."""

from gongzhi.deliberation.testing import resident_account
from gongzhi.org import factories as f


def second_stairwell_resident(world):
    """A resident of another stairwell of building_a (same building, compound, neighborhood)."""
    building = world.household_a.building
    stairwell = f.StairwellFactory(building=building, name="通知测试单元")
    household = f.HouseholdFactory(building=building, stairwell=stairwell)
    return f.ResidentFactory(household=household)


def accounts(world) -> dict:
    neighbour = second_stairwell_resident(world)
    return {
        "own": resident_account(world.resident_a, "resident-own"),
        "neighbour": resident_account(neighbour, "resident-neighbour"),
        "other_building": resident_account(world.resident_a2, "resident-a2"),
        "other_neighborhood": resident_account(world.resident_b, "resident-b"),
        "far": resident_account(world.resident_far, "resident-far"),
    }
