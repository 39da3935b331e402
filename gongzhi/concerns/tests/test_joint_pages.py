"""Joint-case pages and API: opening a case from a concern, each department's parts list where it
finishes its own part, and what everyone else gets (404, 403, sign-in)."""

import json

import pytest
from django.urls import reverse

from gongzhi.concerns import joint
from gongzhi.concerns.models import JointCase, JointPart
from gongzhi.concerns.tests.conftest import concern_for, joint_team
from gongzhi.core.roles import AREA_ROLES

pytestmark = pytest.mark.django_db


def _case(world, deps):
    return joint.open_joint_case(
        actor=world.users["block_chief"],
        concern=concern_for(world),
        parts=[joint.PartRequest(d.pk, "到场处置") for d in deps],
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    concern = concern_for(world)
    for url in (reverse("concerns:joint_parts"), reverse("concerns:joint_new", args=[concern.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_block_chief_opens_a_joint_case_from_the_concern(client, world):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    concern = concern_for(world)
    client.force_login(world.users["block_chief"])
    detail = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert reverse("concerns:joint_new", args=[concern.pk]) in detail
    form = client.get(reverse("concerns:joint_new", args=[concern.pk])).content.decode()
    assert dep_a.name in form and dep_b.name in form
    data = {
        "department": [dep_a.pk, dep_b.pk],
        f"task_{dep_a.pk}": "约谈房东",
        f"task_{dep_b.pk}": "拆除违建",
    }
    response = client.post(reverse("concerns:joint_new", args=[concern.pk]), data | {"working_days": "4"})
    assert response.status_code == 302
    case = JointCase.objects.get(concern=concern)
    assert case.working_days == 4 and sorted(case.parts.values_list("task", flat=True)) == [
        "拆除违建",
        "约谈房东",
    ]
    again = client.post(reverse("concerns:joint_new", args=[concern.pk]), data)
    assert again.status_code == 302 and JointPart.objects.count() == 2
    detail = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "拆除违建" in detail and "联合" in detail


def test_a_bad_joint_case_form_says_why_and_writes_nothing(client, world):
    dep_a, _ua, _dep_b, _ub = joint_team(world)
    concern = concern_for(world)
    client.force_login(world.users["block_chief"])
    response = client.post(
        reverse("concerns:joint_new", args=[concern.pk]), {"department": [dep_a.pk], f"task_{dep_a.pk}": "x"}
    )
    assert response.status_code == 400 and "data-error" in response.content.decode()
    assert not JointCase.objects.exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_only_area_staff_of_the_concern_may_open_the_form(client, world, role):
    joint_team(world)
    concern = concern_for(world)
    client.force_login(world.users[role])
    status = client.get(reverse("concerns:joint_new", args=[concern.pk])).status_code
    area_staff = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "grid_chief", "grid_worker"}
    if role in area_staff | {"block_chief"}:
        assert status == 200
    else:
        assert status in (403, 404)


def test_each_department_lists_and_finishes_only_its_own_part(client, world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    case = _case(world, [dep_a, dep_b])
    part_a, part_b = case.parts.get(department=dep_a), case.parts.get(department=dep_b)
    client.force_login(user_a)
    page = client.get(reverse("concerns:joint_parts")).content.decode()
    assert f'data-part="{part_a.pk}"' in page and f'data-part="{part_b.pk}"' not in page
    assert (
        client.post(reverse("concerns:joint_part_done", args=[part_b.pk]), {"reply": "代办"}).status_code
        == 404
    )
    client.post(reverse("concerns:joint_part_done", args=[part_a.pk]), {"reply": "已约谈房东"})
    part_a.refresh_from_db()
    part_b.refresh_from_db()
    assert part_a.state == "done" and part_b.state == "open"
    assert 'data-item="joint_parts"' not in client.get(reverse("core:workbench")).content.decode()
    client.force_login(user_b)
    assert 'data-item="joint_parts"' in client.get(reverse("core:workbench")).content.decode()


def test_a_neighborhood_outside_the_block_sees_no_parts(client, world):
    dep_a, _ua, dep_b, _ub = joint_team(world)
    _case(world, [dep_a, dep_b])
    from gongzhi.org.testing import far_admin

    client.force_login(far_admin(world))
    page = client.get(reverse("concerns:joint_parts")).content.decode()
    assert "data-part=" not in page


def test_the_api_opens_a_case_lists_parts_and_finishes_one(client, world):
    dep_a, user_a, dep_b, _ub = joint_team(world)
    concern = concern_for(world)
    client.force_login(world.users["block_chief"])
    body = {
        "parts": [{"department_id": dep_a.pk, "task": "约谈"}, {"department_id": dep_b.pk, "task": "拆除"}]
    }
    url = f"/api/v1/concerns/{concern.pk}/joint-case"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert len(response.json()["parts"]) == 2
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == response.json()["id"]
    bad = client.post(url, json.dumps({"parts": []}), content_type="application/json")
    assert bad.status_code in (400, 422)
    client.force_login(user_a)
    parts = client.get("/api/v1/joint-parts").json()
    assert [p["department_id"] for p in parts] == [dep_a.pk]
    done = client.post(
        f"/api/v1/joint-parts/{parts[0]['id']}/done",
        json.dumps({"reply": "已约谈房东"}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["state"] == "done"
    other = JointPart.objects.get(department=dep_b)
    refused = client.post(
        f"/api/v1/joint-parts/{other.pk}/done",
        json.dumps({"reply": "代办代办"}),
        content_type="application/json",
    )
    assert refused.status_code == 404
