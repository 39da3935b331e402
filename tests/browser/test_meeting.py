"""A meeting in the browser: staff create it, put an item on the agenda, record a decision and a
follow-up task; the task's owner finds it under "my to-dos" on their workbench and ticks it off."""

import pytest

from gongzhi.deliberation.models import FollowUpTask, Meeting
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_form(page, form_id: str) -> None:
    page.click(f"#{form_id} summary")


def test_meeting_with_agenda_decision_and_task_reaches_the_owners_workbench(page, live_server, world):
    live = live_server
    worker = world.users["social_worker"]

    sign_in(page, live, "neighborhood_secretary")
    page.goto(f"{live.url}/deliberation/meetings/")
    page.click("#new-meeting")
    page.select_option("#id_kind", "joint_consultation")
    page.fill("#id_title", "社务联席协商会议")
    page.fill("#id_held_at", "2030-01-08T14:30")
    page.fill("#id_place", "党群服务站二楼")
    page.select_option("#id_neighborhood", str(world.neighborhood_a.pk))
    page.click("#meeting-form button")
    page.wait_for_selector("#agenda")
    meeting = Meeting.objects.get()
    assert page.locator("h1").inner_text() == "社务联席协商会议"

    open_form(page, "agenda_form")
    page.click("#add-agenda")  # empty title: the field is named and nothing is added
    page.wait_for_selector('[data-errors="title"]')
    assert page.locator("#agenda li.muted").count() == 1
    page.fill("#id_agenda-title", "加装电梯意见征询")
    page.select_option("#id_agenda-origin", "resident_proposal")
    page.click("#add-agenda")
    page.wait_for_selector("#agenda li >> text=加装电梯意见征询")

    open_form(page, "decision_form")
    page.fill("#id_decision-text", "分楼栋上门征询加装电梯意见，两周内汇总")
    page.select_option("#id_decision-agenda_item", label="加装电梯意见征询")
    page.click("#add-decision")
    page.wait_for_selector("#decisions li >> text=分楼栋上门征询加装电梯意见")

    open_form(page, "task_form")
    page.fill("#id_task-title", "上门征询3号楼住户意见")
    page.select_option("#id_task-owner", str(worker.pk))
    page.fill("#id_task-due_on", "2030-01-22")
    page.select_option("#id_task-decision", index=1)
    page.click("#add-task")
    page.wait_for_selector("#tasks td >> text=上门征询3号楼住户意见")
    screenshot(page, "meeting-recorded")
    task = FollowUpTask.objects.get(meeting=meeting)
    assert task.owner == worker and task.decision is not None

    page.context.clear_cookies()
    sign_in(page, live, "social_worker")
    tasks = page.locator("#my-tasks")
    tasks.wait_for()
    assert "上门征询3号楼住户意见" in tasks.inner_text() and "2030-01-22" in tasks.inner_text()
    screenshot(page, "meeting-task-on-workbench")
    tasks.locator(f'[data-task="{task.pk}"] button').click()
    page.wait_for_url(f"{live.url}/")
    assert page.locator("#my-tasks").count() == 0
    task.refresh_from_db()
    assert task.done_at is not None
