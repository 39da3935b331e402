"""The block dashboard: open to the block chief and the subdistrict's staff only, and every figure
equal to the count its list page shows (the concern queue with the block filter, the joint-case
parts list)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.concerns import joint
from gongzhi.concerns.models import JointCase
from gongzhi.concerns.tests.conftest import category, concern_for, joint_team
from gongzhi.core.roles import AREA_ROLES
from gongzhi.insights import block_figures

pytestmark = pytest.mark.django_db

OVERSEERS = {"subdistrict_admin", "block_chief"}


def _block_with_cases(world):
    dep_a, user_a, dep_b, user_b = joint_team(world)
    cases = []
    for n in range(3):
        concern = concern_for(world, category=category("noise" if n else "parking", "噪声" if n else "停车"))
        parts = [joint.PartRequest(dep_a.pk, "约谈"), joint.PartRequest(dep_b.pk, "拆除")]
        cases.append(joint.open_joint_case(actor=world.users["block_chief"], concern=concern, parts=parts))
    joint.finish_part(actor=user_a, part=cases[0].parts.get(department=dep_a), reply="已约谈房东")
    joint.finish_part(actor=user_b, part=cases[0].parts.get(department=dep_b), reply="违建已拆除")
    joint.finish_part(actor=user_a, part=cases[1].parts.get(department=dep_a), reply="已约谈房东")
    JointCase.objects.filter(pk=cases[2].pk).update(due_at=timezone.now() - timedelta(days=1))
    concern_for(world)  # an open concern that is no joint case
    concern_for(
        world, actor=world.users["subdistrict_admin"], household=world.household_b
    )  # outside the block
    return dep_a, dep_b


def _count(client, url: str, marker: str) -> int:
    page = client.get(url).content.decode()
    return int(re.search(rf'id="{marker}" data-count="(\d+)"', page).group(1))


@pytest.mark.parametrize("role", sorted(OVERSEERS))
def test_every_figure_equals_the_count_of_its_list_page(client, world, role):
    _block_with_cases(world)
    user = world.users[role]
    client.force_login(user)
    f = block_figures.block_figures(user, world.block)
    queue = reverse("concerns:queue")
    block = world.block.pk
    assert f.open_concerns == _count(client, f"{queue}?block={block}", "queue-count") == 4
    for s in f.by_status:
        assert s["count"] == _count(client, f"{queue}?block={block}&state={s['key']}", "queue-count"), s
    for c in f.by_category:
        assert c["count"] == _count(client, f"{queue}?block={block}&category={c['key']}", "queue-count"), c
    parts = reverse("concerns:joint_parts")
    open_parts = _count(client, f"{parts}?block={block}&show=open", "parts-count")
    overdue_parts = _count(client, f"{parts}?block={block}&show=overdue", "parts-count")
    done_parts = _count(client, f"{parts}?block={block}&show=done", "parts-count")
    assert sum(d["open"] for d in f.departments) == open_parts == 3
    assert sum(d["overdue"] for d in f.departments) == overdue_parts == 2
    assert sum(d["done"] for d in f.departments) == done_parts == 3
    assert (f.joint_open, f.joint_overdue, f.joint_done) == (2, 1, 1)
    assert {d["completion_rate"] for d in f.departments} == {66.7, 33.3}


def test_the_dashboard_shows_the_figures_and_the_map(client, world):
    _block_with_cases(world)
    client.force_login(world.users["block_chief"])
    page = client.get(reverse("insights:block_dashboard", args=[world.block.pk])).content.decode()
    assert 'data-figure="joint_overdue"' in page and "block-map-data" in page and "街区看板" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("insights:block_dashboard", args=[world.block.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", AREA_ROLES)
def test_only_the_block_chief_and_the_subdistrict_open_the_dashboard(client, world, role):
    client.force_login(world.users[role])
    status = client.get(reverse("insights:block_dashboard", args=[world.block.pk])).status_code
    if role in OVERSEERS:
        assert status == 200
    else:
        assert status in (403, 404)


def test_a_block_chief_gets_404_for_another_block(client, world):
    from gongzhi.org.models import Block

    other = Block.objects.create(subdistrict=world.subdistrict, name="友谊路街区")
    client.force_login(world.users["block_chief"])
    assert client.get(reverse("insights:block_dashboard", args=[other.pk])).status_code == 404
