"""An emergency call-up fanned out to 5,000 volunteers through the webhook channel.

    .venv/bin/python bench/callup_fanout.py                # throwaway SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/callup_fanout.py

A local HTTP receiver (stdlib http.server in a thread, `gongzhi.notifications.testing.Receiver`)
stands in for the SMS gateway: it checks each request's HMAC signature, records every
``Idempotency-Key`` and processes each key once. Faults are injected on the first request of
some keys: about 1 in 250 get a 500, about 1 in 1,000 are processed but answered after the
sender's timeout (so the sender retries a message the gateway already has).

Timed: `call_up` (answers and messages written in one transaction) plus the delivery that runs
after its commit (the notifications task, a thread pool of 32 senders). Counted at the receiver:
lost = call-up messages never processed; duplicated = requests beyond one per key plus one per
injected fault (a retry the fault did not cause would be a duplicate), and keys processed twice.
Last line: `fanout: N messages, T s, lost L, duplicated D`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-fanout-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
os.environ.setdefault("GONGZHI_WEBHOOK_SECRET", "bench-secret")
os.environ.setdefault("GONGZHI_WEBHOOK_TIMEOUT", "2")
os.environ.setdefault("GONGZHI_BASE_URL", "https://gz.example.org")


def fails(key: str) -> bool:
    return zlib.crc32(key.encode()) % 250 == 0


def slows(key: str) -> bool:
    return zlib.crc32(key.encode()) % 1000 == 1


def setup_django() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from bench.concern_intake import ensure_database

        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s")


def build_town(volunteers: int):
    """A bench town with `volunteers` volunteers who have a phone, and an admin; made afresh."""
    from gongzhi.accounts.models import User
    from gongzhi.org import factories as f
    from gongzhi.org import services as org_services
    from gongzhi.volunteers.models import Volunteer

    town = f.SubdistrictFactory(name="召集压测镇", code=f"FO{time.time_ns() % 10**12}")
    places = [f.NeighborhoodFactory(subdistrict=town, name=f"压测{n:02d}居民区") for n in range(10)]
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                neighborhood=places[i % len(places)],
                name=f"志愿者{i:05d}",
                phone=f"139{i:08d}",
                skills="medical" if i % 20 == 0 else "",
            )
            for i in range(volunteers)
        ],
        batch_size=1000,
    )
    admin = User.objects.create_user(username=f"fanout_admin_{time.time_ns()}", password=None, is_staff=True)
    org_services.assign_role(actor=None, user=admin, role="subdistrict_admin", unit=town)
    return town, admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=5000)
    args = parser.parse_args()

    from gongzhi.notifications.testing import Receiver

    with Receiver(
        os.environ["GONGZHI_WEBHOOK_SECRET"], fail_first=fails, slow_first=slows, slow_seconds=3
    ) as box:
        os.environ["GONGZHI_WEBHOOK_URL"] = box.url
        setup_django()
        from gongzhi.notifications.models import Message
        from gongzhi.notifications.services import fan_out
        from gongzhi.volunteers import services

        town, admin = build_town(args.volunteers)
        emergency = services.open_emergency(actor=admin, subdistrict=town, title="防台风紧急召集")
        started = time.monotonic()
        called = services.call_up(actor=admin, emergency=emergency).called
        called_at = time.monotonic()
        leftover = fan_out()  # anything the task left queued (it should be nothing)
        seconds = time.monotonic() - started

        keys = set(Message.objects.filter(key__startswith="callup:").values_list("key", flat=True))
        statuses = {
            s: Message.objects.filter(key__in=keys, status=s).count()
            for s in ("queued", "sending", "sent", "failed")
        }
        lost = len(keys - set(box.processed))
        expected = sum(2 if box.faulted(k) else 1 for k in box.requests)
        extra_requests = sum(box.requests.values()) - expected
        twice = sum(1 for n in box.processed.values() if n > 1)
        duplicated = max(0, extra_requests) + twice
        faulted = sum(1 for k in keys if box.faulted(k))
        from django.db.models import Max

        written = Message.objects.filter(key__in=keys).aggregate(Max("created_at"))["created_at__max"]
        delivered = Message.objects.filter(key__in=keys).aggregate(Max("sent_at"))["sent_at__max"]
        print(
            f"messages written by {emergency.opened_at and (written - emergency.opened_at).total_seconds():.1f} s after opening; last sent {(delivered - written).total_seconds():.1f} s after that"
        )
        print(
            f"called up {called} volunteers; call_up + delivery {called_at - started:.1f} s, leftover {leftover.sent}"
        )
        print(
            f"messages {statuses}; requests at receiver {sum(box.requests.values())}; injected faults {faulted}"
        )
        print(f"bad signatures {box.bad_signatures}; keys processed twice {twice}")
        print(f"fanout: {len(keys)} messages, {seconds:.1f} s, lost {lost}, duplicated {duplicated}")


if __name__ == "__main__":
    main()
