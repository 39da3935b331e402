"""The demo's courier survey seen by the demo secretary: 126 answers as charts, on desktop and phone."""

import pytest
from playwright.sync_api import expect

from gongzhi.org.demo import accounts, loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.surveys import demo
from gongzhi.surveys.models import Survey
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_courier_survey_results_draw_every_chart(page, phone_page, live_server):
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    demo.load_demo()
    survey = Survey.objects.get(title=demo.TITLE)
    charted = survey.questions.exclude(kind="text").count()
    for p, name in ((page, "survey-results-demo"), (phone_page, "survey-results-demo-phone")):
        sign_in(p, live_server, "secretary", accounts.demo_password())
        p.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
        # expect() polls without eval, which the page's CSP forbids (wait_for_function needs it).
        expect(p.locator("[data-survey-chart] svg")).to_have_count(charted)
        assert p.locator('[data-kpi="responses"]').inner_text() == "126"
        assert p.locator('[data-kpi="response_rate"]').inner_text() == "90.9%"
        screenshot(p, name)
