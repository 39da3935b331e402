"""An owners' vote of a compound too big for one page, at 1366 px and at 420 px: the secretary sets
it up through the owners' own form (the art. 278 matter by its wording), opens it, finds an owner by
building and room and types in their paper ballot in place (no reload); the database holds one
paper ballot for that owner and the page's turnout says so."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.deliberation.models import Ballot, Vote, VoterReceipt
from gongzhi.org import factories as f
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": ({"width": 1366, "height": 900}, False), "420": ({"width": 420, "height": 900}, True)}


def owners_of_two_buildings(world) -> None:
    """Buildings 5 and 15 of compound A, 60 owners each: more than one page, and a longer building
    number that must not come before building 5."""
    compound = world.household_a.building.compound
    for number in ("5号楼", "15号楼"):
        building = f.BuildingFactory(compound=compound, neighborhood=world.neighborhood_a, number=number)
        for room in range(60):
            household = f.HouseholdFactory(
                building=building, room=str(301 + room), floor_area=Decimal("88.46")
            )
            f.ResidentFactory(household=household, name=f"业主{number}{room}")


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("size", SIZES)
def test_owners_vote_with_a_paper_ballot_entered_in_place(browser, live_server, world, size):
    owners_of_two_buildings(world)
    viewport, phone = SIZES[size]
    page = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone).new_page()
    sign_in(page, live_server, "neighborhood_secretary")

    page.goto(f"{live_server.url}/deliberation/votes/new/")
    page.click("[data-kind=owners]")
    page.fill("#id_subject", "续聘物业服务企业")
    page.select_option("#id_compound", str(world.household_a.building.compound.pk))
    page.select_option("#id_owners_item", label="（四）选聘和解聘物业服务企业或者其他管理人")
    page.fill("#id_opens_at", local(timezone.now() - timedelta(hours=1)))
    page.fill("#id_closes_at", local(timezone.now() + timedelta(days=7)))
    screenshot(page, f"owners-vote-form-{size}")
    page.click("#vote-form button.btn")
    page.wait_for_selector("#open-vote")
    assert "选聘和解聘物业服务企业" in page.locator("#owners-item").inner_text()
    page.click("#open-vote")
    page.wait_for_selector("#close-vote")
    vote = Vote.objects.get(subject="续聘物业服务企业")
    assert page.locator('#electors tbody tr[id^="elector-"]').count() == 50  # paged, not 120+ rows

    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    page.fill("#elector-q", "5 301")
    owner = vote.electors.get(units__household__building__number="5号楼", units__household__room="301")
    row = page.locator(f"#elector-{owner.pk}")
    row.wait_for()
    assert (
        page.locator('#electors tbody tr[id^="elector-"]').first.get_attribute("id") == f"elector-{owner.pk}"
    )
    assert "88.46" in row.inner_text()
    row.locator("select[name=choice]").select_option("no")
    row.locator("button").click()
    page.wait_for_selector(f"#elector-{owner.pk} [data-entered]")
    assert page.locator(f"#elector-{owner.pk} [data-voted]").get_attribute("data-voted") == "yes"
    assert page.locator("[data-turnout=paper]").inner_text() == "1"
    assert page.evaluate("window.__sameDocument") is True
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, width  # the page itself never scrolls sideways
    screenshot(page, f"owners-vote-paper-{size}")

    receipt = VoterReceipt.objects.get(vote=vote, voided_at__isnull=True)
    assert receipt.elector_id == owner.pk and receipt.channel == "paper"
    assert list(Ballot.objects.filter(vote=vote).values_list("elector_id", "choice")) == [(owner.pk, "no")]
    page.context.close()
