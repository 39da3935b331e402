"""Disclosure (公示) and residents' comments (services/disclosure.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Comment

pytestmark = pytest.mark.django_db


def test_comments_only_in_the_notice_period_and_rate_limited(world):
    project = t.project(world, state="approved")
    sec = world.users["neighborhood_secretary"]
    today = t.today()
    with pytest.raises(ValidationError):
        services.publish_disclosure(
            actor=sec, project=project, opens_on=today, closes_on=today - datetime.timedelta(days=1)
        )
    d = services.publish_disclosure(
        actor=sec, project=project, opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    c = services.add_comment(disclosure=d, kind="objection", body="预算偏高", name="张三", client="10.0.0.1")
    assert services.add_comment(disclosure=d, kind="objection", body="预算偏高", client="10.0.0.1").pk == c.pk
    for i in range(4):
        services.add_comment(disclosure=d, kind="comment", body=f"意见{i}", client="10.0.0.1")
    with pytest.raises(ValidationError):
        services.add_comment(disclosure=d, kind="comment", body="再来", client="10.0.0.1")
    services.add_comment(disclosure=d, kind="comment", body="另一位", client="10.0.0.2")
    past = services.publish_disclosure(
        actor=sec,
        project=project,
        opens_on=today - datetime.timedelta(days=9),
        closes_on=today - datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        services.add_comment(disclosure=past, kind="comment", body="晚了", client="10.0.0.3")
    assert Comment.objects.count() == 6
