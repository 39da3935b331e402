"""Owners' votes at the size of a real compound: one form per kind of vote, the art. 278 matter by
its wording, the electorate paged and searched by building and room, paper ballots entered in place
(htmx) with the row and turnout redrawn, areas as m² to the hundredth."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from gongzhi.core.roles import AREA_ROLES
from gongzhi.deliberation.forms import OWNERS_ITEMS
from gongzhi.deliberation.models import Ballot, Vote, VoterReceipt
from gongzhi.deliberation.selectors import ELECTORS_PER_PAGE
from gongzhi.deliberation.testing import open_owners_vote, owners_in_compound, window
from gongzhi.org import factories as f

pytestmark = pytest.mark.django_db

WRITES = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def big_vote(world):
    """An open owners' vote of 120 owners in buildings 5 and 15 (plus the world's own ones)."""
    compound = world.household_a.building.compound
    for number in ("5号楼", "15号楼"):
        building = f.BuildingFactory(
            compound=compound, neighborhood=world.household_a.neighborhood, number=number
        )
        for room in range(60):
            household = f.HouseholdFactory(
                building=building, room=str(301 + room), floor_area=Decimal("88.455")
            )
            f.ResidentFactory(household=household, name=f"业主{number}{room}")
    return open_owners_vote(world)


def test_the_new_vote_page_offers_one_form_per_kind(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    chooser = client.get(reverse("deliberation:vote_create")).content.decode()
    for kind in Vote.Kind.values:
        assert reverse("deliberation:vote_create_kind", args=[kind]) in chooser
    owners = client.get(reverse("deliberation:vote_create_kind", args=["owners"])).content.decode()
    assert 'name="candidates"' not in owners and 'name="party_org"' not in owners
    assert 'name="major_matter"' not in owners
    for _item, wording in OWNERS_ITEMS:
        assert escape(str(wording)) in owners  # the matter by its wording, not a bare 1-9
    party = client.get(reverse("deliberation:vote_create_kind", args=["party_assembly"])).content.decode()
    assert 'name="owners_item"' not in party and 'name="party_org"' in party
    ticks = client.get(reverse("deliberation:vote_create_kind", args=["tick_list"])).content.decode()
    assert 'name="candidates"' in ticks and 'name="owners_item"' not in ticks
    assert client.get(reverse("deliberation:vote_create_kind", args=["bogus"])).status_code == 404


def test_an_owners_vote_is_set_up_through_its_own_form(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    w = window()
    data = {
        "subject": "筹集维修资金",
        "compound": world.household_a.building.compound.pk,
        "owners_item": "6",
        "opens_at": w["opens_at"].strftime("%Y-%m-%dT%H:%M"),
        "closes_at": w["closes_at"].strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(reverse("deliberation:vote_create_kind", args=["owners"]), data)
    vote = Vote.objects.get(subject="筹集维修资金")
    assert response.status_code == 302 and vote.kind == Vote.Kind.OWNERS and vote.owners_item == 6
    assert vote.rule == "owners-278-special"
    page = client.get(reverse("deliberation:vote", args=[vote.pk])).content.decode()
    assert escape(str(OWNERS_ITEMS[5][1])) in page


def test_an_owners_form_without_its_matter_is_refused_and_stores_nothing(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    w = window()
    data = {
        "subject": "无事项",
        "compound": world.household_a.building.compound.pk,
        "opens_at": w["opens_at"].strftime("%Y-%m-%dT%H:%M"),
        "closes_at": w["closes_at"].strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(reverse("deliberation:vote_create_kind", args=["owners"]), data)
    assert response.status_code == 400 and 'data-errors="owners_item"' in response.content.decode()
    assert not Vote.objects.filter(subject="无事项").exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_the_new_vote_forms_need_a_role_that_sets_up_votes(client, world, role):
    client.force_login(world.users[role])
    from gongzhi.deliberation.selectors import may_run_deliberation

    expected = 200 if may_run_deliberation(world.users[role]) else 403
    assert client.get(reverse("deliberation:vote_create")).status_code == expected
    assert client.get(reverse("deliberation:vote_create_kind", args=["owners"])).status_code == expected


def test_anonymous_callers_are_sent_to_sign_in(client, big_vote):
    for url in (
        reverse("deliberation:vote_create"),
        reverse("deliberation:vote_create_kind", args=["owners"]),
        reverse("deliberation:vote_electors", args=[big_vote.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url


def test_the_electorate_is_paged(client, world, big_vote):
    client.force_login(world.users["neighborhood_secretary"])
    total = big_vote.electors.count()
    assert total > 2 * ELECTORS_PER_PAGE
    page = client.get(reverse("deliberation:vote", args=[big_vote.pk])).content.decode()
    assert page.count('<tr id="elector-') == ELECTORS_PER_PAGE
    last = (total - 1) // ELECTORS_PER_PAGE + 1
    tail = client.get(
        reverse("deliberation:vote_electors", args=[big_vote.pk]), {"page": last}
    ).content.decode()
    assert tail.count('<tr id="elector-') == total - (last - 1) * ELECTORS_PER_PAGE
    assert "<html" not in tail  # the partial alone


@pytest.mark.parametrize("typed", ["5 301", "5-301", "5号楼301", "5号楼 301"])
def test_the_electorate_is_searched_by_building_and_room(client, world, big_vote, typed):
    client.force_login(world.users["neighborhood_secretary"])
    found = client.get(
        reverse("deliberation:vote_electors", args=[big_vote.pk]), {"q": typed}
    ).content.decode()
    exact = big_vote.electors.get(units__household__building__number="5号楼", units__household__room="301")
    other = big_vote.electors.get(units__household__building__number="15号楼", units__household__room="301")
    assert f'id="elector-{exact.pk}"' in found
    # the exact flat comes first; building 15 never before building 5
    assert found.index(f'id="elector-{exact.pk}"') < found.find(f'id="elector-{other.pk}"') or (
        f'id="elector-{other.pk}"' not in found
    )


def test_areas_read_as_square_metres_to_the_hundredth(client, world, big_vote):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:vote", args=[big_vote.pk])).content.decode()
    assert "88.46" in page or "88.45" in page  # the stored two places, never 88.455000000
    assert "000000" not in page


def test_a_paper_ballot_entered_in_place_redraws_its_row_and_the_turnout(client, world, big_vote):
    client.force_login(world.users["neighborhood_secretary"])
    elector = big_vote.electors.order_by("pk")[3]
    url = reverse("deliberation:paper_ballot", args=[big_vote.pk])
    response = client.post(url, {"elector": elector.pk, "choice": "no"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith(f'<tr id="elector-{elector.pk}"')
    assert 'data-voted="yes"' in body and 'hx-swap-oob="true"' in body and 'data-turnout="paper">1<' in body
    again = client.post(url, {"elector": elector.pk, "choice": "yes"}, **HTMX).content.decode()
    assert 'role="alert"' in again  # said in the row, not a reload
    assert Ballot.objects.filter(vote=big_vote).count() == 1
    assert VoterReceipt.objects.get(vote=big_vote, elector=elector).channel == "paper"


def test_a_malformed_paper_ballot_is_refused_in_its_row_and_stores_nothing(client, world, big_vote):
    client.force_login(world.users["neighborhood_secretary"])
    elector = big_vote.electors.order_by("pk")[4]
    url = reverse("deliberation:paper_ballot", args=[big_vote.pk])
    body = client.post(url, {"elector": elector.pk, "choice": "maybe"}, **HTMX).content.decode()
    assert 'role="alert"' in body and 'data-voted="no"' in body
    assert not Ballot.objects.filter(vote=big_vote).exists()
    assert client.post(url, {"elector": "x", "choice": "yes"}, **HTMX).status_code == 404


@pytest.mark.parametrize("role", AREA_ROLES)
def test_paper_entry_in_place_needs_write(client, world, role):
    owners_in_compound(world, ["90", "60"])
    vote = open_owners_vote(world)
    client.force_login(world.users[role])
    elector = vote.electors.first()
    response = client.post(
        reverse("deliberation:paper_ballot", args=[vote.pk]), {"elector": elector.pk, "choice": "yes"}, **HTMX
    )
    reads = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "owners_committee_member"}
    assert response.status_code == (200 if role in WRITES else 403 if role in reads else 404)
    assert Ballot.objects.filter(vote=vote).exists() == (role in WRITES)
