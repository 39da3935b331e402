"""The webhook channel against a real local HTTP receiver: headers, signature, retries, fan-out."""

import json
import threading
import time

import pytest

from gongzhi.core import jobs
from gongzhi.notifications.channels import Pacer, signature
from gongzhi.notifications.models import Message
from gongzhi.notifications.services import deliver_pending, fan_out, send
from gongzhi.notifications.testing import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    def start(**faults):
        box = Receiver("test-secret", **faults)
        box.__enter__()
        started.append(box)
        settings.GONGZHI_WEBHOOK_URL = box.url
        return box

    started: list[Receiver] = []
    yield start
    for box in started:
        box.__exit__()


def test_webhook_posts_signed_json_with_the_idempotency_key(receiver):
    box = receiver()
    send(key="hook-1", channel="webhook", address="team-3", subject="集合", body="8点到岗", link="/v/1/")
    assert box.requests["hook-1"] == 1
    assert box.bodies["hook-1"] == {
        "key": "hook-1",
        "channel": "webhook",
        "address": "team-3",
        "subject": "集合",
        "body": "8点到岗",
        "link": "/v/1/",
    }
    assert box.bad_signatures == 0
    body = json.dumps(box.bodies["hook-1"], ensure_ascii=False).encode()
    assert signature(body, "test-secret") != signature(body, "other")
    assert Message.objects.get(key="hook-1").status == "sent"


def test_sms_goes_to_the_gateway_when_one_is_configured(receiver):
    box = receiver()
    send(key="sms-1", channel="sms", address="13800138000", subject="s", body="b")
    assert box.bodies["sms-1"]["address"] == "13800138000"


def test_a_transient_500_is_retried_later_and_delivered_once(receiver):
    box = receiver(fail_first={"hook-2"})
    message = send(key="hook-2", channel="webhook", address="a", subject="s", body="b")
    message.refresh_from_db()
    if jobs.uses_workers():  # a worker's fan-out tries a message up to three times in its run
        assert (message.status, message.attempts, message.error) == ("sent", 2, "")
    else:  # the request tries once; the next delivery after the backoff sends it
        assert (message.status, message.attempts, message.error) == ("queued", 1, "HTTP 500")
        Message.objects.filter(pk=message.pk).update(due_at=None)  # the backoff has passed
        assert deliver_pending(10).sent == 1
        message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert (box.requests["hook-2"], box.processed["hook-2"]) == (2, 1)


def test_a_client_error_fails_without_retry(receiver):
    box = receiver(reject={"hook-3"})
    message = send(key="hook-3", channel="webhook", address="a", subject="s", body="b")
    message.refresh_from_db()
    assert (message.status, message.error) == ("failed", "HTTP 400")
    assert deliver_pending(10).handled == 0
    assert box.requests["hook-3"] == 1


def test_fan_out_loses_and_duplicates_nothing_despite_faults(receiver):
    keys = [f"fan-{i}" for i in range(300)]
    box = receiver(fail_first=set(keys[::37]), slow_first=set(keys[5::61]), slow_seconds=1.5)
    for key in keys:
        send(key=key, channel="webhook", address=key, subject="s", body="b", deliver=False)
    report = fan_out(batch=100, workers=16)
    assert (report.handled, report.sent) == (300, 300)
    assert set(box.processed) == set(keys)
    assert max(box.processed.values()) == 1
    extra = sum(n - (2 if box.faulted(key) else 1) for key, n in box.requests.items())
    assert extra == 0
    assert Message.objects.filter(status="sent").count() == 300


def test_the_gateway_rate_spaces_the_fan_out_across_its_threads(receiver, settings):
    """GONGZHI_WEBHOOK_RATE caps what one process hands to the gateway, whatever its thread count:
    30 messages at 100 a second cannot take less than 0.29 s, though 16 threads would send them
    in a few milliseconds."""
    box = receiver()
    settings.GONGZHI_WEBHOOK_RATE = "100"
    keys = [f"paced-{i}" for i in range(30)]
    for key in keys:
        send(key=key, channel="webhook", address=key, subject="s", body="b", deliver=False)
    report = fan_out(batch=10, workers=16)
    assert (report.handled, report.sent) == (30, 30)
    assert report.seconds >= 0.29
    assert set(box.processed) == set(keys) and max(box.processed.values()) == 1


def test_the_pacer_gives_each_caller_its_own_slot():
    pacer, times = Pacer(), []
    lock = threading.Lock()

    def call():
        pacer.wait(50)
        with lock:
            times.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(10)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # ten slots 20 ms apart, the first no earlier than `began`: the last caller returned at least
    # 180 ms after it (a sleep never wakes early)
    assert max(times) - began >= 0.18
    assert len(times) == 10
    pacer.wait(0)  # no limit (the default): no slot, no division by zero
