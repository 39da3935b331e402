"""A project started from a deliberation result: a tick-list option residents chose, or a passed
vote, linked both ways, and only by staff who may make projects there."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Vote
from gongzhi.deliberation.testing import end_window, resident_account, window
from gongzhi.org import factories as f
from gongzhi.org import services as org_services
from gongzhi.projects import services
from gongzhi.projects.models import Project

pytestmark = pytest.mark.django_db


def _tick_list(world, *, compound=None):
    """凉亭添设 reaches the threshold; 加装电梯 and 绿化补种 do not. In the neighborhood two
    residents tick (threshold 2); in resident A's compound, A alone (threshold 1)."""
    secretary = world.users["neighborhood_secretary"]
    place = {"compound": compound} if compound else {"neighborhood": world.neighborhood_a}
    vote = deliberation.create_vote(
        actor=secretary,
        kind=Vote.Kind.TICK_LIST,
        subject="2026 年实事项目",
        candidates=["加装电梯", "凉亭添设", "绿化补种"],
        max_ticks=2,
        support_threshold=1 if compound else 2,
        **place,
        **window(),
    )
    vote = deliberation.open_vote(actor=secretary, vote=vote)
    ids = list(vote.candidates.values_list("pk", flat=True))
    voters = (
        [(world.resident_a, ids[1:2])]
        if compound
        else [(world.resident_a, ids[:2]), (world.resident_a2, ids[1:])]
    )
    for resident, ticks in voters:
        deliberation.cast_ballot(voter=resident_account(resident, f"r{resident.pk}"), vote=vote, ticks=ticks)
    return deliberation.close_vote(actor=secretary, vote=end_window(vote))


def _option(vote, label):
    return vote.candidates.get(label=label)


def test_a_chosen_tick_list_option_starts_one_linked_project(client, world):
    vote = _tick_list(world)
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:vote", args=[vote.pk])).content.decode()
    winner = _option(vote, "凉亭添设")
    assert f'data-start-project="{winner.pk}"' in page
    assert f'data-start-project="{_option(vote, "加装电梯").pk}"' not in page
    url = reverse("projects:from_vote", args=[vote.pk])
    response = client.post(url, {"candidate": winner.pk})
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:detail", args=[project.pk]
    )
    assert (project.origin, project.origin_vote_id, project.origin_candidate_id) == (
        "tick_list",
        vote.pk,
        winner.pk,
    )
    assert (
        project.title == "凉亭添设"
        and project.neighborhood == world.neighborhood_a
        and project.state == "draft"
    )
    client.post(url, {"candidate": winner.pk})  # a second click makes nothing new
    assert Project.objects.count() == 1
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="origin-vote"' in detail and reverse("deliberation:vote", args=[vote.pk]) in detail
    page = client.get(reverse("deliberation:vote", args=[vote.pk])).content.decode()
    assert 'class="vote-project"' in page and reverse("projects:detail", args=[project.pk]) in page
    assert f'data-start-project="{winner.pk}"' not in page


def test_an_option_below_the_threshold_or_an_open_vote_starts_nothing(world):
    secretary = world.users["neighborhood_secretary"]
    vote = _tick_list(world)
    with pytest.raises(ValidationError) as e:
        services.start_from_vote(actor=secretary, vote=vote, candidate=_option(vote, "加装电梯"))
    assert "candidate" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.start_from_vote(actor=secretary, vote=vote)  # a tick-list has no yes/no result
    Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.OPEN)
    vote.refresh_from_db()
    with pytest.raises(ValidationError):
        services.start_from_vote(actor=secretary, vote=vote, candidate=_option(vote, "凉亭添设"))
    assert not Project.objects.exists()


def test_a_passed_vote_starts_a_project_of_origin_vote(world):
    secretary = world.users["neighborhood_secretary"]
    vote = _tick_list(world)
    Vote.objects.filter(pk=vote.pk).update(
        kind=Vote.Kind.PARTY_ASSEMBLY, result={"valid": True, "passed": True}
    )
    vote.refresh_from_db()
    project = services.start_from_vote(actor=secretary, vote=vote)
    assert (project.origin, project.origin_vote_id, project.origin_candidate_id) == ("vote", vote.pk, None)
    Vote.objects.filter(pk=vote.pk).update(result={"valid": True, "passed": False})
    vote.refresh_from_db()
    assert services.vote_winners(vote) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owners_committee_member", 403),  # reads the compound's vote, makes no projects
        ("partner_liaison", 404),  # reads neither the vote nor the neighborhood's projects
        ("stairwell_chief", 404),
        ("social_worker", 302),
        ("neighborhood_secretary", 302),
        ("subdistrict_admin", 302),
    ],
)
def test_only_staff_who_make_projects_there_may_start_one(client, world, role, status):
    vote = _tick_list(world, compound=world.household_a.building.compound)
    winner = _option(vote, "凉亭添设")
    client.force_login(world.users[role])
    page = client.get(reverse("deliberation:vote", args=[vote.pk]))
    shown = page.status_code == 200 and f'data-start-project="{winner.pk}"' in page.content.decode()
    assert shown is (status == 302)
    response = client.post(reverse("projects:from_vote", args=[vote.pk]), {"candidate": winner.pk})
    assert response.status_code == status
    assert Project.objects.exists() is (status == 302)


def test_out_of_area_staff_and_anonymous_callers_cannot_start_one(client, world):
    vote = _tick_list(world)
    url = reverse("projects:from_vote", args=[vote.pk])
    winner = _option(vote, "凉亭添设")
    anonymous = client.post(url, {"candidate": winner.pk})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))
    far = f.UserFactory(username="far-secretary")
    org_services.assign_role(actor=None, user=far, role="neighborhood_secretary", unit=world.neighborhood_b)
    client.force_login(far)
    assert client.post(url, {"candidate": winner.pk}).status_code == 404
    assert client.post(url, {"candidate": 999999}).status_code == 404
    assert not Project.objects.exists()
