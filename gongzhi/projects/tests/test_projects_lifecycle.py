import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Project, Step

pytestmark = pytest.mark.django_db


def test_draft_from_hot_issue_is_a_practical_draft_owned_by_the_neighborhood_party_org(world):
    secretary = world.users["neighborhood_secretary"]
    project = services.draft_from_hot_issue(
        secretary, neighborhood=world.neighborhood_a, title="加装电梯", summary="12 户居民反映"
    )
    assert project.state == Project.State.DRAFT
    assert project.kind == Project.Kind.PRACTICAL
    assert project.origin == Project.Origin.HOT_ISSUE
    assert project.owner.neighborhood_id == world.neighborhood_a.pk
    assert AuditRecord.objects.filter(object_type="projects.project", object_id=str(project.pk)).exists()


def test_draft_from_hot_issue_refuses_other_neighborhoods(world):
    with pytest.raises(NotInScope):
        services.draft_from_hot_issue(
            world.users["neighborhood_secretary"], neighborhood=world.neighborhood_far, title="x", summary=""
        )
    with pytest.raises(PermissionDenied):
        services.draft_from_hot_issue(
            world.users["grid_worker"], neighborhood=world.neighborhood_a, title="x", summary=""
        )


def test_neighborhood_without_party_org_gets_a_clear_error(world):
    with pytest.raises(ValidationError) as e:
        services.draft_from_hot_issue(
            world.users["subdistrict_admin"], neighborhood=world.neighborhood_b, title="x", summary=""
        )
    assert "owner" in e.value.message_dict


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


def test_a_submitted_project_can_no_longer_be_edited(world):
    project = t.project(world, state="submitted")
    with pytest.raises(ValidationError):
        services.update_project(actor=world.users["neighborhood_secretary"], project=project, title="改名")
    with pytest.raises(ValidationError):
        services.add_budget_line(
            actor=world.users["neighborhood_secretary"],
            project=project,
            category="works",
            item="x",
            amount="1",
        )


def test_amounts_with_fractions_of_a_fen_are_refused(world):
    project = t.project(world)
    with pytest.raises(ValidationError) as e:
        services.add_budget_line(
            actor=world.users["social_worker"], project=project, category="works", item="x", amount="1.005"
        )
    assert "amount" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.add_budget_line(
            actor=world.users["social_worker"], project=project, category="works", item="x", amount="abc"
        )


def test_partner_liaison_reads_only_projects_it_takes_part_in(world):
    from gongzhi.core import permissions
    from gongzhi.org.models import PartnerUnit

    mine = t.project(world, title="共建项目")
    other = t.project(world, title="另一个")
    partner = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    services.update_project(actor=world.users["neighborhood_secretary"], project=mine, partners=[partner])
    liaison = world.users["partner_liaison"]
    visible = permissions.scoped(liaison, Project.objects.all())
    assert list(visible) == [mine]
    assert not permissions.can(liaison, mine, permissions.WRITE)
    assert not permissions.can(liaison, other)


def test_tasks_checklist_and_check_ins(world):
    from gongzhi.projects.models import CheckIn

    project = t.project(world, state="running")
    sw = world.users["social_worker"]
    task = services.add_task(
        actor=world.users["neighborhood_secretary"],
        project=project,
        title="问卷",
        assignee=sw,
        due_on=t.today(),
    )
    services.complete_task(actor=sw, task=task)
    actions = services.set_required_actions(
        actor=world.users["subdistrict_admin"],
        subdistrict=world.subdistrict,
        names=["一张任务清单", "一个工作团队"],
    )
    services.tick_action(actor=sw, project=project, action=actions[0], done_on=t.today())
    services.tick_action(actor=sw, project=project, action=actions[0], done_on=t.today())  # twice: once
    assert project.actions_done.count() == 1
    services.record_check_in(actor=sw, project=project, cadence="weekly", held_on=t.today(), notes="对接进度")
    services.record_check_in(actor=sw, project=project, cadence="weekly", held_on=t.today(), notes="补充")
    assert CheckIn.objects.get(project=project, cadence="weekly").notes == "补充"


def test_an_assigned_task_reaches_the_assignee_inbox(world, django_capture_on_commit_callbacks):
    from gongzhi.notifications.models import Message

    project = t.project(world, state="running")
    sw = world.users["social_worker"]
    with django_capture_on_commit_callbacks(execute=True):
        services.add_task(
            actor=world.users["neighborhood_secretary"],
            project=project,
            title="入户调研",
            assignee=sw,
            due_on=t.today(),
        )
    inbox = Message.objects.filter(user=sw, channel="inbox")
    assert inbox.count() == 1 and "入户调研" in inbox.get().subject
