"""Two submissions at once: one token gives one response; the open link's rate limit holds."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.surveys import services
from gongzhi.surveys import testing as t
from gongzhi.surveys.models import Answer, Response

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_with_the_same_token_create_one_response(world):
    survey = t.courier_survey(world)
    token = survey.respondents.first().token
    data = t.full_answer(survey)
    outcomes = run_together(*(lambda: services.submit_with_token(token=token, data=data) for _ in range(4)))
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(created for _r, created in outcomes) == [False, False, False, True]
    assert len({r.pk for r, _c in outcomes}) == 1
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 4


def test_concurrent_open_answers_from_one_client_stop_at_the_limit(world):
    survey = t.courier_survey(world, open_link=True)
    data = t.full_answer(survey)
    outcomes = run_together(
        *(
            lambda n=n: services.submit_open(
                open_token=survey.open_token,
                data=data,
                submission_key=f"key-{n:02d}-" + "x" * 16,
                client_ip="10.1.1.1",
            )
            for n in range(5)
        )
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 2, outcomes
    assert Response.objects.filter(survey=survey).count() == survey.open_limit_per_hour == 3
