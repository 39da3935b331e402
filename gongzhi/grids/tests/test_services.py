"""Drawing, adopting and discarding grid plans on a small world; grid staff; refusals."""

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from shapely.geometry import box, mapping

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.grids import services
from gongzhi.grids.models import GridAssignmentHistory, GridPlan, MicroGrid
from gongzhi.org import factories as f
from gongzhi.org.models import Building, Household, RoleAssignment

pytestmark = pytest.mark.django_db

SMALL = {"min_households": 3, "max_households": 5, "gap_m": 30}


def add_row(
    neighborhood, buildings: int, households: int, *, grid=None, lat=31.30, first=0
) -> list[Building]:
    """A row of 10 m square buildings 20 m apart (so neighbours), each with `households` flats."""
    compound = f.CompoundFactory(neighborhood=neighborhood)
    step = 20 / (111_320 * math.cos(math.radians(lat)))
    side = 10 / 111_320
    row = []
    for i in range(first, first + buildings):
        x = 121.40 + i * step
        building = f.BuildingFactory(
            compound=compound, micro_grid=grid, footprint=mapping(box(x, lat, x + side, lat + side))
        )
        Household.objects.bulk_create(
            Household(building=building, neighborhood=neighborhood, micro_grid=grid, room=str(101 + k))
            for k in range(households)
        )
        row.append(building)
    return row


@pytest.fixture
def row(world):
    """Six buildings of two households in neighborhood A: 12 households, three grids of 4."""
    return add_row(world.neighborhood_a, 6, 2)


def propose(world, role="neighborhood_secretary", **kwargs):
    params = {**SMALL, **kwargs}
    return services.propose_plan(actor=world.users[role], neighborhood=world.neighborhood_a, **params)


def test_secretary_draws_a_plan_that_changes_nothing_yet(world, row):
    plan = propose(world)
    assert plan.status == GridPlan.Status.PROPOSED
    assert plan.report["totals"]["grids"] == 3
    assert all(3 <= g["households"] <= 5 for g in plan.report["grids"])
    assert set(plan.proposed) == {str(b.pk) for b in row}
    assert set(plan.boundaries) == set(plan.proposed.values())
    assert not Building.objects.filter(pk__in=[b.pk for b in row], micro_grid__isnull=False).exists()
    assert AuditRecord.objects.filter(action="propose", object_id=str(plan.pk)).count() == 1


def test_buildings_without_footprint_or_coordinates_keep_their_grid(world, row):
    plan = propose(world)
    # The world's two older buildings have no footprint: listed, and left where they are.
    assert len(plan.report["unplaced"]) == 2
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    assert world.household_a.building.micro_grid_id == world.grid_a.pk
    world.household_a.refresh_from_db()
    assert world.household_a.micro_grid_id == world.grid_a.pk


def test_adopting_writes_grids_buildings_households_history_and_one_audit_record(world, row):
    stairwell = f.StairwellFactory(building=row[0])
    plan = propose(world)
    plan = services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    assert plan.status == GridPlan.Status.ADOPTED and plan.adopted_by == world.users["neighborhood_secretary"]
    for key, code in plan.proposed.items():
        grid = MicroGrid.objects.get(code=code)
        assert grid.level == MicroGrid.Level.MICRO and grid.neighborhood == world.neighborhood_a
        assert grid.name == plan.grid_names[code] and grid.boundary == plan.boundaries[code]
        assert Building.objects.get(pk=key).micro_grid == grid
        assert set(Household.objects.filter(building_id=key).values_list("micro_grid_id", flat=True)) == {
            grid.pk
        }
    stairwell.refresh_from_db()
    assert stairwell.micro_grid.code == plan.proposed[str(row[0].pk)]
    history = GridAssignmentHistory.objects.filter(plan=plan)
    assert history.count() == 6
    assert {(h.from_code, h.households) for h in history} == {("", 2)}
    assert AuditRecord.objects.filter(action="adopt", object_id=str(plan.pk)).count() == 1


def test_history_shows_the_grid_a_building_had_before(world, row):
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=propose(world))
    before = {b.pk: Building.objects.get(pk=b.pk).micro_grid for b in row}
    add_row(world.neighborhood_a, 2, 2, first=6)  # two new buildings at the end of the row
    plan = propose(world, full=True, max_households=8, min_households=6)
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    for h in GridAssignmentHistory.objects.filter(plan=plan, building__in=row):
        assert h.from_code == before[h.building_id].code and h.from_name == before[h.building_id].name
        assert h.to_code == Building.objects.get(pk=h.building_id).micro_grid.code


def test_a_plan_is_adopted_once(world, row):
    plan = propose(world)
    secretary = world.users["neighborhood_secretary"]
    services.adopt_plan(actor=secretary, plan=plan)
    with pytest.raises(ValidationError, match="已被采纳"):
        services.adopt_plan(actor=secretary, plan=plan)
    with pytest.raises(ValidationError):
        services.discard_plan(actor=secretary, plan=plan)
    assert AuditRecord.objects.filter(action="adopt").count() == 1
    assert GridAssignmentHistory.objects.count() == 6


def test_a_discarded_plan_cannot_be_adopted(world, row):
    plan = services.discard_plan(actor=world.users["neighborhood_secretary"], plan=propose(world))
    assert plan.status == GridPlan.Status.DISCARDED
    with pytest.raises(ValidationError, match="已被放弃"):
        services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    assert not Building.objects.filter(pk=row[0].pk, micro_grid__isnull=False).exists()


def test_a_plan_made_stale_by_a_later_adoption_is_refused(world, row):
    first, second = propose(world), propose(world, full=True)
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=first)
    with pytest.raises(ValidationError, match="已采纳了另一方案"):
        services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=second)
    assert GridPlan.objects.get(pk=second.pk).status == GridPlan.Status.PROPOSED


def test_a_plan_of_the_whole_subdistrict_is_stale_after_a_neighborhood_adoption(world, row):
    whole = services.propose_plan(
        actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, **SMALL
    )
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=propose(world))
    with pytest.raises(ValidationError):
        services.adopt_plan(actor=world.users["subdistrict_admin"], plan=whole)


def test_a_plan_is_stale_when_buildings_changed_since_it_was_drawn(world, row):
    plan = propose(world)
    add_row(world.neighborhood_a, 1, 2, first=6)
    with pytest.raises(ValidationError, match="楼栋或其网格已有变化"):
        services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)


def test_least_change_redraw_keeps_every_grid_that_still_fits(world, row):
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=propose(world))
    again = propose(world)
    assert again.households_moved == 0 and again.grids_unchanged == 3
    assert again.proposed == {k: v for k, v in again.previous.items() if k in again.proposed}


def test_an_emptied_grid_is_removed_unless_something_refers_to_it(world, row):
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=propose(world))
    codes = set(
        Building.objects.filter(pk__in=[b.pk for b in row]).values_list("micro_grid__code", flat=True)
    )
    kept = MicroGrid.objects.get(code=sorted(codes)[0])
    services.assign_grid_staff(
        actor=world.users["subdistrict_admin"], micro_grid=kept, grid_chief=f.UserFactory()
    )
    plan = propose(world, full=True, min_households=12, max_households=12)
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    (survivor,) = set(plan.proposed.values())
    left = set(MicroGrid.objects.filter(code__in=codes).values_list("code", flat=True))
    assert left == {survivor} | ({kept.code} if kept.code != survivor else set())


@pytest.mark.parametrize("role", ["grid_chief", "grid_worker", "stairwell_chief", "volunteer_team_chief"])
def test_roles_that_only_read_places_may_not_draw(world, row, role):
    with pytest.raises(PermissionDenied):
        propose(world, role=role)
    assert not GridPlan.objects.exists()


def test_drawing_outside_ones_area_looks_absent(world, row):
    with pytest.raises(NotInScope):
        services.propose_plan(
            actor=world.users["neighborhood_secretary"], neighborhood=world.neighborhood_far
        )
    with pytest.raises(PermissionDenied):
        services.propose_plan(actor=world.users["neighborhood_secretary"], subdistrict=world.subdistrict)


def test_adopting_needs_write_on_the_plans_area(world, row):
    plan = propose(world)
    with pytest.raises(PermissionDenied):
        services.adopt_plan(actor=world.users["grid_chief"], plan=plan)
    with pytest.raises(NotInScope):
        services.adopt_plan(actor=world.users["partner_liaison"], plan=plan)
    assert GridPlan.objects.get(pk=plan.pk).status == GridPlan.Status.PROPOSED


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_households": 600, "max_households": 500}, "max_households"),
        ({"min_households": -1}, "min_households"),
        ({"gap_m": -5}, "gap_m"),
        ({"gap_m": "abc"}, "gap_m"),
        ({"max_households": "many"}, "max_households"),
        ({"max_households": 0, "min_households": 0}, "max_households"),
    ],
)
def test_bad_parameters_name_the_field_and_store_nothing(world, row, params, field):
    with pytest.raises(ValidationError) as error:
        propose(world, **params)
    assert field in error.value.message_dict
    assert not GridPlan.objects.exists() and not AuditRecord.objects.filter(action="propose").exists()


def test_subdistrict_admin_assigns_grid_chief_and_workers(world):
    chief, worker = f.UserFactory(), f.UserFactory()
    grid = services.assign_grid_staff(
        actor=world.users["subdistrict_admin"],
        micro_grid=world.grid_a,
        grid_chief=chief,
        grid_workers=[worker],
    )
    assert grid.grid_chief == chief
    assert RoleAssignment.objects.filter(user=chief, role="grid_chief", micro_grid=world.grid_a).exists()
    assert RoleAssignment.objects.filter(user=worker, role="grid_worker", micro_grid=world.grid_a).exists()
    assert AuditRecord.objects.filter(action="update", object_type="grids.microgrid").count() == 1


def test_grid_staff_follow_the_role_rules(world):
    # A secretary may change places but not staff (core.roles): assigning roles is refused whole.
    with pytest.raises(PermissionDenied):
        services.assign_grid_staff(
            actor=world.users["neighborhood_secretary"], micro_grid=world.grid_a, grid_chief=f.UserFactory()
        )
    world.grid_a.refresh_from_db()
    assert world.grid_a.grid_chief is None
    far_grid = f.MicroGridFactory(neighborhood=world.neighborhood_far)
    with pytest.raises(NotInScope):
        services.assign_grid_staff(actor=world.users["subdistrict_admin"], micro_grid=far_grid)
