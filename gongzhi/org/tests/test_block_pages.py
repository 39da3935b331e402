"""Block pages: who opens them, who changes a block, and what outsiders get (404, 403, sign-in)."""

import pytest
from django.urls import reverse

from gongzhi.core.roles import AREA_ROLES
from gongzhi.org.models import Block, JointTeamMember

pytestmark = pytest.mark.django_db

# Roles reading places whose unit lies in or above the block (共和街区 holds 杨泰一村).
SEE_THE_BLOCK = {"subdistrict_admin", "block_chief"}


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in (reverse("org:blocks"), reverse("org:block", args=[world.block.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", AREA_ROLES)
def test_the_block_page_opens_to_roles_that_reach_it(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("org:block", args=[world.block.pk]))
    if role in SEE_THE_BLOCK:
        assert response.status_code == 200 and "共和街区" in response.content.decode()
    else:
        assert response.status_code in (200, 403, 404)  # neighborhood staff see it from below


def test_a_block_of_another_subdistrict_looks_absent(client, world):
    other = Block.objects.create(subdistrict=world.subdistrict_far, name="远方街区")
    client.force_login(world.users["block_chief"])
    assert client.get(reverse("org:block", args=[other.pk])).status_code == 404
    client.force_login(world.users["subdistrict_admin"])
    assert client.get(reverse("org:block", args=[other.pk])).status_code == 404


def test_the_subdistrict_admin_creates_a_block_from_the_list(client, world):
    client.force_login(world.users["subdistrict_admin"])
    response = client.post(reverse("org:blocks"), {"subdistrict": world.subdistrict.pk, "name": "友谊路街区"})
    block = Block.objects.get(name="友谊路街区")
    assert response.status_code == 302 and response["Location"] == reverse("org:block", args=[block.pk])
    page = client.get(reverse("org:blocks")).content.decode()
    assert "友谊路街区" in page and "新建街区" in page


def test_a_block_chief_reads_the_block_but_cannot_change_it(client, world):
    client.force_login(world.users["block_chief"])
    page = client.get(reverse("org:block", args=[world.block.pk])).content.decode()
    assert "block-team-add" not in page
    assert (
        client.post(reverse("org:blocks"), {"subdistrict": world.subdistrict.pk, "name": "X"}).status_code
        == 403
    )
    assert not Block.objects.filter(name="X").exists()
    url = reverse("org:block_neighborhoods", args=[world.block.pk])
    assert client.post(url, {"neighborhood": [world.neighborhood_b.pk]}).status_code == 403
    assert list(world.block.neighborhoods.all()) == [world.neighborhood_a]


def test_the_subdistrict_admin_fills_the_block_names_its_chief_and_team(client, world):
    client.force_login(world.users["subdistrict_admin"])
    pk = world.block.pk
    client.post(
        reverse("org:block_neighborhoods", args=[pk]),
        {"neighborhood": [world.neighborhood_a.pk, world.neighborhood_b.pk]},
    )
    assert set(world.block.neighborhoods.all()) == {world.neighborhood_a, world.neighborhood_b}
    chief = world.users["social_worker"]
    client.post(reverse("org:block_chief", args=[pk]), {"user": chief.pk})
    assert Block.objects.get(pk=pk).block_chief == chief
    handler = world.users["department_handler"].role_assignments.get()
    client.post(reverse("org:block_team_add", args=[pk]), {"handler": handler.pk})
    client.post(reverse("org:block_team_add", args=[pk]), {"handler": handler.pk})
    member = JointTeamMember.objects.get()
    page = client.get(reverse("org:block", args=[pk])).content.decode()
    assert handler.department.name in page
    client.post(reverse("org:block_team_remove", args=[pk, member.pk]))
    assert not JointTeamMember.objects.exists()


def test_a_chief_from_another_subdistrict_is_refused(client, world):
    from gongzhi.org.testing import far_admin

    client.force_login(world.users["subdistrict_admin"])
    client.post(reverse("org:block_chief", args=[world.block.pk]), {"user": far_admin(world).pk})
    assert Block.objects.get(pk=world.block.pk).block_chief is None
