"""Page forms that prepare and correct a vote: group units under one owner, excuse a party member
with the recorded approval, void a secret ballot by its number. Each role × own / other area,
anonymous callers, bad input that changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import AREA_ROLES
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Ballot, Elector, Vote
from gongzhi.deliberation.testing import end_window, open_owners_vote, owners_in_compound, window
from gongzhi.org import factories as f
from gongzhi.org import services as org_services
from gongzhi.org.models import PartyOrg

pytestmark = pytest.mark.django_db

ROLE_CODES = AREA_ROLES  # the three duty roles are refused everywhere (accounts tests)
READS = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "owners_committee_member"}
WRITES = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}


def expected(role: str, name: str) -> int:
    if name == "far" or role not in READS:
        return 404
    return 200 if role in WRITES else 403


def draft_owners_vote(actor, compound) -> Vote:
    return services.create_vote(
        actor=actor, kind=Vote.Kind.OWNERS, subject="更换物业", compound=compound, owners_item=4, **window()
    )


@pytest.fixture
def drafts(world):
    owners_in_compound(world, ["90", "60", "80"])
    far_admin = f.UserFactory(username="far_admin")
    org_services.assign_role(actor=None, user=far_admin, role="subdistrict_admin", unit=world.subdistrict_far)
    return {
        "own": draft_owners_vote(world.users["neighborhood_secretary"], world.household_a.building.compound),
        "far": draft_owners_vote(far_admin, world.household_far.building.compound),
    }


def owner_count(vote: Vote) -> int:
    return Elector.objects.filter(vote=vote).count()


@pytest.mark.parametrize("role", ROLE_CODES)
def test_grouping_units_needs_area_and_write(client, world, drafts, role):
    client.force_login(world.users[role])
    for name, vote in drafts.items():
        households = [u.household_id for u in vote.electors.first().units.all()]
        households += [u.household_id for u in vote.electors.last().units.all()]
        before = owner_count(vote)
        response = client.post(
            reverse("deliberation:vote_group", args=[vote.pk]), {"households": households, "developer": "on"}
        )
        want = expected(role, name)
        assert response.status_code == (302 if want == 200 else want), name
        assert owner_count(vote) == (before - 1 if want == 200 else before), name


def test_grouping_a_buyers_units_makes_one_owner_with_all_their_area(client, world, drafts):
    vote = drafts["own"]
    client.force_login(world.users["social_worker"])
    electors = list(vote.electors.order_by("pk"))
    households = [e.units.get().household_id for e in electors[:2]]
    response = client.post(
        reverse("deliberation:vote_group", args=[vote.pk]),
        {"households": households, "owner": world.resident_a.pk},
    )
    assert response.status_code == 302
    owner = vote.electors.get(key=f"person:{world.resident_a.pk}")
    assert owner.area == electors[0].area + electors[1].area and owner_count(vote) == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"developer": "on"}, "households"),  # no units
        ({"households": "__unit__"}, "__all__"),  # neither owner nor developer
        ({"households": "__unit__", "developer": "on", "owner": "__owner__"}, "__all__"),  # both
        ({"households": "__far_unit__", "developer": "on"}, "households"),  # a unit of another compound
    ],
)
def test_grouping_bad_input_names_the_field_and_changes_nothing(client, world, drafts, data, field):
    vote = drafts["own"]
    swap = {
        "__unit__": vote.electors.first().units.get().household_id,
        "__owner__": world.resident_a.pk,
        "__far_unit__": drafts["far"].electors.first().units.get().household_id,
    }
    data = {k: swap.get(v, v) for k, v in data.items()}
    client.force_login(world.users["neighborhood_secretary"])
    before = list(vote.electors.values_list("key", "area"))
    response = client.post(reverse("deliberation:vote_group", args=[vote.pk]), data)
    assert response.status_code == 400 and f'data-errors="{field}"' in response.content.decode()
    assert list(vote.electors.values_list("key", "area")) == before


def test_grouping_is_refused_once_the_vote_is_open(client, world, drafts):
    vote = services.open_vote(actor=world.users["neighborhood_secretary"], vote=drafts["own"])
    client.force_login(world.users["neighborhood_secretary"])
    units = [e.units.get().household_id for e in vote.electors.all()[:2]]
    response = client.post(
        reverse("deliberation:vote_group", args=[vote.pk]), {"households": units, "developer": "on"}
    )
    assert response.status_code == 400 and owner_count(vote) == 3


@pytest.fixture
def party_vote(world):
    branch = PartyOrg.objects.get(neighborhood=world.neighborhood_a)
    f.PartyMemberFactory(party_org=branch, name="王建国")
    return services.create_vote(
        actor=world.users["neighborhood_secretary"],
        kind=Vote.Kind.PARTY_ASSEMBLY,
        subject="社区微更新项目",
        party_org=branch,
        major_matter="project",
        **window(),
    )


@pytest.mark.parametrize("role", ROLE_CODES)
def test_excusing_a_member_needs_write_and_the_recorded_approval(client, world, party_vote, role):
    client.force_login(world.users[role])
    elector = party_vote.electors.get(name="王建国")
    url = reverse("deliberation:vote_excuse", args=[party_vote.pk])
    data = {"elector": elector.pk, "reason": "出国半年以上", "approval": "街道党工委 2026-11 批复第3号"}
    response = client.post(url, data)
    # The party vote belongs to neighborhood A, not a compound: the owners' committee cannot see it.
    reads = role in WRITES
    assert response.status_code == (302 if reads else 404)
    elector.refresh_from_db()
    assert elector.excused == reads


def test_excusing_without_approval_names_the_field_and_changes_nothing(client, world, party_vote):
    client.force_login(world.users["neighborhood_secretary"])
    elector = party_vote.electors.get(name="王建国")
    url = reverse("deliberation:vote_excuse", args=[party_vote.pk])
    response = client.post(url, {"elector": elector.pk, "reason": "出国半年以上", "approval": "批"})
    assert response.status_code == 400 and 'data-errors="approval"' in response.content.decode()
    response = client.post(url, {"elector": 999999, "reason": "出国半年以上", "approval": "批复第3号"})
    assert response.status_code == 400 and 'data-errors="elector"' in response.content.decode()
    elector.refresh_from_db()
    assert not elector.excused and party_vote.electors.filter(excused_approval="").count() == 2


@pytest.fixture
def secret_vote(world):
    owners_in_compound(world, ["90", "60", "80"])
    vote = open_owners_vote(world, secret=True)
    vote.key = "+".join(vote.scrutineer_key_shares)
    services.cast_ballot(voter=world.resident_a.user, vote=vote, choice="yes")
    closed = services.close_vote(
        actor=world.users["neighborhood_secretary"], vote=end_window(vote), scrutineer_key=vote.key
    )
    closed.key = vote.key
    return closed


@pytest.mark.parametrize("role", ROLE_CODES)
def test_voiding_a_secret_ballot_needs_area_and_write(client, world, secret_vote, role):
    ballot = Ballot.objects.get(vote=secret_vote)
    client.force_login(world.users[role])
    response = client.post(
        reverse("deliberation:void_ballot", args=[secret_vote.pk]),
        {"ballot": str(ballot.pk), "reason": "选票填写不清", "scrutineer_key": secret_vote.key},
    )
    want = expected(role, "own")
    assert response.status_code == (302 if want == 200 else want)
    ballot.refresh_from_db()
    assert (ballot.voided_at is not None) == (want == 200)


def test_voiding_a_secret_ballot_from_the_page(client, world, secret_vote):
    ballot = Ballot.objects.get(vote=secret_vote)
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:vote", args=[secret_vote.pk])).content.decode()
    assert 'id="void-secret"' in page
    url = reverse("deliberation:void_ballot", args=[secret_vote.pk])
    key = secret_vote.key
    for data in (
        {"ballot": "not-a-number", "reason": "选票填写不清", "scrutineer_key": key},
        {"ballot": str(ballot.pk), "reason": "x", "scrutineer_key": key},
        {"ballot": str(ballot.pk), "reason": "选票填写不清", "scrutineer_key": "ab" * 32},
        {"ballot": str(ballot.pk), "reason": "选票填写不清"},
    ):
        assert client.post(url, data).status_code == 302
        ballot.refresh_from_db()
        assert ballot.voided_at is None, data
    assert services.count_vote(secret_vote)["counts"]["yes_area"] == "90.00"
    client.post(url, {"ballot": str(ballot.pk), "reason": "选票填写不清", "scrutineer_key": key})
    ballot.refresh_from_db()
    assert ballot.voided_at is not None and ballot.void_reason == "选票填写不清"
    # Its sealed area left the tally with it.
    assert services.count_vote(secret_vote)["counts"]["yes_area"] == "0.00"
    # The voter stays voted: a secret ballot cannot be traced back to be cast again.
    assert secret_vote.receipts.filter(voided_at__isnull=True).count() == 1


def test_anonymous_callers_are_sent_to_sign_in(client, world, drafts):
    vote = drafts["own"]
    for name in ("vote_group", "vote_excuse", "void_ballot"):
        response = client.post(reverse(f"deliberation:{name}", args=[vote.pk]), {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert owner_count(vote) == 3


def test_closed_window_is_not_a_shortcut_to_excusing(world, party_vote):
    """Once the vote opens, nobody can be excused any more, through any route."""
    secretary = world.users["neighborhood_secretary"]
    services.disclose(
        actor=secretary,
        vote=party_vote,
        principle="民主集中制",
        content="项目",
        procedure="票决",
        accountability="追责",
    )
    services.open_vote(actor=secretary, vote=party_vote)
    Vote.objects.filter(pk=party_vote.pk).update(closes_at=timezone.now() + timedelta(days=1))
    elector = party_vote.electors.first()
    with pytest.raises(ValidationError):
        services.excuse_member(
            actor=secretary, vote=party_vote, elector=elector, reason="长期病休", approval="批复第4号"
        )
