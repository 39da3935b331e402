"""Every role × every vote and meeting page and endpoint × own area / other area.

Outside the caller's area a vote looks absent (404); inside it, roles that may only read get 403
on writes; anonymous callers are sent to sign in (pages) or refused (API).
"""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core.roles import AREA_ROLES
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Ballot, Vote
from gongzhi.deliberation.testing import end_window, open_owners_vote, owners_in_compound, resident_account
from gongzhi.org import factories as f

pytestmark = pytest.mark.django_db

ROLE_CODES = AREA_ROLES  # the three duty roles are refused everywhere (accounts tests)
# An owners' vote of compound A is read by roles on its subdistrict, neighborhood and compound.
READS = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "owners_committee_member"}
WRITES = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}


@pytest.fixture
def votes(world):
    owners_in_compound(world, ["90", "60", "80"])
    own = open_owners_vote(world)
    far_household = world.household_far
    far_admin = f.UserFactory(username="far_admin")
    services_assign(far_admin, world.subdistrict_far)
    far = services.create_vote(
        actor=far_admin,
        kind=Vote.Kind.OWNERS,
        subject="外区表决",
        compound=far_household.building.compound,
        owners_item=4,
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
    )
    meeting = services.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="deliberation",
        title="物业费调价议事会",
        held_at=timezone.now(),
        compound=world.household_a.building.compound,
    )
    far_meeting = services.create_meeting(
        actor=far_admin,
        kind="round_table",
        title="书记圆桌",
        held_at=timezone.now(),
        neighborhood=world.neighborhood_far,
    )
    return {"own": own, "far": far, "meeting": meeting, "far_meeting": far_meeting}


def services_assign(user, unit):
    from gongzhi.org import services as org_services

    org_services.assign_role(actor=None, user=user, role="subdistrict_admin", unit=unit)


def expect(role: str, name: str, write: bool = False) -> int:
    if name.startswith("far") or role not in READS:
        return 404
    if write and role not in WRITES:
        return 403
    return 200


READ_PAGES = ["deliberation:vote", "deliberation:vote_turnout", "deliberation:vote_electors"]


@pytest.mark.parametrize("role", ROLE_CODES)
def test_vote_pages_are_404_outside_area(client, world, votes, role):
    client.force_login(world.users[role])
    for name in ("own", "far"):
        for page in READ_PAGES:
            response = client.get(reverse(page, args=[votes[name].pk]))
            assert response.status_code == expect(role, name), (page, name)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_vote_list_shows_only_own_area(client, world, votes, role):
    client.force_login(world.users[role])
    page = client.get(reverse("deliberation:votes")).content.decode()
    assert (reverse("deliberation:vote", args=[votes["own"].pk]) in page) == (role in READS)
    assert reverse("deliberation:vote", args=[votes["far"].pk]) not in page


@pytest.mark.parametrize("role", ROLE_CODES)
def test_paper_ballot_entry_needs_area_and_write(client, world, votes, role):
    client.force_login(world.users[role])
    for name in ("own", "far"):
        vote = votes[name]
        elector = vote.electors.first()
        response = client.post(
            reverse("deliberation:paper_ballot", args=[vote.pk]), {"elector": elector.pk, "choice": "yes"}
        )
        expected = expect(role, name, write=True)
        assert response.status_code == (302 if expected == 200 else expected), name
        assert Ballot.objects.filter(vote=vote).exists() == (expected == 200)
        Ballot.objects.filter(vote=vote).delete()
        vote.receipts.all().delete()


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("step", ["close", "publish"])
def test_vote_steps_need_area_and_write(client, world, votes, role, step):
    client.force_login(world.users[role])
    for name in ("own", "far"):
        vote = end_window(votes[name])
        response = client.post(reverse("deliberation:vote_step", args=[vote.pk, step]))
        expected = expect(role, name, write=True)
        assert response.status_code == (302 if expected == 200 else expected), name
    votes["own"].refresh_from_db()
    closed = step == "close" and expect(role, "own", write=True) == 200
    assert (votes["own"].status == Vote.Status.CLOSED) == closed


@pytest.mark.parametrize("role", ROLE_CODES)
def test_api_vote_detail_and_paper_ballot_respect_area_and_role(client, world, votes, role):
    client.force_login(world.users[role])
    for name in ("own", "far"):
        vote = votes[name]
        assert client.get(f"/api/v1/deliberation/votes/{vote.pk}").status_code == expect(role, name), name
        response = client.post(
            f"/api/v1/deliberation/votes/{vote.pk}/paper-ballots",
            data=json.dumps({"elector_id": vote.electors.first().pk, "choice": "no"}),
            content_type="application/json",
        )
        expected = expect(role, name, write=True)
        assert response.status_code == (201 if expected == 200 else expected), name
    listed = {v["id"] for v in client.get("/api/v1/deliberation/votes").json()}
    assert (votes["own"].pk in listed) == (role in READS) and votes["far"].pk not in listed


@pytest.mark.parametrize("role", ROLE_CODES)
def test_meeting_pages_and_api_respect_area(client, world, votes, role):
    client.force_login(world.users[role])
    for name, key in (("own", "meeting"), ("far", "far_meeting")):
        meeting = votes[key]
        assert client.get(reverse("deliberation:meeting", args=[meeting.pk])).status_code == expect(
            role, name
        )
        assert client.get(f"/api/v1/deliberation/meetings/{meeting.pk}").status_code == expect(role, name)


def test_anonymous_callers_are_sent_to_sign_in(client, world, votes):
    vote = votes["own"]
    for url in [
        reverse("deliberation:votes"),
        reverse("deliberation:vote", args=[vote.pk]),
        reverse("deliberation:ballot", args=[vote.pk]),
        reverse("deliberation:notice", args=[vote.pk]),
        reverse("deliberation:meetings"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get(f"/api/v1/deliberation/votes/{vote.pk}").status_code == 401
    assert (
        client.post(
            f"/api/v1/deliberation/votes/{vote.pk}/ballots", data="{}", content_type="application/json"
        ).status_code
        == 401
    )


def test_resident_sees_own_ballot_and_notice_but_not_staff_pages(client, world, votes):
    owner = world.resident_a.user
    client.force_login(owner)
    vote = votes["own"]
    assert client.get(reverse("deliberation:ballot", args=[vote.pk])).status_code == 200
    assert client.get(reverse("deliberation:vote", args=[vote.pk])).status_code == 404
    assert client.get(reverse("deliberation:ballot", args=[votes["far"].pk])).status_code == 404
    assert client.get(reverse("deliberation:notice", args=[vote.pk])).status_code == 404  # not yet published
    outsider = resident_account(world.resident_b, "outsider")
    client.force_login(outsider)
    assert client.get(reverse("deliberation:ballot", args=[vote.pk])).status_code == 404


def test_resident_ballot_page_reports_bad_input_and_keeps_the_tally(client, world, votes):
    vote = votes["own"]
    client.force_login(world.resident_a.user)
    url = reverse("deliberation:ballot", args=[vote.pk])
    response = client.post(url, {"choice": "maybe"})
    assert response.status_code == 400 and b"ballot-error" in response.content
    assert client.post(url, {"choice": "yes"}).status_code == 302
    response = client.post(url, {"choice": "no"})
    assert (
        response.status_code == 400
        and b"ballot-error" in response.content
        and b"ballot-done" in response.content
    )
    api = client.post(
        f"/api/v1/deliberation/votes/{vote.pk}/ballots",
        data=json.dumps({"choice": "no"}),
        content_type="application/json",
    )
    assert api.status_code == 422 and gettext("This voter has already voted.") in json.dumps(
        api.json(), ensure_ascii=False
    )
    assert list(Ballot.objects.filter(vote=vote).values_list("choice", flat=True)) == ["yes"]


def test_published_notice_masks_owner_names(client, world, votes):
    secretary = world.users["neighborhood_secretary"]
    vote = votes["own"]
    services.cast_ballot(voter=world.resident_a.user, vote=vote, choice="yes")
    services.publish_result(actor=secretary, vote=services.close_vote(actor=secretary, vote=end_window(vote)))
    client.force_login(world.resident_a.user)
    page = client.get(reverse("deliberation:notice", args=[vote.pk])).content.decode()
    assert world.resident_a.name not in page and world.resident_a.name[0] + "*" in page
    api = client.get(f"/api/v1/deliberation/votes/{vote.pk}/result").json()
    assert api["result"]["counts"]["yes_owners"] == 1


def test_resident_lists_the_votes_they_are_an_elector_of_through_the_api(client, world, votes):
    # The staff list and the resident's own list are joined by id (the fuzz run found a 500 here).
    client.force_login(world.resident_a.user)
    response = client.get("/api/v1/deliberation/votes")
    assert response.status_code == 200
    assert votes["own"].pk in {v["id"] for v in response.json()}
    assert votes["far"].pk not in {v["id"] for v in response.json()}
