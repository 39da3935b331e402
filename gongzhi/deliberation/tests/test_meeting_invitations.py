"""Invitees see the meetings they are invited to (page and workbench), are told when invited and
answer whether they attend; residents are picked by search (a few masked matches, never the whole
area's list); the agenda's tier rule is checked as the person picks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Attendance, Invitation
from gongzhi.deliberation.tests.concern_cases import concern_of_tier
from gongzhi.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    return services.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="deliberation",
        title="加装电梯议事会",
        held_at=timezone.now() + timedelta(days=2),
        neighborhood=world.neighborhood_a,
        place="居委会二楼",
    )


def _invite_grid_chiefs(world, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite(
            actor=world.users["neighborhood_secretary"], meeting=meeting, role="grid_chief"
        )


def test_an_invited_grid_chief_is_told_sees_the_meeting_and_answers(
    client, world, meeting, django_capture_on_commit_callbacks
):
    chief = world.users["grid_chief"]
    client.force_login(chief)
    page_url = reverse("deliberation:meeting", args=[meeting.pk])
    assert client.get(page_url).status_code == 404  # not invited yet: not in a grid chief's scope
    _invite_grid_chiefs(world, meeting, django_capture_on_commit_callbacks)
    message = Message.objects.get(user=chief, channel="inbox")
    assert "加装电梯议事会" in message.subject and message.link == page_url
    bench = client.get(reverse("core:workbench")).content.decode()
    assert "我受邀的会议" in bench and page_url in bench
    page = client.get(page_url).content.decode()
    assert 'id="my-invitation"' in page and 'id="agenda_form"' not in page  # reads, does not run it
    answer = client.post(reverse("deliberation:meeting_attend", args=[meeting.pk]), {"answer": "attending"})
    assert answer.status_code == 302
    client.post(reverse("deliberation:meeting_attend", args=[meeting.pk]), {"answer": "attending"})
    assert Attendance.objects.get(meeting=meeting, user=chief).answer == "attending"  # once, however often


def test_inviting_twice_tells_a_person_once(world, meeting, django_capture_on_commit_callbacks):
    _invite_grid_chiefs(world, meeting, django_capture_on_commit_callbacks)
    _invite_grid_chiefs(world, meeting, django_capture_on_commit_callbacks)
    assert Message.objects.filter(user=world.users["grid_chief"], channel="inbox").count() == 1


def test_a_partner_units_liaison_sees_the_meeting_it_is_invited_to(client, world, meeting):
    partner = world.users["partner_liaison"].role_assignments.get().partner_unit
    services.invite(actor=world.users["neighborhood_secretary"], meeting=meeting, partner_unit=partner)
    assert world.users["partner_liaison"] in services.invitees_of(meeting)
    client.force_login(world.users["partner_liaison"])
    assert client.get(reverse("deliberation:meeting", args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("role", ["grid_worker", "stairwell_chief", "volunteer_team_chief"])
def test_people_not_invited_can_neither_see_nor_answer(client, world, meeting, role):
    Invitation.objects.create(meeting=meeting, role="grid_chief")
    client.force_login(world.users[role])
    assert client.get(reverse("deliberation:meeting", args=[meeting.pk])).status_code == 404
    assert (
        client.post(
            reverse("deliberation:meeting_attend", args=[meeting.pk]), {"answer": "attending"}
        ).status_code
        == 404
    )
    assert not Attendance.objects.exists()


def test_a_bad_answer_is_named_and_changes_nothing(client, world, meeting):
    Invitation.objects.create(meeting=meeting, role="grid_chief")
    client.force_login(world.users["grid_chief"])
    response = client.post(reverse("deliberation:meeting_attend", args=[meeting.pk]), {"answer": "maybe"})
    assert response.status_code == 400 and "请选择是否参会" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_invitation_form_has_a_resident_search_not_a_list(client, world, meeting):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert 'name="invite-resident"' not in page and 'name="resident_q"' in page
    url = reverse("deliberation:meeting_residents", args=[meeting.pk])
    hits = client.get(url, {"resident_q": world.resident_a.name[:2]}).content.decode()
    assert f'value="{world.resident_a.pk}"' in hits and world.resident_a.name not in hits  # masked
    assert (
        f'value="{world.resident_b.pk}"'
        not in client.get(url, {"resident_q": world.resident_b.name}).content.decode()
    )
    assert (
        client.post(
            reverse("deliberation:meeting_invite", args=[meeting.pk]),
            {"invite-resident": world.resident_a.pk},
        ).status_code
        == 302
    )


@pytest.mark.parametrize("role", ["grid_chief", "stairwell_chief", "owners_committee_member"])
def test_the_resident_search_is_for_the_meetings_writers_only(client, world, meeting, role):
    client.force_login(world.users[role])
    url = reverse("deliberation:meeting_residents", args=[meeting.pk])
    assert client.get(url, {"resident_q": world.resident_a.name}).status_code in (403, 404)


def test_the_tier_rule_is_checked_as_the_person_picks(client, world, meeting):
    major = concern_of_tier(world, "major")
    before = meeting.agenda.count()
    client.force_login(world.users["neighborhood_secretary"])
    url = reverse("deliberation:meeting_agenda_check", args=[meeting.pk])
    wrong = client.post(url, {"agenda-origin": "key_concern", "agenda-concern": major.pk}).content.decode()
    assert 'id="agenda-problem"' in wrong and "大事细议" in wrong
    right = client.post(url, {"agenda-origin": "major_concern", "agenda-concern": major.pk}).content.decode()
    assert "agenda-problem" not in right
    assert meeting.agenda.count() == before  # checking writes nothing
    client.force_login(world.users["grid_worker"])
    assert client.post(url, {"agenda-origin": "key_concern"}).status_code == 404


def test_anonymous_callers_are_sent_to_sign_in(client, meeting):
    for name in ("meeting_residents", "meeting_agenda_check", "meeting_attend"):
        response = client.post(reverse(f"deliberation:{name}", args=[meeting.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
