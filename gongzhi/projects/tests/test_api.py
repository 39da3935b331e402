"""The API answers with the same scope as the pages."""

import pytest

from gongzhi.projects import services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db


def test_list_and_detail_are_scoped(client, world):
    mine = t.project(world, state="running", budget="9000.10")
    far = t.project(world, "远方", neighborhood=world.neighborhood_far)
    client.force_login(world.users["social_worker"])
    ids = {p["id"] for p in client.get("/api/v1/projects/projects").json()}
    assert mine.pk in ids and far.pk not in ids
    detail = client.get(f"/api/v1/projects/projects/{mine.pk}").json()
    assert detail["approved_budget"] == "9000.10" and detail["budget"][0]["budget"] == "9000.10"
    assert client.get(f"/api/v1/projects/projects/{far.pk}").status_code == 404
    client.force_login(world.users["grid_worker"])
    assert client.get(f"/api/v1/projects/projects/{mine.pk}").status_code == 404


def test_anonymous_gets_401(client, world):
    mine = t.project(world)
    assert client.get("/api/v1/projects/projects").status_code == 401
    assert client.get(f"/api/v1/projects/projects/{mine.pk}").status_code == 401


def test_transition_through_the_api(client, world):
    project = t.project(world, state="under_review")
    client.force_login(world.users["neighborhood_secretary"])
    url = f"/api/v1/projects/projects/{project.pk}/transition"
    assert client.post(url, {"to": "approved"}, content_type="application/json").status_code == 403
    client.force_login(world.users["subdistrict_admin"])
    bad = client.post(url, {"to": "closed"}, content_type="application/json")
    assert bad.status_code == 422 and "state" in bad.json()["errors"]
    ok = client.post(url, {"to": "approved", "approved_budget": "18000.00"}, content_type="application/json")
    assert (
        ok.status_code == 200
        and ok.json()["state"] == "approved"
        and ok.json()["approved_budget"] == "18000.00"
    )


def test_round_ranking(client, world):
    a = t.project(world, "甲", state="submitted")
    r, judges = t.review_round(world, [a], members=1)
    services.submit_scores(
        actor=judges[0], review_round=r, project=a, values={c.pk: 80 for c in r.criteria.all()}
    )
    client.force_login(world.users["subdistrict_admin"])
    body = client.get(f"/api/v1/projects/rounds/{r.pk}").json()
    assert body["ranking"] == [
        {
            "project_id": a.pk,
            "title": "甲",
            "owner": a.owner.name,
            "rank": 1,
            "result": "80.0000",
            "members": 1,
        }
    ]
    client.force_login(judges[0])
    assert client.get(f"/api/v1/projects/rounds/{r.pk}").status_code == 200
    client.force_login(world.users["neighborhood_secretary"])  # reads the round and its own projects
    assert len(client.get(f"/api/v1/projects/rounds/{r.pk}").json()["ranking"]) == 1
    from gongzhi.org import factories as f

    client.force_login(f.UserFactory(username="stranger"))
    assert client.get(f"/api/v1/projects/rounds/{r.pk}").status_code == 404
    assert client.get("/api/v1/projects/rounds/999999").status_code == 404
