"""Sending each respondent their personal link by SMS (the file outbox in tests), once."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.surveys import services
from gongzhi.surveys import testing as t

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""
    settings.GONGZHI_SMS_CHANNEL = ""
    settings.GONGZHI_NOTIFY_CHANNELS = ""


def _sms(settings) -> list[dict]:
    path = settings.VAR_DIR / "outbox" / "sms.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_each_respondent_gets_their_own_link_once(settings, world, django_capture_on_commit_callbacks):
    survey = t.courier_survey(world)
    answered = survey.respondents.order_by("pk").first()
    services.submit_with_token(token=answered.token, data=t.full_answer(survey))

    def link(token):
        return f"https://gz.example/surveys/a/{token}/"

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.notify_respondents(actor=world.users["social_worker"], survey=survey, link_for=link) == 2
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.notify_respondents(actor=world.users["social_worker"], survey=survey, link_for=link) == 0
        )
    sent = _sms(settings)
    assert len(sent) == 2
    waiting = survey.respondents.exclude(pk=answered.pk).order_by("pk")
    assert {m["address"] for m in sent} == {r.phone for r in waiting}
    assert {m["link"] for m in sent} == {link(r.token) for r in waiting}
    assert all("小哥驿站需求调查" in m["body"] for m in sent)


def test_a_draft_is_not_sent_and_the_page_button_sends(
    client, settings, world, django_capture_on_commit_callbacks
):
    draft = t.courier_survey(world, publish=False)
    with pytest.raises(ValidationError):
        services.notify_respondents(actor=world.users["social_worker"], survey=draft, link_for=str)
    survey = t.courier_survey(world)
    client.force_login(world.users["grid_worker"])
    assert client.post(reverse("surveys:action", args=[survey.pk]), {"action": "notify"}).status_code == 404
    client.force_login(world.users["social_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:action", args=[survey.pk]), {"action": "notify"}, follow=True)
    assert "已向 3 人发送链接。" in response.text
    assert len(_sms(settings)) == 3
    assert all(m["link"].startswith("http://testserver/surveys/a/") for m in _sms(settings))


def test_a_reminder_goes_once_a_day_to_those_sent_the_link_who_have_not_answered(
    settings, world, django_capture_on_commit_callbacks
):
    survey = t.courier_survey(world)

    def link(token):
        return f"https://gz.example/surveys/a/{token}/"

    social_worker = world.users["social_worker"]
    assert services.notify_respondents(actor=social_worker, survey=survey, link_for=link, reminder=True) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_respondents(actor=social_worker, survey=survey, link_for=link)
    answered = survey.respondents.order_by("pk").first()
    services.submit_with_token(token=answered.token, data=t.full_answer(survey))
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.notify_respondents(actor=social_worker, survey=survey, link_for=link, reminder=True) == 2
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.notify_respondents(actor=social_worker, survey=survey, link_for=link, reminder=True) == 0
        )
    sent = _sms(settings)
    assert len(sent) == 5
    assert answered.phone not in {m["address"] for m in sent[3:]}
