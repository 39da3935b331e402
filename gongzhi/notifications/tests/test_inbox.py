"""The inbox page and API: a person sees and marks only their own messages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gongzhi.notifications.context import unread
from gongzhi.notifications.models import Message
from gongzhi.notifications.services import notify_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_inboxes(world):
    mine = world.users["social_worker"]
    theirs = world.users["grid_worker"]
    notify_user(mine, key="a", subject="社区通知甲", body="正文甲", link="/volunteers/")
    notify_user(theirs, key="b", subject="社区通知乙", body="正文乙")
    return mine, theirs


def test_inbox_shows_only_my_messages(client, two_inboxes):
    mine, _ = two_inboxes
    client.force_login(mine)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "社区通知甲" in page and "社区通知乙" not in page
    assert "1 条未读" in page


def test_opening_my_message_marks_it_read_and_follows_its_link(client, two_inboxes):
    mine, _ = two_inboxes
    client.force_login(mine)
    message = Message.objects.get(key="a/inbox")
    answer = client.post(reverse("notifications:open", args=[message.pk]))
    assert answer.status_code == 302 and answer.url == "/volunteers/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_opening_someone_elses_message_is_not_found(client, two_inboxes):
    mine, _ = two_inboxes
    client.force_login(mine)
    other = Message.objects.get(key="b/inbox")
    assert client.post(reverse("notifications:open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_touches_only_my_messages(client, two_inboxes):
    mine, _ = two_inboxes
    client.force_login(mine)
    client.post(reverse("notifications:read_all"))
    assert Message.objects.get(key="a/inbox").read_at is not None
    assert Message.objects.get(key="b/inbox").read_at is None


def test_anonymous_is_sent_to_sign_in(client):
    answer = client.get(reverse("notifications:inbox"))
    assert answer.status_code == 302 and "/accounts/" in answer.url


def test_api_lists_and_marks_only_my_messages(client, two_inboxes):
    mine, _ = two_inboxes
    client.force_login(mine)
    listed = client.get("/api/v1/notifications/inbox").json()
    assert listed["unread"] == 1 and [m["subject"] for m in listed["messages"]] == ["社区通知甲"]
    other = Message.objects.get(key="b/inbox")
    assert client.post(f"/api/v1/notifications/inbox/{other.pk}/read").status_code == 404
    own = Message.objects.get(key="a/inbox")
    assert client.post(f"/api/v1/notifications/inbox/{own.pk}/read").json()["read_at"] is not None


def test_api_refuses_anonymous(client):
    assert client.get("/api/v1/notifications/inbox").status_code == 401


def test_unread_context_counts_my_unread_messages(two_inboxes):
    mine, _ = two_inboxes
    request = RequestFactory().get("/")
    request.user = mine
    assert unread(request) == {"unread_notifications": 1}
