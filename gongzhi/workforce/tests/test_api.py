"""The workforce API per role: the same scope and services as the pages."""

from decimal import Decimal

import pytest

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.workforce import services
from gongzhi.workforce.testing import open_test_round

WITH_PROFILE = {"neighborhood_secretary", "social_worker"}
WORKFORCE_READERS = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}


@pytest.mark.parametrize("code", sorted(ROLES))
def test_each_endpoint_answers_each_role_as_its_scope_says(client, world, crew, code):
    assessment, _groups = open_test_round(world, crew)
    client.force_login(world.users[code])
    if code in DUTY_ROLES:  # the system, security and audit accounts read no area data at all
        assert client.get("/api/v1/workforce/me").status_code == 403
        assert client.get("/api/v1/workforce/rounds").status_code == 403
        return
    assert client.get("/api/v1/workforce/me").status_code == (200 if code in WITH_PROFILE else 404)
    assert client.get("/api/v1/workforce/training").status_code == (200 if code in WORKFORCE_READERS else 403)
    assert client.get("/api/v1/workforce/rounds").status_code == (200 if code == "subdistrict_admin" else 403)
    bonuses = client.get(f"/api/v1/workforce/rounds/{assessment.pk}/bonuses")
    assert bonuses.status_code == (200 if code == "subdistrict_admin" else 404)
    assert client.get("/api/v1/workforce/my-bonuses").json() == []
    if code != "subdistrict_admin":
        assert client.post(f"/api/v1/workforce/rounds/{assessment.pk}/adopt").status_code == 404


def test_check_in_through_the_api_credits_once(client, world, crew):
    client.force_login(world.users["social_worker"])
    first = client.post(
        "/api/v1/workforce/check-in", {"token": crew.session.check_in_token}, content_type="application/json"
    )
    again = client.post(
        "/api/v1/workforce/check-in", {"token": crew.session.check_in_token}, content_type="application/json"
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["hours"] == "3.0" and first.json()["line"] == "must_know"
    progress = client.get("/api/v1/workforce/me").json()["progress"]
    assert [Decimal(p["credited"]) for p in progress if p["line"] == "must_know"] == [Decimal(3)]


def test_only_a_groups_rater_posts_scores_and_bad_scores_name_the_field(client, world, crew):
    assessment, groups = open_test_round(world, crew)
    services.add_rater(actor=crew.admin, group=groups["grid"], user=world.users["grid_chief"])
    body = {"group_id": groups["grid"].pk, "neighborhood_id": world.neighborhood_a.pk, "score": "91"}
    client.force_login(world.users["grid_chief"])
    assert client.post("/api/v1/workforce/ratings", body, content_type="application/json").status_code == 200
    bad = client.post("/api/v1/workforce/ratings", {**body, "score": "x"}, content_type="application/json")
    assert bad.status_code == 422 and "score" in bad.json()["errors"]
    far = {**body, "neighborhood_id": world.neighborhood_far.pk}
    assert client.post("/api/v1/workforce/ratings", far, content_type="application/json").status_code == 404
    client.force_login(world.users["grid_worker"])
    assert client.post("/api/v1/workforce/ratings", body, content_type="application/json").status_code == 404
