"""Sending notifications. Every message goes through `send` (or `notify_user`, which calls it).

- Idempotent on `key`: a unique constraint plus `get_or_create`, so the same key from a retried
  request, a second worker or a concurrent transaction returns the one existing `Message`.
- Delivery claims messages with a conditional UPDATE that stamps a fresh claim token; only the
  holder of the token hands the message to its channel and records the outcome, so two workers
  never send one message. A worker that dies mid-send leaves a claim that expires (`LEASE`);
  the message is then tried again, and the webhook's ``Idempotency-Key`` lets the receiver
  recognise the repeat.
- `deliver_pending` delivers one batch; `fan_out` keeps going until nothing is due, with a
  thread pool carrying many messages at once (the network waits, not the CPU).

The `Message` row is itself the record of what was sent to whom; the business action that
caused it is audited by the service that called `send`.
"""

import queue
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import jobs, pii
from gongzhi.notifications.channels import PermanentError, TransientError, transport_for
from gongzhi.notifications.models import Message

CHANNELS = {c.value for c in Message.Channel}
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
IN_PROCESS_TRIES = 3


def outside_link(path: str) -> str:
    """A link for a message that leaves the platform (SMS, email, webhook): the public URL + path."""
    return settings.GONGZHI_PUBLIC_URL.rstrip("/") + path


def _validate(*, key: str, channel: str, address: str, subject: str, user) -> str:
    if not key or len(key) > 200:
        raise ValidationError({"key": _("A message key of 1 to 200 characters is required.")})
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Unknown channel %(channel)s.") % {"channel": channel}})
    if not subject.strip():
        raise ValidationError({"subject": _("A subject is required.")})
    if channel == Message.Channel.INBOX:
        if user is None:
            raise ValidationError({"user": _("An in-platform message needs a user.")})
        return address
    if not address:
        raise ValidationError({"address": _("An address is required for this channel.")})
    if channel == Message.Channel.EMAIL:
        validate_email(address)
    if channel == Message.Channel.SMS:
        return pii.validate_phone(address)
    return address


def send(
    *,
    key: str,
    channel: str,
    address: str,
    subject: str,
    body: str,
    link: str = "",
    user=None,
    deliver: bool = True,
) -> Message:
    """Queue one message (once per key) and, unless `deliver` is False, try it once right after
    the surrounding transaction commits; what fails stays queued for `deliver_pending`."""
    address = _validate(key=key, channel=channel, address=address, subject=subject, user=user)
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "address": address,
            "user": user,
            "subject": subject[:200],
            "body": body,
            "link": link[:500],
        },
    )
    if created and deliver:
        if jobs.uses_workers():  # a worker delivers it; the web request does not wait on a gateway
            from gongzhi.notifications.tasks import deliver_pending

            jobs.enqueue_once(deliver_pending)
        else:
            transaction.on_commit(lambda: _deliver_claimed(_claim(Q(pk=message.pk)), tries=1))
    return message


def send_many(items: list[dict]) -> int:
    """Queue many messages in one go (each item: the keyword arguments of `send`), for call-ups
    and other fan-outs; nothing is delivered here (run `fan_out`). All items are validated first
    (one bad item changes nothing); keys that exist already are skipped, so a retry adds nothing.
    Returns how many were new."""
    rows = []
    for n, item in enumerate(items):
        try:
            address = _validate(
                key=item["key"],
                channel=item["channel"],
                address=item.get("address", ""),
                subject=item["subject"],
                user=item.get("user"),
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Message %(n)s: %(error)s") % {"n": n + 1, "error": " ".join(exc.messages)}
            ) from exc
        rows.append(
            Message(
                key=item["key"],
                channel=item["channel"],
                address=address,
                user=item.get("user"),
                subject=item["subject"][:200],
                body=item.get("body", ""),
                link=item.get("link", "")[:500],
            )
        )
    existing: set[str] = set()
    keys = [r.key for r in rows]
    for chunk in range(0, len(keys), 500):
        existing.update(
            Message.objects.filter(key__in=keys[chunk : chunk + 500]).values_list("key", flat=True)
        )
    new = [r for r in rows if r.key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def contact_channels(user) -> list[tuple[str, str]]:
    """(channel, address) pairs a user can be reached on besides the inbox."""
    found = []
    if user.email:
        found.append((Message.Channel.EMAIL.value, user.email))
    # The account's own phone (residents sign in with it), else the registry's record of them.
    phone = getattr(user, "phone", "")
    if not phone:
        resident = getattr(user, "resident", None)
        phone = resident.phone if resident is not None else ""
    if phone:
        found.append((Message.Channel.SMS.value, phone))
    return found


def notify_user(
    user, *, key: str, subject: str, body: str, link: str = "", deliver: bool = True
) -> list[Message]:
    """The in-platform inbox plus each of the user's contact channels; the message keys are
    ``<key>/inbox``, ``<key>/email``, ``<key>/sms``."""
    if len(key) > 190:
        raise ValidationError({"key": _("A message key of 1 to 190 characters is required.")})
    targets = [(Message.Channel.INBOX.value, "")] + contact_channels(user)
    return [
        send(
            key=f"{key}/{channel}",
            channel=channel,
            address=address,
            subject=subject,
            body=body,
            link=link,
            user=user,
            deliver=deliver,
        )
        for channel, address in targets
    ]


# Delivery ------------------------------------------------------------------------------------


def _due(now) -> Q:
    queued = Q(status=Message.Status.QUEUED) & (Q(due_at__isnull=True) | Q(due_at__lte=now))
    abandoned = Q(status=Message.Status.SENDING, due_at__lt=now)
    return queued | abandoned


def _claim(which: Q, batch: int = 1) -> list[Message]:
    """Take up to `batch` due messages matching `which`; the conditional UPDATE re-checks that
    each is still due, so a message claimed meanwhile by another worker is skipped."""
    now = timezone.now()
    ids = list(Message.objects.filter(which & _due(now)).order_by("id").values_list("pk", flat=True)[:batch])
    if not ids:
        return []
    token = jobs.claim_token()
    Message.objects.filter(Q(pk__in=ids) & _due(now)).update(
        status=Message.Status.SENDING, claimed_by=token, due_at=now + LEASE
    )
    return list(Message.objects.filter(claimed_by=token, status=Message.Status.SENDING).order_by("id"))


@dataclass
class Outcome:
    message: Message
    tries: int = 0
    error: str = ""
    sent: bool = False
    retry: bool = False


def _attempt(message: Message, tries: int) -> Outcome:
    """Hand one message to its transport, retrying transient failures here with a short
    backoff. No database access: this runs in pool threads."""
    outcome = Outcome(message)
    transport = transport_for(message.channel)
    for n in range(tries):
        outcome.tries += 1
        try:
            transport.deliver(message)
            outcome.sent, outcome.error = True, ""
            return outcome
        except TransientError as exc:
            outcome.error, outcome.retry = str(exc)[:500], True
        except PermanentError as exc:
            outcome.error, outcome.retry = str(exc)[:500], False
            return outcome
        except Exception as exc:  # noqa: BLE001  (a broken transport must not fail the caller's request)
            outcome.error, outcome.retry = f"{type(exc).__name__}: {exc}"[:500], True
        if n + 1 < tries:
            time.sleep(0.2 * 3**n * (0.5 + random.random()))
    return outcome


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _record(outcomes: list[Outcome]) -> None:
    now = timezone.now()
    sent_by_tries: dict[int, list[int]] = {}
    for o in outcomes:
        if o.sent:
            sent_by_tries.setdefault(o.tries, []).append(o.message.pk)
    for tries, ids in sent_by_tries.items():
        for chunk in range(0, len(ids), 500):
            Message.objects.filter(pk__in=ids[chunk : chunk + 500], status=Message.Status.SENDING).update(
                status=Message.Status.SENT,
                sent_at=now,
                error="",
                claimed_by="",
                attempts=F("attempts") + tries,
            )
    for o in outcomes:
        if o.sent:
            continue
        attempts = o.message.attempts + o.tries
        gives_up = not o.retry or attempts >= MAX_ATTEMPTS
        Message.objects.filter(pk=o.message.pk, claimed_by=o.message.claimed_by).update(
            status=Message.Status.FAILED if gives_up else Message.Status.QUEUED,
            due_at=None if gives_up else now + _backoff(attempts),
            attempts=attempts,
            error=o.error,
            claimed_by="",
        )


def _deliver_claimed(messages: list[Message], *, tries: int, pool: ThreadPoolExecutor | None = None) -> int:
    if not messages:
        return 0
    outcomes = (
        list(pool.map(lambda m: _attempt(m, tries), messages))
        if pool
        else [_attempt(m, tries) for m in messages]
    )
    _record(outcomes)
    return sum(o.sent for o in outcomes)


@dataclass
class Report:
    sent: int = 0
    handled: int = 0
    seconds: float = 0.0
    rounds: list[int] = field(default_factory=list)


def deliver_pending(
    batch: int = 200, *, pool: ThreadPoolExecutor | None = None, which: Q | None = None
) -> Report:
    """Deliver one batch of due messages. Returns how many were handled and sent."""
    started = time.monotonic()
    claimed = _claim(which or Q(), batch)
    sent = _deliver_claimed(claimed, tries=IN_PROCESS_TRIES, pool=pool)
    return Report(sent=sent, handled=len(claimed), seconds=time.monotonic() - started, rounds=[len(claimed)])


def fan_out(*, batch: int = 500, workers: int = 32, which: Q | None = None) -> Report:
    """Deliver everything due with `workers` threads. Messages are claimed `batch` at a time and
    fed to the pool as a stream (a slow receiver holds up one thread, not a whole batch);
    outcomes come back through a queue and are recorded from this thread only, so the database
    sees one writer. (Waiting on the futures instead cost a pass over all those in flight for
    each message finished: at a gateway's paced rate, most of the worker's CPU.)"""
    report = Report()
    started = time.monotonic()
    outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
    in_flight = 0
    finished: list[Outcome] = []
    exhausted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify") as pool:
        while True:
            if not exhausted and in_flight <= batch // 2:
                claimed = _claim(which or Q(), batch)
                exhausted = not claimed
                report.rounds.append(len(claimed))
                for message in claimed:
                    pool.submit(_attempt_into, outcomes, message)
                in_flight += len(claimed)
            if not in_flight:
                break
            taken = _take(outcomes, timeout=1.0)
            in_flight -= len(taken)
            finished += taken
            if len(finished) >= 200 or not in_flight:
                _record(finished)
                report.sent += sum(o.sent for o in finished)
                report.handled += len(finished)
                finished = []
    report.rounds = [n for n in report.rounds if n]
    report.seconds = time.monotonic() - started
    return report


def _attempt_into(outcomes: queue.SimpleQueue, message: Message) -> None:
    """A pool thread's work: every message claimed gives exactly one outcome, whatever happens
    (the fan-out counts them to know when it is done)."""
    try:
        outcome = _attempt(message, IN_PROCESS_TRIES)
    except BaseException as exc:  # noqa: BLE001  (_attempt catches Exception; this is the rest)
        outcome = Outcome(message, error=type(exc).__name__, retry=True)
    outcomes.put(outcome)


def _take(outcomes: queue.SimpleQueue, *, timeout: float) -> list[Outcome]:
    """The outcomes ready now, waiting up to `timeout` for the first."""
    try:
        taken = [outcomes.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            taken.append(outcomes.get_nowait())
        except queue.Empty:
            return taken


def release_claims(*, tag: str, **_signal) -> int:
    """A worker found dead (core/jobs.py `worker_lost`): its messages being sent are due again
    now rather than when their lease ends. A message it had already handed over is sent again
    under the same key, which the gateway recognises (Idempotency-Key)."""
    if not tag:
        return 0
    return Message.objects.filter(status=Message.Status.SENDING, claimed_by__startswith=tag).update(
        due_at=timezone.now()
    )


def retry_failed(*, actor, message: Message) -> Message:
    """Staff put a failed message back in the queue (e.g. after the gateway was fixed)."""
    from gongzhi.core import audit

    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
            status=Message.Status.QUEUED, due_at=None, attempts=0
        )
        if updated:
            audit.record(
                "update", message, actor=actor, summary=_("retry message %(key)s") % {"key": message.key}
            )
    message.refresh_from_db()
    return message


# Inbox ---------------------------------------------------------------------------------------


def mark_read(*, user, message_id: int) -> bool:
    """Only the owner can mark their message read; anything else is simply not found."""
    return bool(
        Message.objects.filter(
            pk=message_id, user=user, channel=Message.Channel.INBOX, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def mark_all_read(*, user) -> int:
    return Message.objects.filter(user=user, channel=Message.Channel.INBOX, read_at__isnull=True).update(
        read_at=timezone.now()
    )
