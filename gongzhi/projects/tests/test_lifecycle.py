"""A project's lifecycle (services/lifecycle.py): every step recorded, only allowed moves, the funder approves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Project, Step

pytestmark = pytest.mark.django_db


def test_full_lifecycle_records_every_step(world):
    project = t.project(world, state="closed", budget="15000.50")
    assert project.state == "closed"
    assert project.approved_budget.as_tuple().exponent == -2
    assert str(project.approved_budget) == "15000.50"
    assert list(Step.objects.filter(project=project).values_list("to_state", flat=True)) == [
        "submitted",
        "under_review",
        "approved",
        "running",
        "midterm",
        "final_report",
        "closed",
    ]


def test_transitions_outside_the_lifecycle_are_refused(world):
    project = t.project(world, state="submitted")
    admin = world.users["subdistrict_admin"]
    with pytest.raises(ValidationError) as e:
        services.transition(actor=admin, project=project, to="running")
    assert "state" in e.value.message_dict
    assert Project.objects.get(pk=project.pk).state == "submitted"


def test_only_the_subdistrict_approves_and_the_owner_cannot(world):
    project = t.project(world, state="under_review")
    with pytest.raises(PermissionDenied):
        services.transition(actor=world.users["neighborhood_secretary"], project=project, to="approved")
    with pytest.raises(NotInScope):
        services.transition(actor=world.users["grid_worker"], project=project, to="approved")


def test_submitting_needs_goals_and_budget(world):
    project = services.create_project(
        actor=world.users["social_worker"], neighborhood=world.neighborhood_a, title="口袋公园"
    )
    with pytest.raises(ValidationError) as e:
        services.transition(actor=world.users["social_worker"], project=project, to="submitted")
    assert "goals" in e.value.message_dict


def test_rejection_needs_a_reason(world):
    project = t.project(world, state="submitted")
    with pytest.raises(ValidationError) as e:
        services.transition(actor=world.users["subdistrict_admin"], project=project, to="rejected")
    assert "note" in e.value.message_dict


def test_stale_expected_state_is_refused(world):
    project = t.project(world, state="submitted")
    services.transition(actor=world.users["subdistrict_admin"], project=project, to="under_review")
    with pytest.raises(ValidationError):
        services.transition(
            actor=world.users["subdistrict_admin"],
            project=project,
            to="rejected",
            note="x",
            expected="submitted",
        )
