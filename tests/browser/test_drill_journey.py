"""Call-up drills on the demo roster, at 1366 and 420 px. The secretary opens 召集演练 from the
menu, creates a tabletop drill of both demo teams copying the typhoon call-up's posts, runs it and
reads its report (figures, charts, the prediction per member, the demo's earlier drills); then a
live drill of one team: two volunteers answer on their phones from the 【演练】 links, the running
report lists them, the secretary finishes it. The database then holds: the tabletop drill with no
answer and no message; the live drill's messages all marked and only to its team; its two yes."""

import pytest
from playwright.sync_api import expect

from gongzhi.notifications.models import Message
from gongzhi.org.demo import accounts, loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.volunteers import demo
from gongzhi.volunteers.models import DRILL_MARK, CallUpAnswer, Emergency, Volunteer, VolunteerTeam
from tests.browser.conftest import WIDTHS, context_at, fits, open_menu, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _create(page, title: str, kind: str, teams: list[VolunteerTeam], neighborhood_id: int) -> None:
    page.fill("#drill-form [name=title]", title)
    page.check(f"#drill-form input[name=kind][value={kind}]")
    page.select_option("#drill-form [name=neighborhood]", str(neighborhood_id))
    for team in teams:
        page.check(f"#drill-form input[name=teams][value='{team.pk}']")
    page.select_option("#drill-form [name=copy_from]", label="台风“烟花”防汛紧急召集")
    page.click("#create-drill")
    page.wait_for_load_state()


def _answer_on_phone(browser, live_server, volunteer: Volunteer, drill: Emergency, width: int) -> None:
    """The volunteer opens the link their 【演练】 message carries and says yes."""
    answer = CallUpAnswer.objects.get(emergency=drill, volunteer=volunteer)
    message = Message.objects.get(key=f"callup:{answer.pk}/inbox")
    assert message.subject.startswith(DRILL_MARK) and message.body.startswith(DRILL_MARK)
    phone = context_at(browser, min(width, 420)).new_page()
    phone.goto(f"{live_server.url}{message.link}")
    assert "【演练】" in phone.locator("#callup-drill").inner_text()
    phone.click("#answer-yes")
    phone.wait_for_selector("#answer-result")
    fits(phone, min(width, 420))
    phone.context.close()


def test_tabletop_and_live_drill_on_the_demo_roster(browser, live_server):
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    demo.load_demo()
    team = VolunteerTeam.objects.get(name=demo.TEAM)
    squad = VolunteerTeam.objects.get(name=demo.SQUAD_TEAM)
    answering = list(Volunteer.objects.filter(team=team, user__isnull=False).order_by("pk")[:2])
    messages_before = Message.objects.count()

    for width in WIDTHS:
        page = context_at(browser, width).new_page()
        sign_in(page, live_server, "secretary", accounts.demo_password())
        open_menu(page, "volunteers", "召集演练", width)
        assert page.locator("#drills tr[data-drill]").count() >= 2  # the demo's live and tabletop drills
        fits(page, width)

        # Tabletop: both teams, the typhoon call-up's plan; running it opens the report.
        _create(page, f"桌面推演-{width}", "tabletop", [team, squad], team.neighborhood_id)
        assert "桌面推演" in page.locator("#drill-mark").inner_text()
        page.click("#run-drill")
        page.wait_for_load_state()
        assert page.locator("#drill-report").is_visible()
        assert int(page.locator("#fig-called").inner_text()) > 20
        expect(page.locator("#time-chart svg")).to_have_count(1)
        expect(page.locator("#team-chart svg")).to_have_count(1)
        assert page.locator("#prediction tbody tr").count() == int(page.locator("#fig-called").inner_text())
        assert page.locator("#unreachable tbody tr[data-unreachable]").count() > 0
        assert page.locator("#earlier tbody tr[data-earlier]").count() >= 2
        fits(page, width)
        screenshot(page, f"drill-tabletop-report-{width}")

        # Live: one team; two volunteers answer on their phones; the running report lists them.
        open_menu(page, "volunteers", "召集演练", width)
        _create(page, f"拉动演练-{width}", "live", [team], team.neighborhood_id)
        page.click("#run-drill")
        page.wait_for_load_state()
        assert "【演练】" in page.locator(".messages").inner_text()
        drill = Emergency.objects.get(title=f"拉动演练-{width}")
        for volunteer in answering:
            _answer_on_phone(browser, live_server, volunteer, drill, width)
        page.click("#open-report")
        page.wait_for_load_state()
        listed = page.locator("#answers-list").inner_text()
        assert all(v.name in listed for v in answering)
        assert page.locator("#fig-yes").inner_text() == "2"
        page.goto(f"{live_server.url}/volunteers/drills/{drill.pk}/")
        page.click("#finish-drill")
        page.wait_for_load_state()
        assert page.locator("#fig-yes").inner_text() == "2"
        assert page.locator("[data-time='50']").is_visible()
        fits(page, width)
        screenshot(page, f"drill-live-report-{width}")
        page.context.close()

    # The database: tabletop drills answered and sent nothing; live drills messaged only their
    # team, every message marked, and hold the two yes; no drill became a real call-up.
    tabletop = Emergency.objects.filter(title__startswith="桌面推演-")
    assert tabletop.count() == 2 and all(d.kind == "tabletop" and d.status == "closed" for d in tabletop)
    assert not CallUpAnswer.objects.filter(emergency__in=tabletop).exists()
    live = Emergency.objects.filter(title__startswith="拉动演练-")
    assert live.count() == 2 and all(d.kind == "live" and d.status == "closed" for d in live)
    for drill in live:
        called = CallUpAnswer.objects.filter(emergency=drill)
        assert set(called.values_list("volunteer__team_id", flat=True)) == {team.pk}
        assert set(called.filter(answer="yes").values_list("volunteer_id", flat=True)) == {
            v.pk for v in answering
        }
        assert drill.drill_result["summary"]["yes"] == 2
    new = Message.objects.all().order_by("pk")[messages_before:]
    assert new and all(m.subject.startswith(DRILL_MARK) for m in new)
    team_users = set(Volunteer.objects.filter(team=team).values_list("user_id", flat=True))
    assert {m.user_id for m in new if m.user_id} <= team_users
    assert Emergency.objects.filter(kind="real").count() == 1
