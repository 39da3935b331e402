from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.deliberation.models import Meeting
from gongzhi.org import factories as f
from gongzhi.workforce import selectors, services
from gongzhi.workforce.services.forums import forum_dates


def test_forums_fall_on_the_23rd_and_every_worker_speaks_before_anyone_speaks_twice(world, crew):
    forums = services.schedule_forums(
        actor=crew.admin,
        subdistrict=world.subdistrict,
        year=2025,
        first_month=11,
        months=6,
        topics=[f"主题{i}" for i in range(6)],
    )
    assert [x.held_on for x in forums] == forum_dates(2025, 11, 6)
    assert forums[2].held_on == date(2026, 1, 23)
    speakers = [x.speaker.name for x in forums]
    assert sorted(speakers[:4]) == sorted(["王书记", "李社工", "陈初任", "赵社工"])
    assert speakers[4:] == speakers[:2]


def test_attendees_rate_a_past_forum_but_not_their_own_talk(world, crew):
    past = timezone.localdate() - timedelta(days=3)
    forum = services.schedule_forums(
        actor=crew.admin,
        subdistrict=world.subdistrict,
        year=past.year,
        first_month=past.month,
        months=1,
        topics=["社区治理"],
    )[0]
    forum.held_on = past
    forum.save()
    rater = "social_worker" if forum.speaker != crew.worker else "neighborhood_secretary"
    speaker_user = forum.speaker.user
    services.rate_forum(
        actor=world.users[rater], forum=forum, learning=5, writing="4", speaking=3, reviewing=4
    )
    assert selectors.forum_averages(forum)["count"] == 1
    with pytest.raises(PermissionDenied):
        services.rate_forum(actor=speaker_user, forum=forum, learning=5, writing=5, speaking=5, reviewing=5)
    with pytest.raises(ValidationError) as e:
        services.rate_forum(
            actor=world.users[rater], forum=forum, learning=6, writing=5, speaking=5, reviewing=5
        )
    assert "learning" in e.value.message_dict
    with pytest.raises(NotInScope):
        services.rate_forum(
            actor=world.users["grid_worker"], forum=forum, learning=5, writing=5, speaking=5, reviewing=5
        )


def test_a_roundtable_is_kept_as_a_round_table_meeting_with_minutes(world, crew):
    f.PartyOrgFactory(subdistrict=world.subdistrict, neighborhood=None, level="committee")
    forum = services.hold_roundtable(
        actor=crew.admin,
        subdistrict=world.subdistrict,
        held_on=date(2025, 6, 10),
        topic="书记圆桌：加装电梯",
        minutes="议定三件事",
    )
    meeting = Meeting.objects.get(pk=forum.meeting_id)
    assert meeting.kind == Meeting.Kind.ROUND_TABLE and meeting.minutes == "议定三件事"
    with pytest.raises(PermissionDenied):
        services.hold_roundtable(
            actor=world.users["neighborhood_secretary"],
            subdistrict=world.subdistrict,
            held_on=date(2025, 6, 11),
            topic="x",
            minutes="y",
        )


def test_workers_and_staff_of_the_subdistrict_see_its_forums(world, crew):
    services.schedule_forums(
        actor=crew.admin, subdistrict=world.subdistrict, year=2025, first_month=1, months=1, topics=["x"]
    )
    for code in ("subdistrict_admin", "neighborhood_secretary", "social_worker"):
        assert selectors.forums_visible_to(world.users[code]).count() == 1
    assert selectors.forums_visible_to(world.users["grid_worker"]).count() == 0
