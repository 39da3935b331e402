from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import HoursCredit, TrainingSession


def test_scanning_a_sessions_code_credits_the_course_hours_on_its_line_once(world, crew):
    user = world.users["social_worker"]
    credit = services.scan_session_check_in(actor=user, token=crew.session.check_in_token)
    again = services.scan_session_check_in(actor=user, token=crew.session.check_in_token)
    assert credit.pk == again.pk and credit.hours == Decimal("3.0") and credit.line == "must_know"
    assert HoursCredit.objects.filter(profile=crew.worker).count() == 1
    progress = {row["line"]: row for row in selectors.progress_of(crew.worker, crew.plan, crew.plan.year)}
    assert progress["must_know"]["credited"] == Decimal("3.0") and progress["must_know"]["percent"] == 37


def test_an_account_without_a_profile_or_from_elsewhere_cannot_check_in(world, crew):
    with pytest.raises(NotInScope):
        services.scan_session_check_in(actor=world.users["grid_worker"], token=crew.session.check_in_token)
    with pytest.raises(NotInScope):
        services.scan_session_check_in(actor=world.users["social_worker"], token="no-such-token")


def test_check_in_closes_twelve_hours_after_the_start(world, crew):
    TrainingSession.objects.filter(pk=crew.session.pk).update(starts_at=timezone.now() - timedelta(hours=13))
    with pytest.raises(ValidationError) as e:
        services.scan_session_check_in(actor=world.users["social_worker"], token=crew.session.check_in_token)
    assert "token" in e.value.message_dict
    assert not HoursCredit.objects.exists()


def test_only_the_subdistrict_plans_and_schedules_training(world, crew):
    with pytest.raises(PermissionDenied):
        services.add_course(
            actor=world.users["neighborhood_secretary"], plan=crew.plan, title="x", line="theory", hours="2"
        )
    with pytest.raises(NotInScope):
        services.add_course(
            actor=world.users["grid_worker"], plan=crew.plan, title="x", line="theory", hours="2"
        )


def test_a_second_plan_for_the_same_year_and_bad_hours_are_refused(world, crew):
    with pytest.raises(ValidationError) as e:
        services.create_plan(
            actor=crew.admin,
            subdistrict=world.subdistrict,
            year=crew.plan.year,
            title="x",
            target_hours="10",
            requirements={},
        )
    assert "year" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.add_course(actor=crew.admin, plan=crew.plan, title="x", line="theory", hours="abc")
    assert "hours" in e.value.message_dict


def test_the_secretary_credits_hours_learnt_elsewhere_to_their_own_workers(world, crew):
    secretary = world.users["neighborhood_secretary"]
    services.credit_hours(
        actor=secretary, profile=crew.worker, line="theory", hours="4", year=crew.plan.year, note="区委党校"
    )
    with pytest.raises(NotInScope):
        services.credit_hours(
            actor=secretary, profile=crew.far_worker, line="theory", hours="4", year=crew.plan.year, note="x"
        )
    with pytest.raises(PermissionDenied):
        services.credit_hours(
            actor=world.users["social_worker"],
            profile=crew.worker,
            line="theory",
            hours="4",
            year=crew.plan.year,
            note="x",
        )


def test_the_dashboard_counts_hours_by_line_level_and_neighborhood_and_lists_who_is_behind(world, crew):
    services.scan_session_check_in(actor=world.users["social_worker"], token=crew.session.check_in_token)
    board = selectors.training_dashboard(crew.admin, crew.plan.year)
    assert board["total"] == Decimal("3.0") and board["workers"] == 4
    assert dict(board["by_neighborhood"])[world.neighborhood_a.name] == Decimal("3.0")
    behind = {b["profile"].name: b["owed"] for b in board["behind"]}
    assert behind["李社工"] == Decimal("29.0") and behind["陈初任"] == Decimal("32.0")
    # The secretary sees the workers of their own neighborhood only.
    mine = selectors.training_dashboard(world.users["neighborhood_secretary"], crew.plan.year)
    assert mine["workers"] == 3


def test_the_organiser_enters_the_paper_sheet_once_and_only_for_the_subdistricts_workers(world, crew):
    assert (
        services.record_attendance(
            actor=crew.admin, session=crew.session, profiles=[crew.worker, crew.novice]
        )
        == 2
    )
    assert services.record_attendance(actor=crew.admin, session=crew.session, profiles=[crew.worker]) == 0
    with pytest.raises(PermissionDenied):
        services.record_attendance(
            actor=world.users["neighborhood_secretary"], session=crew.session, profiles=[crew.worker]
        )
