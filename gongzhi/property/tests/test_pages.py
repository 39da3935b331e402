"""Every property page and endpoint, per role: who sees it, who may change through it, who gets 403/404."""

import json

import pytest
from django.urls import reverse

from gongzhi.core.roles import AREA_ROLES, ROLES
from gongzhi.property.models import CommitteeMember, MonthlyFigures, ScoreRule, StairwellGovernance
from gongzhi.property.testing import add_property, compound_a, expected_score

READERS = {
    "subdistrict_admin",
    "neighborhood_secretary",
    "social_worker",
    "property_staff",
    "owners_committee_member",
    "stairwell_chief",
    "party_group_chief",
}
STAFF = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}
COMPOUND_ROLES = STAFF | {"property_staff", "owners_committee_member"}
ROLE_CODES = list(ROLES)


@pytest.fixture
def prop(world):
    add_property(world)
    return world


def _get(client, world, code, url):
    client.force_login(world.users[code])
    return client.get(url)


def _expect(code, allowed: set, hidden: set = frozenset()) -> int:
    if code in allowed:
        return 200
    return 404 if code in hidden else 403


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_overview_is_for_roles_that_read_property(client, prop, code):
    response = _get(client, prop, code, reverse("property:overview") + "?year=2026")
    assert response.status_code == _expect(code, READERS)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_neighborhood_ranking_is_for_property_readers(client, prop, code):
    url = reverse("property:neighborhood", args=[prop.neighborhood_a.pk]) + "?year=2026"
    response = _get(client, prop, code, url)
    assert response.status_code == _expect(code, READERS)
    if code in STAFF:
        assert str(expected_score()) in response.content.decode()
        assert "书记年终考核" in response.content.decode()


@pytest.mark.parametrize("code", ROLE_CODES)
def test_a_compound_page_shows_its_figures_to_those_who_read_them(client, prop, code):
    response = _get(
        client, prop, code, reverse("property:compound", args=[compound_a(prop).pk]) + "?year=2026"
    )
    assert response.status_code == _expect(code, READERS)
    if code in COMPOUND_ROLES:
        assert "杨行物业" in response.content.decode() and "2026-03" in response.content.decode()


@pytest.mark.parametrize("code", sorted(READERS))
def test_a_compound_of_another_subdistrict_is_not_found(client, prop, code):
    far = prop.household_far.building.compound
    assert _get(client, prop, code, reverse("property:compound", args=[far.pk])).status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_staff_and_the_property_company_enter_figures_on_the_page(client, prop, code):
    client.force_login(prop.users[code])
    url = reverse("property:figures", args=[compound_a(prop).pk])
    response = client.post(url, {"month": "2027-01", "fee_billed": "100", "fee_collected": "99"})
    writers = STAFF | {"property_staff"}
    assert response.status_code == (302 if code in writers else 403)
    assert MonthlyFigures.objects.filter(month__year=2027).exists() == (code in writers)


def test_a_bad_amount_on_the_figures_page_names_the_field(client, prop):
    client.force_login(prop.users["property_staff"])
    url = reverse("property:figures", args=[compound_a(prop).pk])
    response = client.post(url, {"month": "2027-01", "fee_billed": "一百"})
    assert response.status_code == 400
    assert "以元为单位" in response.content.decode()


@pytest.mark.parametrize("code", ROLE_CODES)
def test_an_owners_committee_is_shown_to_the_compounds_roles(client, prop, code):
    committee = CommitteeMember.objects.first().committee
    response = _get(client, prop, code, reverse("property:committee", args=[committee.pk]))
    assert response.status_code == _expect(code, COMPOUND_ROLES, READERS - COMPOUND_ROLES)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_only_the_neighborhoods_staff_add_committee_members(client, prop, code):
    committee = CommitteeMember.objects.first().committee
    client.force_login(prop.users[code])
    url = reverse("property:committee_action", args=[committee.pk])
    response = client.post(url, {"action": "member", "name": "赵", "post": "member"})
    # Out of scope looks absent; the compound's roles may read but not change; duty roles get 403.
    hidden = code in AREA_ROLES and code not in COMPOUND_ROLES
    expected = 302 if code in STAFF else (404 if hidden else 403)
    assert response.status_code == expected
    assert CommitteeMember.objects.filter(name="赵").exists() == (code in STAFF)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_a_stairwell_page_is_kept_by_staff_and_read_by_its_chiefs(client, prop, code):
    stairwell = prop.household_a.stairwell
    url = reverse("property:stairwell", args=[stairwell.pk])
    response = _get(client, prop, code, url)
    assert response.status_code == _expect(code, READERS)
    response = client.post(url, {"step": "2", "group": "甲,乙,丙"})
    assert response.status_code == (302 if code in STAFF else 403)
    assert StairwellGovernance.objects.filter(step=2).exists() == (code in STAFF)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_ranking_endpoint_answers_per_role(client, prop, code):
    response = _get(
        client, prop, code, f"/api/v1/property/neighborhoods/{prop.neighborhood_a.pk}/ranking?year=2026"
    )
    assert response.status_code == _expect(code, READERS)
    if code in STAFF:
        assert json.loads(response.content)["score"] == str(expected_score())


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_figures_endpoints_answer_per_role(client, prop, code):
    url = f"/api/v1/property/compounds/{compound_a(prop).pk}/figures"
    response = _get(client, prop, code, url + "?year=2026")
    assert response.status_code == _expect(code, READERS)
    if code in COMPOUND_ROLES:
        assert len(json.loads(response.content)) == 12
    response = client.post(url, {"month": "2027-02-01", "fires": 1}, content_type="application/json")
    assert response.status_code == (200 if code in STAFF | {"property_staff"} else 403)


def test_the_far_compounds_figures_endpoint_is_not_found(client, prop):
    far = prop.household_far.building.compound
    response = _get(
        client, prop, "subdistrict_admin", f"/api/v1/property/compounds/{far.pk}/figures?year=2026"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_rules_page_is_read_by_property_readers_and_changed_by_the_subdistrict(client, prop, code):
    response = _get(client, prop, code, reverse("property:rules"))
    assert response.status_code == _expect(code, READERS)
    post = {
        "action": "rule",
        "metric": "fee_rate",
        "weight": "1",
        "direction": "higher",
        "worst": "0.3",
        "best": "0.6",
    }
    response = client.post(reverse("property:rules"), post)
    assert response.status_code == (302 if code == "subdistrict_admin" else 403)
    assert ScoreRule.objects.filter(metric="fee_rate").exists() == (code == "subdistrict_admin")
