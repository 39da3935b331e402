"""send and notify_user: one message per key, the right channel, clear errors for bad input."""

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from gongzhi.notifications.models import Message
from gongzhi.notifications.services import deliver_pending, notify_user, send

pytestmark = pytest.mark.django_db(transaction=True)


def _outbox(settings, channel: str) -> list[dict]:
    path = settings.VAR_DIR / "outbox" / f"{channel}.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_the_same_key_twice_gives_one_message_sent_once(settings):
    first = send(key="k1", channel="file", address="dev", subject="你好", body="正文", link="/x/")
    again = send(key="k1", channel="file", address="dev", subject="你好", body="正文", link="/x/")
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    lines = _outbox(settings, "file")
    assert lines == [
        {"key": "k1", "channel": "file", "address": "dev", "subject": "你好", "body": "正文", "link": "/x/"}
    ]
    assert Message.objects.get().status == "sent"


def test_sms_goes_to_the_file_outbox_without_a_gateway(settings):
    send(key="s1", channel="sms", address="13800138000", subject="通知", body="明早集合")
    assert [m["address"] for m in _outbox(settings, "sms")] == ["13800138000"]


def test_webhook_without_url_goes_to_the_file_outbox(settings):
    send(key="w1", channel="webhook", address="team-7", subject="通知", body="b")
    assert [m["key"] for m in _outbox(settings, "webhook")] == ["w1"]


def test_email_goes_through_django_mail():
    send(key="e1", channel="email", address="li@example.org", subject="主题", body="正文", link="https://x/1")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.org"]
    assert "https://x/1" in mail.outbox[0].body


def test_address_is_encrypted_at_rest():
    from django.db import connection

    message = send(key="p1", channel="sms", address="13800138000", subject="s", body="b")
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM notifications_message WHERE id = %s", [message.pk])
        stored = cursor.fetchone()[0]
    assert "13800138000" not in stored
    assert Message.objects.get(pk=message.pk).address == "13800138000"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": "", "channel": "file", "address": "a"}, "key"),
        ({"key": "x", "channel": "pigeon", "address": "a"}, "channel"),
        ({"key": "x", "channel": "inbox", "address": ""}, "user"),
        ({"key": "x", "channel": "email", "address": ""}, "address"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        send(subject="s", body="b", **kwargs)
    assert field in caught.value.message_dict
    assert Message.objects.count() == 0


def test_bad_email_and_phone_are_refused():
    with pytest.raises(ValidationError):
        send(key="x", channel="email", address="not-an-email", subject="s", body="b")
    with pytest.raises(ValidationError):
        send(key="y", channel="sms", address="12345", subject="s", body="b")
    assert Message.objects.count() == 0


def test_notify_user_reaches_inbox_email_and_the_residents_phone(world, settings):
    resident = world.resident_a
    user = world.users["social_worker"]
    user.email = "worker@example.org"
    user.save()
    resident.user = user
    resident.set_phone("13900139000")
    resident.save()
    sent = notify_user(user, key="ev-1", subject="新任务", body="请处理", link="/concerns/")
    again = notify_user(user, key="ev-1", subject="新任务", body="请处理", link="/concerns/")
    channels = sorted(m.channel for m in sent)
    assert [m.pk for m in sent] == [m.pk for m in again]
    assert channels == ["email", "inbox", "sms"]
    assert [m["address"] for m in _outbox(settings, "sms")] == ["13900139000"]
    assert len(mail.outbox) == 1
    inbox = Message.objects.get(key="ev-1/inbox")
    assert inbox.user == user and inbox.status == "sent" and inbox.read_at is None


def test_a_message_queued_without_delivery_is_sent_by_deliver_pending(settings):
    send(key="q1", channel="file", address="dev", subject="s", body="b", deliver=False)
    assert _outbox(settings, "file") == []
    report = deliver_pending(10)
    assert (report.handled, report.sent) == (1, 1)
    assert deliver_pending(10).handled == 0
    assert len(_outbox(settings, "file")) == 1


class _Broken:
    def deliver(self, message):
        raise RuntimeError("gateway library crashed")


def test_a_broken_transport_leaves_the_message_queued_and_the_caller_unharmed(settings):
    settings.GONGZHI_NOTIFY_CHANNELS = "sms=gongzhi.notifications.tests.test_send._Broken"
    message = send(key="b1", channel="sms", address="13800138000", subject="s", body="b")
    message.refresh_from_db()
    assert message.status == "queued" and "RuntimeError" in message.error and message.due_at is not None
