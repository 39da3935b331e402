"""The visit pages × every role × own and other area: visit form, rules, map layer and popup,
contact cards, coverage export. Outside the area a record is 404; inside it, a role without the
right gets 403 and nothing changes; every success is checked on the record."""

import pytest
from django.urls import reverse

from gongzhi.concerns.tests.test_permissions import CONCERN_READERS, EXPORTERS
from gongzhi.core.roles import ROLES
from gongzhi.visits.models import Visit, VisitRule

pytestmark = pytest.mark.django_db
ROLE_CODES = sorted(ROLES)

# Whose households a role covers (visits read through the area roles' units only).
COVERS = {
    "subdistrict_admin": {"a", "a2", "b"},
    "neighborhood_secretary": {"a", "a2"},
    "social_worker": {"a", "a2"},
    "grid_chief": {"a"},
    "grid_worker": {"a"},
}
# Whose buildings a role sees (the map popup): the place data of its unit.
BUILDINGS = COVERS | {"property_staff": {"a"}, "owners_committee_member": {"a"}, "block_chief": {"a", "a2"}}


def _households(world) -> dict:
    return {
        "a": world.household_a,
        "a2": world.household_a2,
        "b": world.household_b,
        "far": world.household_far,
    }


def read_status(role: str, name: str, table: dict) -> int:
    if role not in CONCERN_READERS:
        return 403
    return 200 if name in table.get(role, set()) else 404


@pytest.mark.parametrize("role", ROLE_CODES)
def test_household_card_grid_cards_and_map_popup_by_role_and_area(client, world, role):
    client.force_login(world.users[role])
    for name, household in _households(world).items():
        card = client.get(reverse("visits:household_card", args=[household.pk]))
        assert card.status_code == read_status(role, name, COVERS), ("card", name)
        popup = client.get(reverse("visits:map_building", args=[household.building_id]))
        assert popup.status_code == read_status(role, name, BUILDINGS), ("popup", name)
        if household.micro_grid_id:
            grid = client.get(reverse("visits:grid_cards", args=[household.micro_grid_id]))
            assert grid.status_code == read_status(role, name, COVERS), ("grid", name)


# Who may open an area's layer: those who read the area's place data (roles below it read their
# neighborhood and subdistrict); what the layer holds is only the buildings of households they cover.
LAYER_OPENS = {
    "neighborhood_a": set(COVERS) | {"property_staff", "owners_committee_member", "block_chief"},
    "neighborhood_b": {"subdistrict_admin"},
    "subdistrict": set(COVERS) | {"property_staff", "owners_committee_member", "block_chief"},
    "subdistrict_far": set(),
}


@pytest.mark.parametrize("role", ROLE_CODES)
def test_map_layer_by_role_and_area(client, world, role):
    households = _households(world)
    for h in households.values():
        h.building.lat, h.building.lng = 31.35, 121.42
        h.building.save()
    client.force_login(world.users[role])
    areas = {
        "neighborhood_a": ("neighborhood", world.neighborhood_a.pk, {"a", "a2"}),
        "neighborhood_b": ("neighborhood", world.neighborhood_b.pk, {"b"}),
        "subdistrict": ("subdistrict", world.subdistrict.pk, {"a", "a2", "b"}),
        "subdistrict_far": ("subdistrict", world.subdistrict_far.pk, {"far"}),
    }
    for area, (kind, pk, inside) in areas.items():
        response = client.get(reverse("visits:map_layer", args=[kind, pk]))
        if role not in CONCERN_READERS:
            assert response.status_code == 403, area
            continue
        assert response.status_code == (200 if role in LAYER_OPENS[area] else 404), area
        if response.status_code == 200:
            shown = {f["properties"]["id"] for f in response.json()["features"]}
            covered = inside & COVERS.get(role, set())
            assert shown == {households[n].building_id for n in covered}, area


@pytest.mark.parametrize("role", ROLE_CODES)
def test_recording_a_visit_by_role_and_area(client, world, role):
    """A household outside what the role covers is refused as a field error (400), as on the form."""
    client.force_login(world.users[role])
    for name, household in _households(world).items():
        before = Visit.objects.count()
        response = client.post(
            reverse("concerns:visit_new"),
            {"household": household.pk, "channel": "door", "raised": "路灯不亮"},
        )
        if role not in CONCERN_READERS:
            expected = 403
        else:
            expected = 302 if name in COVERS.get(role, set()) else 400
        assert response.status_code == expected, name
        assert Visit.objects.count() - before == (1 if expected == 302 else 0), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_visit_rules_are_changed_by_the_subdistrict_admin_only(client, world, role):
    client.force_login(world.users[role])
    response = client.post(reverse("visits:rules"), {"kind": "household", "every": "2"})
    if role not in CONCERN_READERS:
        expected = 403
    else:
        expected = 302 if role == "subdistrict_admin" else 403
    assert response.status_code == expected
    rules = VisitRule.objects.filter(kind="household", every=2)
    assert rules.exists() == (expected == 302)
    if expected == 302:
        assert rules.get().subdistrict_id == world.subdistrict.pk  # the admin's own subdistrict


@pytest.mark.parametrize("role", ROLE_CODES)
def test_coverage_export_needs_the_export_capability(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("visits:coverage_export"))
    assert response.status_code == (302 if role in EXPORTERS else 403)
