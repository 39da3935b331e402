"""Votes from setup to published result: electorate snapshot, ballots, paper entry, void, recount."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core.models import AuditRecord
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import AgendaItem, Ballot, SealedBallot, Vote, VoterReceipt
from gongzhi.deliberation.testing import (
    end_window,
    msg,
    open_owners_vote,
    owners_in_compound,
    resident_account,
    window,
)
from gongzhi.org import factories as f
from gongzhi.org.models import PartyMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(world):
    return owners_in_compound(world, ["90", "60", "80.25", "70"])


def test_owners_electorate_is_one_owner_a_unit_with_register_area(world, owners):
    vote = open_owners_vote(world)
    assert vote.rule == "owners-278" and vote.status == Vote.Status.OPEN
    assert sorted(str(e.area) for e in vote.electors.all()) == ["60.00", "70.00", "80.25", "90.00"]


def test_items_six_to_eight_take_the_special_rule(world, owners):
    assert open_owners_vote(world, item=6).rule == "owners-278-special"
    assert open_owners_vote(world, item=5).rule == "owners-278"  # using the fund is ordinary


def test_buyer_of_two_units_is_one_owner_with_both_areas(world, owners):
    actor = world.users["neighborhood_secretary"]
    vote = services.create_vote(
        actor=actor,
        kind=Vote.Kind.OWNERS,
        subject="改建车棚",
        compound=world.household_a.building.compound,
        owners_item=7,
        **window(),
    )
    homes = [owners[0].household, owners[1].household]
    elector = services.group_units(actor=actor, vote=vote, households=homes, owner=owners[0])
    assert str(elector.area) == "150.00" and vote.electors.count() == 3
    developer = services.group_units(actor=actor, vote=vote, households=[owners[3].household], developer=True)
    assert developer.key == "developer"


def test_online_ballots_count_by_area_and_owner_and_publish_a_masked_notice(world, owners):
    vote = open_owners_vote(world)
    for owner, choice in zip(owners[:3], ["yes", "yes", "no"], strict=True):
        services.cast_ballot(voter=owner.user, vote=vote, choice=choice)
    secretary = world.users["neighborhood_secretary"]
    vote = services.close_vote(actor=secretary, vote=end_window(vote))
    vote = services.publish_result(actor=secretary, vote=vote)
    counts = vote.result["counts"]
    assert (vote.result["valid"], vote.result["passed"]) == (True, True)
    assert (counts["participating_owners"], counts["yes_area"], counts["participating_area"]) == (
        3,
        "150.00",
        "230.25",
    )
    rows = selectors.notice_rows(vote)
    assert rows[0]["name"].endswith("*") and owners[0].name not in {r["name"] for r in rows}
    assert services.verify_vote(vote_id=vote.pk)["matches"]


def test_secret_ballot_stores_no_link_from_voter_to_choice(world, owners):
    vote = open_owners_vote(world, secret=True)
    key = vote.scrutineer_key_shares[0]
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="no")
    assert not Ballot.objects.filter(vote=vote).exists()  # sealed until the scrutineers close
    assert b"no" not in bytes(SealedBallot.objects.get(vote=vote).box)
    assert VoterReceipt.objects.filter(vote=vote, elector__units__household=owners[0].household).exists()
    record = AuditRecord.objects.filter(action="vote").last()
    assert "no" not in json.dumps(record.changes)
    with pytest.raises(ValidationError, match=msg("This voter has already voted.")):
        services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    assert SealedBallot.objects.filter(vote=vote).count() == 1
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(ValidationError, match="scrutineer_key"):
        services.close_vote(actor=secretary, vote=end_window(vote), scrutineer_key="ab" * 32)
    vote = services.close_vote(actor=secretary, vote=vote, scrutineer_key=key)
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.elector_id, ballot.choice, ballot.area) == (None, "no", 0)
    assert not SealedBallot.objects.filter(vote=vote).exists()
    assert vote.result["counts"]["no_area"] == "90.00" and services.verify_vote(vote_id=vote.pk)["matches"]


def test_paper_ballot_blocks_a_second_online_ballot(world, owners):
    vote = open_owners_vote(world)
    elector = selectors.ballot_page(owners[1].user, vote)["elector"]
    services.enter_paper_ballot(actor=world.users["social_worker"], vote=vote, elector=elector, choice="yes")
    with pytest.raises(ValidationError, match=msg("This voter has already voted.")):
        services.cast_ballot(voter=owners[1].user, vote=vote, choice="no")
    assert selectors.turnout(vote)["paper"] == 1


@pytest.mark.parametrize("role", ["owners_committee_member", "grid_worker", "stairwell_chief"])
def test_roles_without_write_cannot_enter_paper_ballots(world, owners, role):
    vote = open_owners_vote(world)
    elector = vote.electors.first()
    with pytest.raises(PermissionDenied):
        services.enter_paper_ballot(actor=world.users[role], vote=vote, elector=elector, choice="yes")
    assert not Ballot.objects.filter(vote=vote).exists()


def test_bad_ballots_get_clear_errors_and_change_no_tally(world, owners):
    vote = open_owners_vote(world)
    stranger = resident_account(world.resident_b, "stranger")
    tenant = owners[2]
    tenant.is_owner = False
    tenant.save()
    cases = [
        (stranger, "yes", msg("You are not in the electorate of this vote.")),
        (tenant.user, "yes", msg("You are not in the electorate of this vote.")),
        (owners[0].user, "maybe", msg("Malformed ballot: %(error)s")),
        (owners[0].user, "", msg("Malformed ballot: %(error)s")),
    ]
    for user, choice, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.cast_ballot(voter=user, vote=vote, choice=choice)
    assert services.count_vote(vote)["ballots"] == 0


def test_ballots_outside_the_window_are_refused(world, owners):
    vote = open_owners_vote(world)
    Vote.objects.filter(pk=vote.pk).update(opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match=msg("Voting has not started yet.")):
        services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    end_window(vote)
    with pytest.raises(ValidationError, match=msg("Voting has ended.")):
        services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    assert services.count_vote(vote)["ballots"] == 0


def test_void_needs_a_reason_is_audited_and_lets_the_voter_vote_again(world, owners):
    vote = open_owners_vote(world)
    secretary = world.users["neighborhood_secretary"]
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    elector = selectors.ballot_page(owners[0].user, vote)["elector"]
    with pytest.raises(ValidationError):
        services.void_ballot(actor=secretary, vote=vote, elector=elector, reason="")
    services.void_ballot(actor=secretary, vote=vote, elector=elector, reason="纸质票录入错误，重新录入")
    assert AuditRecord.objects.filter(action="void", reason__contains="重新录入").exists()
    assert services.count_vote(vote)["ballots"] == 0
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="no")
    assert services.count_vote(vote)["counts"]["no_owners"] == 1


def test_verify_command_recounts_and_flags_a_tampered_result(world, owners):
    vote = open_owners_vote(world)
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    vote = services.close_vote(actor=world.users["neighborhood_secretary"], vote=end_window(vote))
    out = StringIO()
    call_command("votes", "verify", "--vote", str(vote.pk), stdout=out)
    assert json.loads(out.getvalue())["matches"] is True
    Ballot.objects.filter(vote=vote).update(choice="no")  # someone edits the table behind the platform
    with pytest.raises(CommandError, match="differs"):
        call_command("votes", "verify", "--vote", str(vote.pk), stdout=StringIO())


def test_count_non_voters_setting_keeps_both_tallies(world, owners):
    vote = open_owners_vote(world, count_non_voters=True)
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    counted = services.count_vote(vote)
    assert counted["counts"]["participating_owners"] == 1
    assert counted["counts_with_non_voters"]["yes_owners"] == 4


# --- party assembly --------------------------------------------------------------------------


@pytest.fixture
def branch(world):
    branch = f.PartyOrgFactory(neighborhood=world.neighborhood_a, subdistrict=world.subdistrict)
    for i in range(6):
        f.PartyMemberFactory(party_org=branch, name=f"党员{i}")
    f.PartyMemberFactory(party_org=branch, name="预备党员", status=PartyMember.Status.PROBATIONARY)
    return branch


def party_vote(world, branch):
    return services.create_vote(
        actor=world.users["neighborhood_secretary"],
        kind=Vote.Kind.PARTY_ASSEMBLY,
        subject="社区活动中心改造立项",
        party_org=branch,
        major_matter="project",
        **window(),
    )


def test_party_vote_cannot_open_before_disclosure(world, branch):
    vote = party_vote(world, branch)
    assert vote.electors.count() == 6  # the probationary member has no vote
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(
        ValidationError, match=msg("Disclose principle, content, procedure and accountability before voting.")
    ):
        services.open_vote(actor=secretary, vote=vote)
    with pytest.raises(ValidationError):
        services.disclose(
            actor=secretary, vote=vote, principle="民主集中制", content="", procedure="", accountability=""
        )
    services.disclose(
        actor=secretary,
        vote=vote,
        principle="民主集中制",
        content="改造立项 80 万元",
        procedure="无记名投票",
        accountability="违反程序的追究责任",
    )
    assert services.open_vote(actor=secretary, vote=vote).status == Vote.Status.OPEN


def test_party_vote_passes_on_half_of_electorate_not_of_those_present(world, branch):
    secretary = world.users["neighborhood_secretary"]
    vote = party_vote(world, branch)
    electors = list(vote.electors.all())
    with pytest.raises(
        ValidationError, match=msg("State the reason and the higher organisation's recorded approval.")
    ):
        services.excuse_member(actor=secretary, vote=vote, elector=electors[5], reason="出国", approval="")
    services.excuse_member(
        actor=secretary,
        vote=vote,
        elector=electors[5],
        reason="出国半年以上",
        approval="街道党工委 2025-3 号批复",
    )
    services.disclose(
        actor=secretary, vote=vote, principle="p", content="c", procedure="p", accountability="a"
    )
    vote = services.open_vote(actor=secretary, vote=vote)
    for elector, choice in zip(electors[:3], ["yes", "yes", "no"], strict=True):
        services.enter_paper_ballot(actor=secretary, vote=vote, elector=elector, choice=choice)
    with pytest.raises(ValidationError, match=msg("This voter is not in the electorate of this vote.")):
        services.enter_paper_ballot(actor=secretary, vote=vote, elector=electors[5], choice="yes")
    result = services.count_vote(vote)
    # 5 due to attend, 3 present (≥ half): valid; 2 yes is not more than half of 5.
    assert (result["electorate"], result["present"], result["valid"], result["passed"]) == (5, 3, True, False)


# --- tick-list -------------------------------------------------------------------------------


def test_tick_list_ranks_projects_and_puts_supported_ones_on_the_agenda(world):
    secretary = world.users["neighborhood_secretary"]
    vote = services.create_vote(
        actor=secretary,
        kind=Vote.Kind.TICK_LIST,
        subject="2025 年实事项目",
        neighborhood=world.neighborhood_a,
        candidates=["加装电梯", "凉亭添设", "绿化补种"],
        max_ticks=2,
        support_threshold=2,
        **window(),
    )
    vote = services.open_vote(actor=secretary, vote=vote)
    ids = list(vote.candidates.values_list("pk", flat=True))
    for resident, ticks in [(world.resident_a, ids[:2]), (world.resident_a2, ids[1:])]:
        services.cast_ballot(voter=resident_account(resident, f"r{resident.pk}"), vote=vote, ticks=ticks)
    with pytest.raises(ValidationError, match="at most 2"):
        services.enter_paper_ballot(actor=secretary, vote=vote, elector=vote.electors.last(), ticks=ids)
    vote = services.publish_result(
        actor=secretary, vote=services.close_vote(actor=secretary, vote=end_window(vote))
    )
    ranking = vote.result["ranking"]
    assert [(r["label"], r["ticks"], r["rank"]) for r in ranking] == [
        ("凉亭添设", 2, 1),
        ("加装电梯", 1, 2),
        ("绿化补种", 1, 2),
    ]
    assert list(AgendaItem.objects.values_list("title", "origin")) == [("凉亭添设", "tick_list")]
