"""An owners' vote from notice to published result: staff set it up and open it, owners vote on
their phones, a paper ballot is typed in, staff watch turnout, close, publish; the notice masks names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.deliberation.models import Vote
from gongzhi.deliberation.testing import end_window, owners_in_compound
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def owner_votes(phone_page, live, username: str, choice: str, shot: str | None = None) -> None:
    sign_in(phone_page, live, username)
    phone_page.goto(f"{live.url}/deliberation/votes/")
    phone_page.click("#my-votes a[data-vote]")
    phone_page.check(f"input[name=choice][value={choice}]")
    if shot:
        screenshot(phone_page, shot)
    phone_page.click("#cast")
    phone_page.wait_for_selector("#ballot-done")
    phone_page.context.clear_cookies()


def test_owners_vote_from_notice_to_published_result(page, phone_page, live_server, world):
    owners = owners_in_compound(world, ["90", "60", "80.25", "70"])
    compound = world.household_a.building.compound
    live = live_server

    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/deliberation/votes/new/")
    page.click("[data-kind=owners]")  # one form per kind of vote
    page.fill("#id_subject", "续聘物业服务企业（民法典第二百七十八条第四项）")
    page.fill("#id_description", "续聘现物业服务企业三年，物业费标准不变。")
    page.select_option("#id_compound", str(compound.pk))
    page.select_option("#id_owners_item", "4")
    now = timezone.now()
    page.fill("#id_opens_at", local(now - timedelta(hours=1)))
    page.fill("#id_closes_at", local(now + timedelta(days=7)))
    page.click("#vote-form button")
    page.wait_for_selector("[data-status=draft]")
    assert page.locator("#electors tbody tr").count() == 4
    page.click("#open-vote")
    page.wait_for_selector("[data-status=open]")
    screenshot(page, "owners-vote-open")
    vote = Vote.objects.get()

    owner_votes(phone_page, live, "owner0", "yes", shot="owners-vote-ballot-phone")
    owner_votes(phone_page, live, "owner1", "no")

    page.reload()
    assert page.locator("[data-turnout=voted]").inner_text() == "2"
    paper_row = page.locator("#electors tbody tr").filter(has=page.locator("form.paper")).first
    paper_row.locator("select[name=choice]").select_option("yes")
    paper_row.locator("form.paper button").click()
    page.wait_for_selector("[data-turnout=paper]:text('1')")
    assert page.locator("[data-turnout=voted]").inner_text() == "3"
    screenshot(page, "owners-vote-turnout")

    end_window(vote)  # a week passes
    page.click("#close-vote")
    page.wait_for_selector("[data-status=closed]")
    page.click("#publish-vote")
    page.click("#notice-link")
    page.wait_for_selector("#tally")
    assert page.locator("[data-count=participating_owners]").inner_text() == "3"
    assert page.locator("[data-count=yes_area]").inner_text() == "170.25"
    assert page.locator("[data-result=passed]").inner_text() in ("Yes", "是")
    text = page.locator("#voters").inner_text()
    assert owners[1].name not in text and owners[1].name[0] + "*" in text
    screenshot(page, "owners-vote-notice")

    sign_in(phone_page, live, "owner2")
    phone_page.goto(f"{live.url}/deliberation/votes/{vote.pk}/notice/")
    phone_page.wait_for_selector("#tally")
    screenshot(phone_page, "owners-vote-notice-phone")
