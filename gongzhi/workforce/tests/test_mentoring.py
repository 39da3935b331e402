from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import Mentorship


@pytest.fixture
def pair(world, crew):
    return services.pair_mentor(
        actor=world.users["neighborhood_secretary"],
        mentor=crew.secretary,
        mentee=crew.worker,
        goals="缺什么、补什么：群众工作",
        started_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )


def test_the_pair_writes_a_log_each_per_month_and_nobody_else_does(world, crew, pair):
    services.write_mentor_log(
        actor=world.users["social_worker"], mentorship=pair, month=date(2025, 3, 9), text_="走访"
    )
    services.write_mentor_log(
        actor=world.users["neighborhood_secretary"], mentorship=pair, month=date(2025, 3, 1), text_="带教"
    )
    assert pair.logs.count() == 2
    with pytest.raises(ValidationError) as e:
        services.write_mentor_log(
            actor=world.users["social_worker"], mentorship=pair, month=date(2025, 3, 20), text_="again"
        )
    assert "month" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        services.write_mentor_log(actor=crew.admin, mentorship=pair, month=date(2025, 4, 1), text_="x")
    with pytest.raises(NotInScope):
        services.write_mentor_log(
            actor=world.users["grid_worker"], mentorship=pair, month=date(2025, 4, 1), text_="x"
        )


def test_a_mentor_must_be_a_head_and_the_mentee_a_young_worker(world, crew):
    with pytest.raises(ValidationError) as e:
        services.pair_mentor(
            actor=crew.admin,
            mentor=crew.novice,
            mentee=crew.worker,
            goals="x",
            started_on=date(2025, 1, 1),
            ends_on=date(2025, 6, 30),
        )
    assert "mentor" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.pair_mentor(
            actor=crew.admin,
            mentor=crew.secretary,
            mentee=crew.secretary,
            goals="x",
            started_on=date(2025, 1, 1),
            ends_on=date(2025, 6, 30),
        )
    assert "mentee" in e.value.message_dict


def test_the_review_closes_the_pair_with_its_outcome(world, crew, pair):
    services.review_pair(
        actor=world.users["neighborhood_secretary"],
        mentorship=pair,
        review="进步明显",
        outcome="当选居委会委员",
    )
    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.REVIEWED and pair.outcome == "当选居委会委员"
    with pytest.raises(ValidationError):
        services.write_mentor_log(
            actor=world.users["social_worker"], mentorship=pair, month=date(2025, 5, 1), text_="x"
        )


def test_the_mentee_cannot_review_and_the_pair_is_visible_to_both_and_the_area(world, crew, pair):
    with pytest.raises(PermissionDenied):
        services.review_pair(actor=world.users["social_worker"], mentorship=pair, review="x")
    for code in ("social_worker", "neighborhood_secretary", "subdistrict_admin"):
        assert pair in selectors.mentorships_visible_to(world.users[code])
    for code in ("grid_worker", "stairwell_chief", "department_handler"):
        assert pair not in selectors.mentorships_visible_to(world.users[code])
