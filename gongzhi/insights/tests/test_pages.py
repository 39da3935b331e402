"""Permission and content tests of every insights page and endpoint."""

import pytest
from django.urls import reverse

from gongzhi.insights import services
from gongzhi.insights.models import HotIssue
from gongzhi.insights.tests.conftest import make_concerns, sample_rows
from gongzhi.org.testing import PASSWORD

pytestmark = pytest.mark.django_db

HOT = reverse("insights:hot_issues")


@pytest.fixture
def refreshed(world, concerns):
    services.refresh_hot_issues(world.subdistrict)
    # Another subdistrict's hot issue, which nobody in area A may see.
    far_rows = [r for r in sample_rows() if "滨河苑" in r["title"] or "伊景园" in r["title"]][:4]
    far = make_concerns(world, far_rows, neighborhood=world.neighborhood_far)
    for concern in far:
        concern.subdistrict = world.subdistrict_far
        concern.save(update_fields=["subdistrict"])
    services.refresh_hot_issues(world.subdistrict_far)
    return world


def _client(client, world, role):
    client.login(username=role, password=PASSWORD)
    return client


def test_anonymous_is_sent_to_sign_in(client, refreshed):
    issue = HotIssue.objects.filter(subdistrict=refreshed.subdistrict).first()
    for url in (HOT, reverse("insights:dashboard"), reverse("insights:hot_issue", args=[issue.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/api/v1/insights/hot-issues").status_code == 401


def test_subdistrict_admin_sees_the_ranked_list_with_heat_chart(client, refreshed):
    world = refreshed
    c = _client(client, world, "subdistrict_admin")
    response = c.get(HOT)
    assert response.status_code == 200
    html = response.content.decode()
    top = HotIssue.objects.get(subdistrict=world.subdistrict, neighborhood=None, rank=1)
    assert top.title in html and 'id="heat-data"' in html and "热点问题" in html
    assert f'data-hot-issue="{top.pk}"' in html
    # Neighborhood lists of the subdistrict are a click away; another subdistrict's are not.
    assert f'data-area="n{world.neighborhood_b.pk}"' in html
    assert f'data-area="n{world.neighborhood_far.pk}"' not in html
    far = HotIssue.objects.filter(subdistrict=world.subdistrict_far).first()
    assert far is not None and far.title not in html
    assert c.get(HOT, {"area": f"s{world.subdistrict_far.pk}"}).status_code == 404
    nb = c.get(HOT, {"area": f"n{world.neighborhood_b.pk}"})
    assert nb.status_code == 200
    for issue in HotIssue.objects.filter(neighborhood=world.neighborhood_b):
        assert issue.title in nb.content.decode()


def test_neighborhood_staff_see_only_their_neighborhood(client, refreshed):
    world = refreshed
    c = _client(client, world, "neighborhood_secretary")
    response = c.get(HOT)
    assert response.status_code == 200
    assert response.context["area"].neighborhood == world.neighborhood_a
    assert c.get(HOT, {"area": f"s{world.subdistrict.pk}"}).status_code == 404
    assert c.get(HOT, {"area": f"n{world.neighborhood_b.pk}"}).status_code == 404
    wide = HotIssue.objects.filter(subdistrict=world.subdistrict, neighborhood=None).first()
    assert c.get(reverse("insights:hot_issue", args=[wide.pk])).status_code == 404
    own = HotIssue.objects.filter(neighborhood=world.neighborhood_a).first()
    assert c.get(reverse("insights:hot_issue", args=[own.pk])).status_code == 200
    # Recomputing is the subdistrict's job.
    assert c.post(reverse("insights:refresh"), {"area": f"n{world.neighborhood_a.pk}"}).status_code == 403


def test_roles_without_concerns_are_refused(client, refreshed):
    c = _client(client, refreshed, "volunteer_team_chief")
    assert c.get(HOT).status_code == 403
    assert c.get(reverse("insights:dashboard")).status_code == 403
    assert c.get("/api/v1/insights/hot-issues").json() == []


def test_members_are_listed_masked_and_only_those_in_scope(client, refreshed):
    world = refreshed
    wide = next(
        i
        for i in HotIssue.objects.filter(subdistrict=world.subdistrict, neighborhood=None)
        if i.members.filter(neighborhood=world.neighborhood_b).exists()
        and i.members.filter(neighborhood=world.neighborhood_a).exists()
    )
    admin = _client(client, world, "subdistrict_admin").get(reverse("insights:hot_issue", args=[wide.pk]))
    html = admin.content.decode()
    assert admin.status_code == 200
    assert "张**" in html and "张三丰" not in html
    assert len(admin.context["members"]) == wide.concerns_count and admin.context["hidden"] == 0
    client.logout()
    # The neighborhood's issue seen by its social worker: every member is in their neighborhood.
    own = HotIssue.objects.filter(neighborhood=world.neighborhood_a).first()
    page = _client(client, world, "social_worker").get(reverse("insights:hot_issue", args=[own.pk]))
    assert {m["pk"] for m in page.context["members"]} == set(own.members.values_list("pk", flat=True))


def test_subdistrict_admin_recomputes(client, world, concerns):
    c = _client(client, world, "subdistrict_admin")
    response = c.post(reverse("insights:refresh"), {"area": f"s{world.subdistrict.pk}"})
    assert response.status_code == 302 and response["Location"].endswith(f"?area=s{world.subdistrict.pk}")
    assert HotIssue.objects.filter(subdistrict=world.subdistrict).exists()
    assert c.get(reverse("insights:refresh")).status_code == 405
    assert c.post(reverse("insights:refresh"), {"area": f"s{world.subdistrict_far.pk}"}).status_code == 404


def test_dashboard_shows_categories_by_month_and_top_issues(client, refreshed):
    world = refreshed
    response = _client(client, world, "subdistrict_admin").get(reverse("insights:dashboard"))
    assert response.status_code == 200
    monthly = response.context["monthly"]
    assert len(monthly["labels"]) == 12 and monthly["series"][0]["name"] == "其他"
    assert response.context["total"] == sum(monthly["series"][0]["values"]) > 0
    top = HotIssue.objects.get(subdistrict=world.subdistrict, neighborhood=None, rank=1)
    assert top.title in response.content.decode()


def test_api_lists_scoped_hot_issues(client, refreshed):
    world = refreshed
    c = _client(client, world, "neighborhood_secretary")
    rows = c.get("/api/v1/insights/hot-issues", {"all_areas": "true"}).json()
    assert rows and {r["neighborhood_id"] for r in rows} == {world.neighborhood_a.pk}
    own = HotIssue.objects.filter(neighborhood=world.neighborhood_a).first()
    detail = c.get(f"/api/v1/insights/hot-issues/{own.pk}")
    assert detail.status_code == 200
    assert set(detail.json()["member_ids"]) == set(own.members.values_list("pk", flat=True))
    far = HotIssue.objects.filter(subdistrict=world.subdistrict_far).first()
    assert c.get(f"/api/v1/insights/hot-issues/{far.pk}").status_code == 404
    client.logout()
    admin = _client(client, world, "subdistrict_admin")
    wide = admin.get("/api/v1/insights/hot-issues", {"subdistrict_id": world.subdistrict.pk}).json()
    assert [r["rank"] for r in wide] == list(range(1, len(wide) + 1))
    assert all(r["neighborhood_id"] is None for r in wide)
    assert admin.get("/api/v1/insights/hot-issues", {"subdistrict_id": world.subdistrict_far.pk}).json() == []
    # Ids beyond a database key are refused by name, not a server error (found by `make fuzz`).
    huge = admin.get("/api/v1/insights/hot-issues", {"subdistrict_id": 2**65})
    assert huge.status_code == 422 and "subdistrict_id" in huge.content.decode()
