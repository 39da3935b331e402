"""Every scope follows a split building's stairwells (issue 22): the grid worker of each grid sees
its own stairwells of the building, their households and visits, the building itself, and nothing
of the other grid's stairwells; a redraw that keeps the split keeps the scopes; the grid map
counts households by the stairwell's grid."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from gongzhi.core.permissions import scoped
from gongzhi.grids import selectors
from gongzhi.grids.tests.test_editing import adopt, split_tower, visit
from gongzhi.grids.tests.test_services import add_row, propose
from gongzhi.org import factories as f
from gongzhi.org import selectors as org_selectors
from gongzhi.org import services as org_services
from gongzhi.org.models import Building, Household, Stairwell
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def split(world):
    """A tower of 8 households (stairwells of 3 and 5) between rows, adopted split between two
    grids, a grid worker on each, and a visit to one household of each stairwell."""
    add_row(world.neighborhood_a, 3, 2)
    (tower,) = add_row(world.neighborhood_a, 1, 8, first=3)
    stairwells = split_tower(tower, [3, 5])
    plan = propose(world)
    adopt(world, plan)
    sides = []
    for stairwell in stairwells:
        stairwell.refresh_from_db()
        worker = f.UserFactory(is_staff=True)
        org_services.assign_role(actor=None, user=worker, role="grid_worker", unit=stairwell.micro_grid)
        households = set(Household.objects.filter(stairwell=stairwell).values_list("pk", flat=True))
        visits = {visit(world, Household.objects.get(pk=min(households))).pk}
        sides.append({"stairwell": stairwell, "worker": worker, "households": households, "visits": visits})
    assert sides[0]["stairwell"].micro_grid_id != sides[1]["stairwell"].micro_grid_id
    # The building belongs to the grid holding most of its households: the second one's.
    assert Building.objects.get(pk=tower.pk).micro_grid_id == sides[1]["stairwell"].micro_grid_id
    return tower, plan, sides


def _sees_only_its_own(tower, sides):
    for own, other in (sides, sides[::-1]):
        user = own["worker"]
        assert set(scoped(user, Stairwell.objects.filter(building=tower))) == {own["stairwell"]}
        in_tower = scoped(user, Household.objects.filter(building=tower))
        assert set(in_tower.values_list("pk", flat=True)) == own["households"]
        seen = scoped(user, Visit.objects.filter(building=tower))
        assert set(seen.values_list("pk", flat=True)) == own["visits"]
        assert not scoped(user, Stairwell.objects.filter(pk=other["stairwell"].pk)).exists()
        # The building itself is a place both grids work in (its name, its map popup).
        assert org_selectors.buildings_visible_to(user).filter(pk=tower.pk).count() == 1


def test_each_grid_worker_sees_its_stairwells_their_households_and_visits(split):
    tower, _plan, sides = split
    _sees_only_its_own(tower, sides)


def test_a_grid_worker_does_not_see_a_building_with_nothing_in_its_grid(split, world):
    tower, _plan, sides = split
    outside = f.BuildingFactory(compound=tower.compound, micro_grid=world.grid_a)
    f.StairwellFactory(building=outside)
    for side in sides:
        assert not org_selectors.buildings_visible_to(side["worker"]).filter(pk=outside.pk).exists()
        assert not scoped(side["worker"], Stairwell.objects.filter(building=outside)).exists()


def test_the_building_popup_shows_each_grid_worker_its_own_households(client, split):
    tower, _plan, sides = split
    for own, other in (sides, sides[::-1]):
        client.force_login(own["worker"])
        response = client.get(reverse("visits:map_building", args=[tower.pk]), {"month": "2026-11"})
        assert response.status_code == 200
        html = response.content.decode()
        shown = {h for h in own["households"] | other["households"] if f'data-due="{h}"' in html}
        assert shown and shown <= own["households"]  # due or overdue, never the other grid's


def test_a_redraw_that_keeps_the_split_keeps_the_scopes(split, world):
    tower, plan, sides = split
    again = propose(world)
    assert again.proposed == plan.proposed
    adopt(world, again)
    _sees_only_its_own(tower, sides)


def test_the_grid_map_counts_households_by_the_stairwell_grid(split, world):
    _tower, plan, sides = split
    drawn = {g["id"]: g["households"] for g in plan.report["grids"]}
    grids = selectors.current_grids(world.users["neighborhood_secretary"], world.neighborhood_a)
    counted = {g.code: g.household_count for g in grids if g.code in drawn}
    assert counted == drawn
    for side in sides:  # the grid worker's own view of its grid counts the same
        (mine,) = selectors.current_grids(side["worker"], world.neighborhood_a)
        assert mine.household_count == drawn[mine.code]


def test_the_migration_gives_each_stairwell_without_a_grid_its_building_grid(world):
    backfill = importlib.import_module("gongzhi.org.migrations.0002_stairwell_grid_backfill").backfill
    grid, other = world.grid_a, f.MicroGridFactory(neighborhood=world.neighborhood_a)
    building = f.BuildingFactory(micro_grid=grid)
    bare = f.StairwellFactory(building=building, micro_grid=None)
    kept = f.StairwellFactory(building=building, micro_grid=other)
    loose = f.StairwellFactory(micro_grid=None)  # a building with no grid: nothing to take
    backfill(apps, None)
    assert Stairwell.objects.get(pk=bare.pk).micro_grid == grid
    assert Stairwell.objects.get(pk=kept.pk).micro_grid == other
    assert Stairwell.objects.get(pk=loose.pk).micro_grid is None
