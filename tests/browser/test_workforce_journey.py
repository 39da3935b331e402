"""Workforce in the browser, at desk and phone widths: the subdistrict schedules a training session on
the plan page, a worker scans its code and finds the hours on their page; raters score neighborhoods on their phones, the personnel role adopts
the round, and the worker sees their bonus. Each journey ends by checking the database."""

from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.workforce import services
from gongzhi.workforce.models import AssessmentRound, Bonus, HoursCredit, TrainingSession
from gongzhi.workforce.testing import PERSONAL, build_crew, open_test_round
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1366, 420]


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized_page(request, browser):
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", is_mobile=width < 500
    )
    page = context.new_page()
    page.width = width
    yield page
    context.close()


def test_a_session_scheduled_on_the_plan_page_is_checked_in_and_becomes_the_workers_hours(
    sized_page, live_server, world
):
    page, live = sized_page, live_server
    crew = build_crew(world)
    sign_in(page, live, "subdistrict_admin")
    page.goto(f"{live.url}/workforce/plan/")
    starts = timezone.localtime().replace(second=0, microsecond=0)
    form = page.locator("#session-form")
    form.locator("select[name=course]").select_option(str(crew.course.pk))
    form.locator("input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=place]").fill("杨泰一村会议室")
    form.locator("button").click()
    page.wait_for_selector("text=场次已安排")
    screenshot(page, f"workforce-plan-{page.width}")
    page.click(f"#courses a:has-text('{starts:%m-%d %H:%M}')")
    check_in_url = page.locator("#check-in-link").get_attribute("href")
    assert page.locator(".qr svg").count() == 1

    sign_in(page, live, "social_worker")
    page.goto(check_in_url)
    page.click("#scan")
    page.wait_for_selector("#scan-result")
    assert "签到成功" in page.locator("#scan-result").inner_text()
    page.click("#to-my-hours")
    page.wait_for_selector("#progress")
    credited = page.locator('#progress tr[data-line="must_know"] [data-credited]').inner_text()
    assert Decimal(credited) == Decimal(3)
    screenshot(page, f"workforce-hours-{page.width}")

    session = TrainingSession.objects.get(course=crew.course, place="杨泰一村会议室")
    assert session.starts_at == starts  # typed in Asia/Shanghai, kept as that instant
    credit = HoursCredit.objects.get(profile=crew.worker, session=session)
    assert (credit.line, credit.hours, credit.year) == ("must_know", Decimal("3.0"), crew.plan.year)


def test_scoring_on_phones_to_an_adopted_round_with_bonuses(sized_page, live_server, world):
    page, live = sized_page, live_server
    crew = build_crew(world)
    assessment, groups = open_test_round(world, crew)
    raters = {"party": "department_handler", "office": "grid_chief", "grid": "partner_liaison"}
    for code, username in raters.items():
        services.add_rater(actor=crew.admin, group=groups[code], user=world.users[username])
    for name, value in PERSONAL.items():
        services.set_personal_score(
            actor=crew.admin, round=assessment, profile=getattr(crew, name), score=value
        )

    for username in raters.values():
        sign_in(page, live, username)
        page.goto(f"{live.url}/workforce/")
        page.click("#to-score")
        for nb, score in ((world.neighborhood_a, "91.5"), (world.neighborhood_b, "84")):
            row = page.locator(f'form.scorerow:has(input[name=neighborhood][value="{nb.pk}"])')
            row.locator("input[name=score]").fill(score)
            row.locator("button").click()
            page.wait_for_selector(f"text=已保存分数：{nb.name}")
    screenshot(page, f"workforce-score-{page.width}")

    sign_in(page, live, "subdistrict_admin")
    page.goto(f"{live.url}/workforce/rounds/")
    page.click(f"text={assessment.title}")
    page.wait_for_selector("#preview")
    page.click("#adopt")
    page.wait_for_selector("#bonuses")
    assert "已采纳" in page.locator("#round-status").inner_text()
    screenshot(page, f"workforce-round-{page.width}")

    sign_in(page, live, "social_worker")
    page.goto(f"{live.url}/workforce/me/")
    assert assessment.title in page.locator("#my-bonuses").inner_text()

    assessment.refresh_from_db()
    assert assessment.status == AssessmentRound.Status.ADOPTED
    paid = Bonus.objects.filter(round=assessment)
    assert paid.count() == 4 and sum(b.amount for b in paid) == assessment.pool
    assert all(b.neighborhood_score in (Decimal("91.50"), Decimal("84.00")) for b in paid)
