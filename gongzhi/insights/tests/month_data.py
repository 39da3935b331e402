"""A month of records in area A and B of the `world`: concerns in every state with ratings and
deadlines, a visit, a project with budget and spending. Shared by the agreement tests."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.concerns import lifecycle
from gongzhi.concerns.models import Concern, Rating
from gongzhi.concerns.selectors import month_bounds
from gongzhi.insights.tests.conftest import make_concerns, sample_rows
from gongzhi.visits.models import Visit


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


# (state, rating, responded on time, overdue) for each concern, in turn over A, A, B.
PATTERN = [
    (lifecycle.CLOSED, Rating.SATISFIED, True, False),
    (lifecycle.CLOSED, Rating.BASICALLY, True, False),
    (lifecycle.CLOSED, Rating.DISSATISFIED, False, True),
    (lifecycle.HANDLING, "", True, False),
    (lifecycle.DISPATCHED, "", False, True),
    (lifecycle.CLOSED, Rating.SATISFIED, False, False),
    (lifecycle.VERIFYING, "", True, False),
]


def build_month(world, month=None, count: int = 21) -> list[Concern]:
    month = month or last_month()
    start, _end = month_bounds(month)
    made = make_concerns(world, sample_rows()[:count], now=start + timedelta(days=20))
    for i, concern in enumerate(made):
        state, rating, on_time, overdue = PATTERN[i % len(PATTERN)]
        concern.accepted_at = start + timedelta(days=1 + i % 20, hours=3)
        concern.state = state
        concern.rating = rating
        concern.responded_on_time = on_time
        concern.overdue = overdue
        concern.micro_grid = world.grid_a if concern.neighborhood_id == world.neighborhood_a.pk else None
        concern.closed_at = concern.accepted_at + timedelta(days=2) if state == lifecycle.CLOSED else None
        concern.close_hours = 48.0 if state == lifecycle.CLOSED else None
        concern.save()
    worker = world.users["grid_worker"]
    for household in (world.household_a, world.household_b):
        Visit.objects.create(
            subdistrict=world.subdistrict,
            neighborhood=household.building.compound.neighborhood,
            micro_grid=household.micro_grid,
            building=household.building,
            household=household,
            worker=worker,
            visited_at=start + timedelta(days=5),
        )
    return made
