"""One ballot per voter even when submissions arrive at the same moment (both engines)."""

import re

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Ballot, SealedBallot, VoterReceipt
from gongzhi.deliberation.testing import msg, open_owners_vote, owners_in_compound

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("secret", [False, True])
def test_online_and_paper_ballots_of_one_owner_at_once_store_one(world, secret):
    owners = owners_in_compound(world, ["90", "60", "80"])
    vote = open_owners_vote(world, secret=secret)
    owner = owners[0]
    elector = selectors.ballot_page(owner.user, vote)["elector"]
    worker = world.users["social_worker"]
    calls = [lambda: services.cast_ballot(voter=owner.user, vote=vote, choice="yes") for _ in range(3)]
    calls += [lambda: services.enter_paper_ballot(actor=worker, vote=vote, elector=elector, choice="no")] * 2
    outcomes = run_together(*calls)
    stored = [o for o in outcomes if isinstance(o, VoterReceipt)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(stored) == 1 and len(refused) == 4, outcomes
    assert all(re.search(msg("This voter has already voted."), str(e)) for e in refused)
    assert VoterReceipt.objects.filter(vote=vote).count() == 1
    # Open ballots are stored as Ballots, secret ones sealed until closing: one either way.
    assert (SealedBallot if secret else Ballot).objects.filter(vote=vote).count() == 1
    assert services.count_vote(vote)["ballots"] == 1


def test_different_owners_voting_at_once_all_count(world):
    owners = owners_in_compound(world, ["90", "60", "80", "75"])
    vote = open_owners_vote(world)
    outcomes = run_together(
        *[lambda o=o: services.cast_ballot(voter=o.user, vote=vote, choice="yes") for o in owners]
    )
    assert all(isinstance(o, VoterReceipt) for o in outcomes), outcomes
    assert services.count_vote(vote)["counts"]["yes_owners"] == 4
