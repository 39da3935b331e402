"""A project's plan and progress (services/work.py): budget lines, tasks, the checklist, check-ins."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.projects import services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db


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
