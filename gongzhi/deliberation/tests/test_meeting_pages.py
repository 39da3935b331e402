"""The meeting page forms: every role × own area / other area, anonymous callers, bad input.

A meeting of compound A is read by roles on its subdistrict, neighborhood and compound; staff of
the neighborhood write it. Outside the area it is 404, a reader gets 403 on a change, and a
refused or malformed submission changes nothing.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import AREA_ROLES
from gongzhi.deliberation import services
from gongzhi.deliberation.models import AgendaItem, Decision, FollowUpTask, Invitation, Meeting
from gongzhi.deliberation.tests.concern_cases import concern_of_tier
from gongzhi.org import factories as f
from gongzhi.org import services as org_services

pytestmark = pytest.mark.django_db

ROLE_CODES = AREA_ROLES  # the three duty roles are refused everywhere (accounts tests)
READS = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "owners_committee_member"}
WRITES = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}


@pytest.fixture
def meetings(world):
    far_admin = f.UserFactory(username="far_admin")
    org_services.assign_role(actor=None, user=far_admin, role="subdistrict_admin", unit=world.subdistrict_far)
    own = services.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="deliberation",
        title="物业费调价议事会",
        held_at=timezone.now(),
        compound=world.household_a.building.compound,
    )
    far = services.create_meeting(
        actor=far_admin,
        kind="round_table",
        title="书记圆桌",
        held_at=timezone.now(),
        neighborhood=world.neighborhood_far,
    )
    return {"own": own, "far": far}


def expected(role: str, name: str, write: bool) -> int:
    if name == "far" or role not in READS:
        return 404
    if write and role not in WRITES:
        return 403
    return 200


def good_posts(world, meeting: Meeting) -> dict[str, dict]:
    """One valid submission for every form of the meeting page."""
    return {
        "meeting_agenda": {"agenda-title": "加装电梯", "agenda-origin": "staff_proposal"},
        "meeting_invite": {"invite-role": "grid_chief"},
        "meeting_minutes": {"minutes-minutes": "与会各方同意分楼栋征询。"},
        "meeting_decision": {"decision-text": "分楼栋征询加装电梯意见"},
        "meeting_task": {
            "task-title": "上门征询",
            "task-owner": world.users["social_worker"].pk,
            "task-due_on": "2030-01-10",
        },
    }


def rows(meeting: Meeting) -> tuple:
    meeting.refresh_from_db()
    return (
        AgendaItem.objects.filter(meeting=meeting).count(),
        Invitation.objects.filter(meeting=meeting).count(),
        meeting.minutes,
        Decision.objects.filter(meeting=meeting).count(),
        FollowUpTask.objects.filter(meeting=meeting).count(),
    )


@pytest.mark.parametrize("role", ROLE_CODES)
def test_meeting_forms_need_area_and_write(client, world, meetings, role):
    client.force_login(world.users[role])
    for name, meeting in meetings.items():
        before = rows(meeting)
        for url_name, data in good_posts(world, meeting).items():
            response = client.post(reverse(f"deliberation:{url_name}", args=[meeting.pk]), data)
            want = expected(role, name, write=True)
            assert response.status_code == (302 if want == 200 else want), (url_name, name)
        assert (rows(meeting) != before) == (expected(role, name, write=True) == 200), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_meeting_edit_page_needs_area_and_write(client, world, meetings, role):
    client.force_login(world.users[role])
    for name, meeting in meetings.items():
        url = reverse("deliberation:meeting_edit", args=[meeting.pk])
        assert client.get(url).status_code == expected(role, name, write=True), name
        data = {
            "kind": "monthly",
            "title": "改名",
            "held_at": "2030-01-05T19:00",
            "place": "居委会",
            "neighborhood": meeting.neighborhood_id,
        }
        response = client.post(url, data)
        want = expected(role, name, write=True)
        assert response.status_code == (302 if want == 200 else want), name
        meeting.refresh_from_db()
        assert (meeting.title == "改名") == (want == 200)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_new_meeting_only_where_the_role_writes(client, world, role):
    client.force_login(world.users[role])
    url = reverse("deliberation:meeting_create")
    data = {
        "kind": "weekly",
        "title": "周碰头会",
        "held_at": "2030-01-07T09:00",
        "neighborhood": world.neighborhood_a.pk,
    }
    if role in WRITES:
        assert client.get(url).status_code == 200
        assert client.post(url, data).status_code == 302
        assert Meeting.objects.filter(title="周碰头会").count() == 1
    else:
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
        assert not Meeting.objects.filter(title="周碰头会").exists()


def test_new_meeting_cannot_be_placed_in_another_area(client, world):
    client.force_login(world.users["social_worker"])
    data = {
        "kind": "weekly",
        "title": "越界",
        "held_at": "2030-01-07T09:00",
        "neighborhood": world.neighborhood_far.pk,
    }
    response = client.post(reverse("deliberation:meeting_create"), data)
    assert response.status_code == 400 and 'data-errors="neighborhood"' in response.content.decode()
    assert not Meeting.objects.filter(title="越界").exists()


@pytest.mark.parametrize("role", ROLE_CODES)
def test_task_done_by_owner_or_staff_of_the_area(client, world, meetings, role):
    secretary = world.users["neighborhood_secretary"]
    task = services.assign_task(
        actor=secretary,
        meeting=meetings["own"],
        title="回访",
        owner=world.users["social_worker"],
        due_on=date(2030, 1, 1),
    )
    client.force_login(world.users[role])
    response = client.post(reverse("deliberation:task_done", args=[task.pk]))
    task.refresh_from_db()
    # The owner (the social worker) and staff who write the meeting may; to anyone else, even a
    # reader of the meeting, the task is not theirs to tick off and looks absent.
    if role in WRITES:
        assert response.status_code == 302 and task.done_at is not None
    else:
        assert response.status_code == 404 and task.done_at is None


def test_anonymous_callers_are_sent_to_sign_in(client, world, meetings):
    meeting = meetings["own"]
    gets = [reverse("deliberation:meeting_create"), reverse("deliberation:meeting_edit", args=[meeting.pk])]
    posts = [reverse(f"deliberation:{n}", args=[meeting.pk]) for n in good_posts(world, meeting)]
    posts += [reverse("deliberation:meeting_duties"), reverse("deliberation:task_done", args=[1])]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in posts:
        response = client.post(url, {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert rows(meeting) == (0, 0, "", 0, 0)


BAD = {
    "meeting_agenda": ({"agenda-title": "", "agenda-origin": "staff_proposal"}, "title"),
    "meeting_invite": ({"invite-role": "grid_chief", "invite-partner_unit": "__partner__"}, "__all__"),
    "meeting_decision": ({"decision-text": "  "}, "text"),
    "meeting_task": (
        {"task-title": "上门征询", "task-owner": "__far__", "task-due_on": "2030-01-10"},
        "owner",
    ),
}


@pytest.mark.parametrize("url_name", list(BAD))
def test_bad_input_names_the_field_and_changes_nothing(client, world, meetings, url_name):
    meeting = meetings["own"]
    data, field = BAD[url_name]
    far_user = f.UserFactory(username="somewhere_else")
    org_services.assign_role(actor=None, user=far_user, role="social_worker", unit=world.neighborhood_far)
    partner = world.users["partner_liaison"].role_assignments.get().partner_unit  # pledged to A
    swap = {"__partner__": partner.pk, "__far__": far_user.pk}
    data = {k: swap.get(v, v) for k, v in data.items()}
    client.force_login(world.users["neighborhood_secretary"])
    before = rows(meeting)
    response = client.post(reverse(f"deliberation:{url_name}", args=[meeting.pk]), data)
    assert response.status_code == 400
    assert f'data-errors="{field}"' in response.content.decode()
    assert rows(meeting) == before


def test_task_due_date_must_be_a_date(client, world, meetings):
    client.force_login(world.users["neighborhood_secretary"])
    data = {"task-title": "x", "task-owner": world.users["social_worker"].pk, "task-due_on": "2030-13-45"}
    response = client.post(reverse("deliberation:meeting_task", args=[meetings["own"].pk]), data)
    assert response.status_code == 400 and 'data-errors="due_on"' in response.content.decode()
    assert not FollowUpTask.objects.exists()


def test_meeting_form_rejects_unknown_kind_and_missing_time(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    data = {"kind": "party", "title": "", "held_at": "", "neighborhood": world.neighborhood_a.pk}
    page = client.post(reverse("deliberation:meeting_create"), data)
    body = page.content.decode()
    assert page.status_code == 400
    assert all(f'data-errors="{f}"' in body for f in ("kind", "title", "held_at"))
    assert not Meeting.objects.exists()


def test_agenda_item_from_a_concern_links_to_it(client, world, meetings):
    meeting = meetings["own"]
    concern = concern_of_tier(world, "major")
    minor = concern_of_tier(world, "minor", title="小事")
    client.force_login(world.users["neighborhood_secretary"])
    url = reverse("deliberation:meeting_agenda", args=[meeting.pk])
    response = client.post(url, {"agenda-origin": "major_concern", "agenda-concern": concern.pk})
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.concern == concern and item.title == concern.title
    page = client.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert reverse("concerns:detail", args=[concern.pk]) in page
    # A minor concern is not offered, a key-tier origin does not match a major concern, and a
    # concern origin without a concern is refused: each names the field and adds nothing.
    for data in (
        {"agenda-origin": "major_concern", "agenda-concern": minor.pk},
        {"agenda-origin": "key_concern", "agenda-concern": concern.pk},
        {"agenda-origin": "key_concern", "agenda-title": "无来源"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400 and 'data-errors="concern"' in response.content.decode(), data
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_the_whole_meeting_is_recorded_through_the_page(client, world, meetings):
    meeting = meetings["own"]
    secretary = world.users["neighborhood_secretary"]
    client.force_login(secretary)
    for url_name, data in good_posts(world, meeting).items():
        assert client.post(reverse(f"deliberation:{url_name}", args=[meeting.pk]), data).status_code == 302
    partner = world.users["partner_liaison"].role_assignments.get().partner_unit  # pledged to A
    url = reverse("deliberation:meeting_invite", args=[meeting.pk])
    assert client.post(url, {"invite-partner_unit": partner.pk}).status_code == 302
    assert (
        client.post(
            url, {"invite-department": world.users["department_handler"].role_assignments.get().department_id}
        ).status_code
        == 302
    )
    assert client.post(url, {"invite-resident": world.resident_a.pk}).status_code == 302
    assert rows(meeting) == (1, 4, "与会各方同意分楼栋征询。", 1, 1)
    page = client.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "上门征询" in page and "分楼栋征询加装电梯意见" in page and partner.name in page


def test_workbench_lists_my_open_tasks_and_marking_done_removes_them(client, world, meetings):
    worker = world.users["social_worker"]
    task = services.assign_task(
        actor=world.users["neighborhood_secretary"],
        meeting=meetings["own"],
        title="排定志愿服务班次",
        owner=worker,
        due_on=date(2030, 1, 10),
    )
    client.force_login(worker)
    page = client.get(reverse("core:workbench")).content.decode()
    assert 'id="my-tasks"' in page and "排定志愿服务班次" in page
    done = client.post(reverse("deliberation:task_done", args=[task.pk]), {"next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == reverse("deliberation:meetings")
    page = client.get(reverse("core:workbench")).content.decode()  # after the flash message
    assert f'data-task="{task.pk}"' not in page
    client.force_login(world.users["neighborhood_secretary"])
    assert 'id="my-tasks"' not in client.get(reverse("core:workbench")).content.decode()


def test_meeting_page_shows_no_forms_to_readers(client, world, meetings):
    client.force_login(world.users["owners_committee_member"])
    page = client.get(reverse("deliberation:meeting", args=[meetings["own"].pk])).content.decode()
    assert "agenda_form" not in page and "task_form" not in page


def test_editing_a_meeting_can_move_it_only_inside_the_area(client, world):
    worker = world.users["social_worker"]
    meeting = services.create_meeting(
        actor=worker,
        kind="weekly",
        title="周会",
        held_at=timezone.now() + timedelta(days=1),
        neighborhood=world.neighborhood_a,
    )
    client.force_login(worker)
    data = {
        "kind": "weekly",
        "title": "周会",
        "held_at": "2030-01-07T09:00",
        "neighborhood": world.neighborhood_b.pk,
    }
    response = client.post(reverse("deliberation:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 400  # neighborhood B is not a choice for a worker of A
    meeting.refresh_from_db()
    assert meeting.neighborhood_id == world.neighborhood_a.pk
