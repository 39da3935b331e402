"""A neighborhood secretary draws micro-grids, reviews the proposal on the map and adopts it."""

import math

import pytest

from gongzhi.grids import services
from gongzhi.grids.models import GridPlan
from gongzhi.grids.tests.test_services import add_row
from gongzhi.org.models import Building
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("gongzhi.grids.tests.test_views"),
]


@pytest.fixture
def live(live_server, world):
    """Neighborhood A gets 4 compounds of 3 rows × 6 buildings of 24 households (1,728 in all),
    already drawn once into grids of 200–300 households."""
    for block in range(4):
        for row in range(3):
            lat = 31.30 + (row * 25 + (block // 2) * 110) / 111_320
            add_row(world.neighborhood_a, 6, 24, lat=lat, first=(block % 2) * 7)
    plan = services.propose_plan(
        actor=world.users["neighborhood_secretary"],
        neighborhood=world.neighborhood_a,
        min_households=200,
        max_households=300,
    )
    services.adopt_plan(actor=world.users["neighborhood_secretary"], plan=plan)
    assert math.isfinite(plan.seconds)
    return live_server


@pytest.mark.parametrize("width", WIDTHS)
def test_secretary_draws_reviews_and_adopts_grids(browser, live, world, width):
    """From the workbench's 网格地图 to a redrawn, adopted plan, at a desk and on a phone."""
    context = context_at(browser, width)
    page = context.new_page()
    sign_in(page, live, "neighborhood_secretary")
    open_menu(page, "places", "网格地图", width)
    page.wait_for_url(f"**/grids/neighborhoods/{world.neighborhood_a.pk}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    page.wait_for_selector("#grid-chart svg")
    assert page.locator("#grid-map path.leaflet-interactive").count() >= 6
    fits(page, width)
    page.click(f'a[href="/grids/neighborhoods/{world.neighborhood_a.pk}/draw/"]')
    page.fill("#id_min_households", "300")
    page.fill("#id_max_households", "500")
    page.check("input[name=mode][value=full]")
    fits(page, width)
    page.click("button[type=submit]")
    page.wait_for_url("**/grids/plans/*/")
    page.wait_for_selector("#plan-map path.leaflet-interactive")
    plan = GridPlan.objects.latest("id")
    grids = len(set(plan.proposed.values()))
    assert page.locator("#plan-map path.leaflet-interactive").count() >= grids
    assert page.locator("tr[data-grid]").count() == grids
    page.locator("#plan-map path.leaflet-interactive").first.hover()
    page.wait_for_selector(".leaflet-tooltip")
    fits(page, width)
    screenshot(page, f"grid-proposal-{width}")
    page.click("button[data-action=adopt]")
    page.wait_for_selector("[data-status=adopted]")
    page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    page.wait_for_selector("#grid-chart svg")
    screenshot(page, f"grid-map-{width}")
    context.close()
    plan.refresh_from_db()
    assert plan.status == GridPlan.Status.ADOPTED
    # every building now sits in the grid the adopted plan drew for it
    placed = dict(
        Building.objects.filter(pk__in=[int(k) for k in plan.proposed]).values_list("pk", "micro_grid__code")
    )
    assert {str(pk): code for pk, code in placed.items()} == plan.proposed


def test_draw_form_shows_drawing_note_and_field_errors(page, live, world):
    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/grids/neighborhoods/{world.neighborhood_a.pk}/draw/")
    assert page.locator("#drawing").is_hidden()
    page.fill("#id_min_households", "600")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-error=max_households]")
    assert GridPlan.objects.filter(status=GridPlan.Status.PROPOSED).count() == 0


# --- issue 22: hand edits, stairwell splits, maps from the GIS ----------------------------------

SMALL_BOUNDS = {"min_households": 3, "max_households": 5, "gap_m": 30}


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="zh-CN", is_mobile=True)
    yield context.new_page()
    context.close()


def _move(page, live, plan, selection: list[str], building_pk: int, to_code: str, reason: str):
    """On the plan page: click the building on the map, keep only `selection` ticked, choose
    the grid, wait for the preview of both grids, give the reason and move."""
    page.goto(f"{live.url}/grids/plans/{plan.pk}/")
    page.wait_for_selector(f"#plan-map path.bld-{building_pk}")
    page.locator(f"#plan-map path.bld-{building_pk}").click(force=True)
    boxes = page.locator("#move-form input[name=unit]")
    for k in range(boxes.count()):
        box = boxes.nth(k)
        if box.get_attribute("value") not in selection:
            box.uncheck()
    page.select_option("#move-to", to_code)
    page.wait_for_selector("#move-form [data-preview] p[data-grid]")
    assert page.locator("#move-form [data-preview] p[data-grid]").count() == 2
    page.fill("#move-reason", reason)
    page.click("#move-form button[type=submit]")
    page.wait_for_selector("tr[data-edit]")


def test_secretary_moves_a_building_on_the_map_and_adopts(wide_page, live_server, world):
    from gongzhi.grids.models import MicroGrid
    from gongzhi.org.models import Building

    row = add_row(world.neighborhood_a, 6, 2)
    plan = services.propose_plan(
        actor=world.users["neighborhood_secretary"], neighborhood=world.neighborhood_a, **SMALL_BOUNDS
    )
    keys = [str(b.pk) for b in row]
    # the first building of the second grid along the row goes to the grid before it
    k = next(i for i in range(1, 6) if plan.proposed[keys[i]] != plan.proposed[keys[i - 1]])
    target = plan.proposed[keys[k - 1]]
    sign_in(wide_page, live_server, "neighborhood_secretary")
    # first a move that would cut the last grid off from its row: refused on the spot
    last = plan.proposed[keys[-1]]
    wide_page.goto(f"{live_server.url}/grids/plans/{plan.pk}/")
    wide_page.wait_for_selector(f"#plan-map path.bld-{row[0].pk}")
    wide_page.locator(f"#plan-map path.bld-{row[0].pk}").click(force=True)
    wide_page.select_option("#move-to", last)
    wide_page.wait_for_selector("#move-form [data-problem]")
    assert wide_page.locator("#move-form button[type=submit]").is_disabled()
    _move(wide_page, live_server, plan, [keys[k]], row[k].pk, target, "巷道封闭，走同一个门")
    screenshot(wide_page, "grid-hand-edit")
    wide_page.click("button[data-action=adopt]")
    wide_page.wait_for_selector("[data-status=adopted]")
    assert Building.objects.get(pk=row[k].pk).micro_grid.code == target
    assert MicroGrid.objects.get(code=target).hand_edited
    plan.refresh_from_db()
    assert plan.report["edits"][0]["reason"] == "巷道封闭，走同一个门"


def test_a_stairwell_moves_to_the_next_grid_and_its_households_visits_follow(wide_page, live_server, world):
    from gongzhi.grids.models import MicroGrid
    from gongzhi.grids.tests.test_editing import split_tower, visit
    from gongzhi.org.models import Household
    from gongzhi.visits.models import Visit

    left = add_row(world.neighborhood_a, 2, 2)
    (tower,) = add_row(world.neighborhood_a, 1, 4, first=2)
    right = add_row(world.neighborhood_a, 2, 2, first=3)
    stairwells = split_tower(tower, [2, 2])
    secretary = world.users["neighborhood_secretary"]
    first = services.propose_plan(actor=secretary, neighborhood=world.neighborhood_a, **SMALL_BOUNDS)
    services.adopt_plan(actor=secretary, plan=first)
    household = Household.objects.filter(stairwell=stairwells[1]).first()
    household.refresh_from_db()
    early = visit(world, household)
    plan = services.propose_plan(actor=secretary, neighborhood=world.neighborhood_a, **SMALL_BOUNDS)
    home = plan.proposed[str(tower.pk)]
    neighbour = next(
        plan.proposed[str(b.pk)] for b in (right[0], left[-1]) if plan.proposed[str(b.pk)] != home
    )
    sign_in(wide_page, live_server, "neighborhood_secretary")
    _move(wide_page, live_server, plan, [f"{tower.pk}#2"], tower.pk, neighbour, "2单元并入隔壁网格")
    wide_page.click("button[data-action=adopt]")
    wide_page.wait_for_selector("[data-status=adopted]")
    wide_page.goto(f"{live_server.url}/grids/neighborhoods/{world.neighborhood_a.pk}/")
    wide_page.wait_for_selector("#grid-map path.leaflet-interactive")
    screenshot(wide_page, "grid-stairwell-split")
    household.refresh_from_db()
    early.refresh_from_db()
    grid = MicroGrid.objects.get(code=neighbour)
    assert household.micro_grid_id == grid.pk and early.micro_grid_id == grid.pk
    assert set(
        Household.objects.filter(stairwell=stairwells[0]).values_list("micro_grid__code", flat=True)
    ) == {home}
    assert Visit.objects.filter(micro_grid=grid, household=household).count() == 1


def test_a_road_imported_from_the_gis_cuts_the_grids_on_a_phone(narrow_page, live_server, world, tmp_path):
    from gongzhi.grids.tests.test_map_import import map_file

    row = add_row(world.neighborhood_a, 6, 2)
    path = tmp_path / "map.geojson"
    path.write_bytes(map_file(row, road_at=3))
    page = narrow_page
    sign_in(page, live_server, "neighborhood_secretary")
    page.goto(f"{live_server.url}/grids/neighborhoods/{world.neighborhood_a.pk}/import/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_crs", "gcj02")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("[data-report=lines]")
    assert page.locator("[data-report=lines]").inner_text() == "1"
    assert page.locator("[data-report=matched]").inner_text() == "6"
    page.click("#import-report a.btn")
    page.fill("#id_min_households", "3")
    page.fill("#id_max_households", "6")
    page.click("button[type=submit]")
    page.wait_for_url("**/grids/plans/*/")
    page.wait_for_selector("#plan-map path.cut-line", state="attached")  # a vertical line has no width
    assert page.evaluate("document.documentElement.scrollWidth") <= 430
    screenshot(page, "grid-road-cut-phone")
    plan = GridPlan.objects.latest("id")
    west, east = {str(b.pk) for b in row[:3]}, {str(b.pk) for b in row[3:]}
    for code in set(plan.proposed.values()):
        members = {k for k, c in plan.proposed.items() if c == code}
        assert not (members & west and members & east)
