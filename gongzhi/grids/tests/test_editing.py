"""Stairwell splits stored and followed (households, visits, redraw), and hand edits on a plan:
moves within a neighborhood that keep grids contiguous, with a reason; kept by the next redraw."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from gongzhi.core.models import AuditRecord
from gongzhi.grids import services
from gongzhi.grids.models import GridAssignmentHistory, GridPlan, MicroGrid
from gongzhi.grids.tests.test_services import SMALL, add_row, propose
from gongzhi.grids.tests.test_views import ROLE_CODES, expected
from gongzhi.org import factories as f
from gongzhi.org.models import Household, Stairwell
from gongzhi.org.testing import far_admin
from gongzhi.visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongzhi.grids.tests.test_views")]


def adopt(world, plan):
    return services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)


def split_tower(building, per_stairwell: list[int]) -> list[Stairwell]:
    """Give a building stairwells 1..n and put its households on them in order."""
    stairwells = [
        f.StairwellFactory(building=building, name=f"{k + 1}单元") for k in range(len(per_stairwell))
    ]
    households = list(Household.objects.filter(building=building).order_by("id"))
    start = 0
    for stairwell, count in zip(stairwells, per_stairwell, strict=True):
        ids = [h.pk for h in households[start : start + count]]
        Household.objects.filter(pk__in=ids).update(stairwell=stairwell)
        start += count
    return stairwells


def visit(world, household):
    return Visit.objects.create(
        subdistrict=world.subdistrict,
        neighborhood=household.neighborhood,
        micro_grid_id=household.micro_grid_id,
        building=household.building,
        household=household,
        worker=world.users["neighborhood_secretary"],
        visited_at="2026-11-01T02:00:00Z",
    )


@pytest.fixture
def tower(world):
    """A tower of 8 households in two stairwells of 4 (above the ceiling of 5), between rows."""
    row = add_row(world.neighborhood_a, 3, 2)
    (tower,) = add_row(world.neighborhood_a, 1, 8, first=3)
    stairwells = split_tower(tower, [4, 4])
    return row, tower, stairwells


def test_a_tower_split_by_stairwell_is_stored_and_its_visits_follow_it(world, tower):
    _row, building, stairwells = tower
    plan = propose(world)
    parts = {k: c for k, c in plan.proposed.items() if k.startswith(f"{building.pk}#")}
    assert set(parts) == {f"{building.pk}#1-1", f"{building.pk}#2-2"} and len(set(parts.values())) == 2
    household = Household.objects.filter(stairwell=stairwells[1]).first()
    early = visit(world, household)
    adopt(world, plan)
    for stairwell, key in zip(stairwells, sorted(parts), strict=True):
        grid = MicroGrid.objects.get(code=parts[key])
        assert Stairwell.objects.get(pk=stairwell.pk).micro_grid == grid
        assert set(Household.objects.filter(stairwell=stairwell).values_list("micro_grid", flat=True)) == {
            grid.pk
        }
    household.refresh_from_db()
    early.refresh_from_db()
    assert (
        early.micro_grid_id
        == household.micro_grid_id
        == MicroGrid.objects.get(code=parts[f"{building.pk}#2-2"]).pk
    )
    assert GridAssignmentHistory.objects.filter(building=building).count() == 2
    again = propose(world)  # nothing changed: the same split, the same grids, nothing moves
    assert again.proposed == plan.proposed
    assert again.households_moved == 0


def test_a_secretary_moves_a_stairwell_to_the_neighbouring_grid_with_a_reason(world, tower):
    row, building, stairwells = tower
    plan = propose(world)
    target = plan.proposed[f"{building.pk}#2-2"]
    source = plan.proposed[f"{building.pk}#1-1"]
    preview = services.preview_move(plan, [f"{building.pk}#1"], target)
    assert preview["problems"] == []
    assert [(g["code"], g["before"], g["after"]) for g in preview["grids"]][1] == (target, 4, 8)
    plan = services.move_units(
        actor=world.users["neighborhood_secretary"],
        plan=plan,
        selection=[f"{building.pk}#1"],
        to_code=target,
        reason="两个楼道同一楼道长",
    )
    assert plan.proposed[str(building.pk)] == target  # whole again: both stairwells in one grid
    row_of = {g["id"]: g for g in plan.report["grids"]}
    assert row_of[target]["households"] == 8 and not row_of[target]["within_bounds"]
    assert plan.report["edits"][0]["reason"] == "两个楼道同一楼道长"
    assert AuditRecord.objects.filter(action="update", object_id=str(plan.pk)).count() == 1
    adopt(world, plan)
    assert set(Household.objects.filter(building=building).values_list("micro_grid__code", flat=True)) == {
        target
    }
    assert MicroGrid.objects.get(code=target).hand_edited
    assert (
        source not in MicroGrid.objects.values_list("code", flat=True)
        or MicroGrid.objects.get(code=source).hand_edited
    )
    kept = propose(world)  # the next redraw keeps the hand edit
    assert kept.proposed[str(building.pk)] == target
    assert target in kept.report["locked"]
    redrawn = propose(world, keep_edits=False)  # unless told otherwise: the engine splits it again
    assert redrawn.report["locked"] == [] and f"{building.pk}#1-1" in redrawn.proposed


@translation.override("en")  # the refusals are matched by their English msgids
def test_a_move_that_breaks_contiguity_or_crosses_a_neighborhood_is_refused(world):
    row = add_row(world.neighborhood_a, 6, 2)
    other = add_row(world.neighborhood_b, 3, 2, lat=31.3002)  # close by, another neighborhood
    plan = services.propose_plan(
        actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, **SMALL
    )
    first, last = plan.proposed[str(row[0].pk)], plan.proposed[str(row[-1].pk)]
    before = dict(plan.proposed)
    with pytest.raises(ValidationError, match="contiguous"):
        services.move_units(
            actor=world.users["subdistrict_admin"],
            plan=plan,
            selection=[str(row[0].pk)],
            to_code=last,
            reason="x",
        )
    with pytest.raises(ValidationError, match="neighborhood"):
        services.move_units(
            actor=world.users["subdistrict_admin"],
            plan=plan,
            selection=[str(other[0].pk)],
            to_code=first,
            reason="x",
        )
    with pytest.raises(ValidationError, match="reason|why"):
        services.move_units(
            actor=world.users["subdistrict_admin"],
            plan=plan,
            selection=[str(row[2].pk)],
            to_code=first,
            reason=" ",
        )
    plan.refresh_from_db()
    assert plan.proposed == before and plan.report["edits"] == []


@pytest.fixture
def plans(world):
    add_row(world.neighborhood_a, 6, 2)
    add_row(world.neighborhood_far, 4, 2)
    own = services.propose_plan(
        actor=world.users["subdistrict_admin"], neighborhood=world.neighborhood_a, **SMALL
    )
    far = services.propose_plan(actor=far_admin(world), neighborhood=world.neighborhood_far, **SMALL)
    return own, far


def _a_move(plan):
    """The first building of a grid along the row, to the grid before it: both stay contiguous."""
    keys = sorted(plan.proposed, key=int)
    for before, key in zip(keys, keys[1:], strict=False):
        if plan.proposed[before] != plan.proposed[key]:
            return key, plan.proposed[before]
    raise AssertionError("the row holds more than one grid")


@pytest.mark.parametrize("code", ROLE_CODES)
def test_moving_needs_write_and_area(client, world, plans, code):
    own, far = plans
    client.force_login(world.users[code])
    unit, target = _a_move(own)
    preview = client.get(reverse("grids:plan_move_preview", args=[own.pk]), {"unit": unit, "to": target})
    assert preview.status_code == expected(code, write=True)
    if preview.status_code == 200:
        assert preview.json()["problems"] == []
    response = client.post(
        reverse("grids:plan_move", args=[own.pk]), {"unit": unit, "to": target, "reason": "巷道封闭"}
    )
    status = expected(code, write=True)
    assert response.status_code == (302 if status == 200 else status)
    own.refresh_from_db()
    assert bool(own.report["edits"]) == (status == 200 and not preview.json()["problems"])
    assert client.get(reverse("grids:plan_move_preview", args=[far.pk])).status_code == 404
    assert client.post(reverse("grids:plan_move", args=[far.pk]), {"reason": "x"}).status_code == 404


def test_anonymous_is_sent_to_sign_in_for_moves(client, plans):
    own, _far = plans
    for response in (
        client.get(reverse("grids:plan_move_preview", args=[own.pk])),
        client.post(reverse("grids:plan_move", args=[own.pk])),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert GridPlan.objects.get(pk=own.pk).report["edits"] == []


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_printable_sheet_needs_the_grid_in_the_area(client, world, code):
    row = add_row(world.neighborhood_a, 3, 2, grid=world.grid_a)
    client.force_login(world.users[code])
    response = client.get(reverse("grids:grid_print", args=[world.grid_a.pk]))
    assert response.status_code == expected(code)
    if response.status_code == 200:
        page = response.content.decode()
        assert page.count("data-building") >= len(row) and "<path d=" in page
    far = MicroGrid.objects.create(neighborhood=world.neighborhood_far, code="FAR-PRINT", name="远方网格")
    assert client.get(reverse("grids:grid_print", args=[far.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in_for_the_sheet(client, world):
    response = client.get(reverse("grids:grid_print", args=[world.grid_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
