from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.org import factories as f
from gongzhi.workforce import selectors, services


@pytest.fixture
def klass(world, crew):
    course = services.add_course(
        actor=crew.admin,
        plan=crew.plan,
        title="头雁班：书记领导力",
        line="capability",
        hours="4",
        audience="secretary",
        kind="lead_goose",
    )
    return services.open_lead_goose_class(actor=crew.admin, plan=crew.plan, course=course, name="A 班")


def _sessions(crew, course, n):
    return [
        services.schedule_session(
            actor=crew.admin, course=course, place="党校", starts_at=timezone.now() - timedelta(minutes=5 + i)
        )
        for i in range(n)
    ]


def test_secretaries_who_attended_two_thirds_of_the_sessions_graduate(world, crew, klass):
    other = services.create_profile(
        actor=crew.admin,
        user=f.UserFactory(),
        name="新书记",
        neighborhood=world.neighborhood_b,
        post_level="secretary",
        started_on=date(2024, 1, 1),
    )
    assert services.select_into_class(actor=crew.admin, klass=klass, profiles=[crew.secretary, other]) == 2
    sessions = _sessions(crew, klass.course, 3)
    services.record_attendance(actor=crew.admin, session=sessions[0], profiles=[crew.secretary, other])
    services.record_attendance(actor=crew.admin, session=sessions[1], profiles=[crew.secretary])
    assert services.graduate_class(actor=crew.admin, klass=klass, on=date(2026, 12, 1)) == 1
    rows = {
        m.profile.name: (n, m.graduated_on)
        for m, n in selectors.classes_visible_to(crew.admin, crew.plan.year)[0].rows
    }
    assert rows == {"王书记": (2, date(2026, 12, 1)), "新书记": (1, None)}


def test_only_secretaries_sit_in_one_class_of_a_plan(world, crew, klass):
    with pytest.raises(ValidationError) as e:
        services.select_into_class(actor=crew.admin, klass=klass, profiles=[crew.worker])
    assert "profiles" in e.value.message_dict
    other = services.open_lead_goose_class(actor=crew.admin, plan=crew.plan, course=klass.course, name="B 班")
    services.select_into_class(actor=crew.admin, klass=klass, profiles=[crew.secretary])
    with pytest.raises(ValidationError):
        services.select_into_class(actor=crew.admin, klass=other, profiles=[crew.secretary])
    with pytest.raises(PermissionDenied):
        services.select_into_class(
            actor=world.users["neighborhood_secretary"], klass=other, profiles=[crew.secretary]
        )


def test_contest_scores_go_to_attendees_of_contest_sessions_only(world, crew):
    contest = services.add_course(
        actor=crew.admin,
        plan=crew.plan,
        title="演讲比赛",
        line="capability",
        hours="2",
        kind="speech_contest",
    )
    session = _sessions(crew, contest, 1)[0]
    services.scan_session_check_in(actor=world.users["social_worker"], token=session.check_in_token)
    secretary = world.users["neighborhood_secretary"]
    assert (
        services.score_contest(actor=secretary, session=session, profile=crew.worker, score="92.5").score
        == 92.5
    )
    with pytest.raises(ValidationError) as e:
        services.score_contest(actor=secretary, session=session, profile=crew.novice, score="80")
    assert "profile" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.score_contest(actor=secretary, session=crew.session, profile=crew.worker, score="80")
    assert "session" in e.value.message_dict
