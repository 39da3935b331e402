"""Several senders and workers at once: one message per key, each message delivered once."""

import json

import pytest

from gongzhi.core.testing import run_together
from gongzhi.notifications.models import Message
from gongzhi.notifications.services import deliver_pending, send

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_sends_of_one_key_make_one_message_sent_once(settings):
    outcomes = run_together(
        *(lambda: send(key="same", channel="file", address="dev", subject="s", body="b") for _ in range(6))
    )
    assert all(isinstance(o, Message) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Message.objects.count() == 1
    lines = (settings.VAR_DIR / "outbox" / "file.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["same"]


def test_concurrent_workers_never_deliver_a_message_twice(settings):
    for i in range(120):
        send(key=f"m{i}", channel="file", address="dev", subject="s", body="b", deliver=False)
    outcomes = run_together(*(lambda: deliver_pending(25) for _ in range(4)))
    while deliver_pending(25).handled:
        pass
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    lines = (settings.VAR_DIR / "outbox" / "file.jsonl").read_text().splitlines()
    keys = [json.loads(line)["key"] for line in lines]
    assert sorted(keys) == sorted(f"m{i}" for i in range(120))
    assert Message.objects.filter(status="sent").count() == 120
