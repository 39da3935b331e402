"""The demo's courier survey: loads on a small demo town, twice changes nothing, results add up."""

from functools import cache

import pytest

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.surveys import demo, results
from gongzhi.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=2000, seed=5)


def test_the_courier_survey_loads_once_with_about_120_answers():
    assert "no demo town" in demo.load_demo()
    loader.load_town(small_town(), progress=None)
    first = demo.load_demo()
    second = demo.load_demo()
    assert "120 answered" in first and "nothing changed" in second
    survey = Survey.objects.get(title=demo.TITLE)
    assert Response.objects.filter(survey=survey).count() == demo.ANSWERED + demo.OPEN_ANSWERS
    r = results.tally(survey)
    assert (r.invited, str(r.response_rate)) == (132, "90.9")
    needs = r.questions[2]
    assert max(needs.rows, key=lambda row: row["count"])["label"] == "电动车充换电"
    assert all(q.answered == r.responses for q in r.questions if q.question.required)


def test_the_courier_survey_becomes_the_rest_station_projects_needs_study_whichever_loads_first():
    from gongzhi.projects import demo as projects_demo

    loader.load_town(small_town(), progress=None)
    demo.load_demo()
    projects_demo.load_demo()
    assert "now the needs study" in demo.load_demo()
    survey = Survey.objects.get(title=demo.TITLE)
    assert survey.project.title == demo.PROJECT
    assert survey.project.neighborhood_id == survey.neighborhood_id
    assert "nothing changed" in demo.load_demo()
