"""The sync of what field pages saved offline (POST /api/v1/sync): each queued item is handed to
the service its own endpoint uses (visits with concern intake, concern intake, activity check-in,
roster attendance, call-up answers), with the same permission checks, inside a transaction of its
own that also writes the item's `SyncReceipt`. So an item is applied once or not at all: a rejected
item changes nothing and says which field is wrong; an item whose key was applied before (a retry,
another tab, a second batch arriving at the same moment) answers `duplicate` with the first id.

Items apply in the order they were made (`made_at`), which is also the time the visit, check-in,
attendance or answer is recorded with. The conflicts an offline phone can run into (a household
that moved out, a building a grid redraw put elsewhere, a cancelled activity) are refusals with a
reason the worker reads next to the queued item (conflicts.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import api as concern_api
from gongzhi.concerns import visit_intake
from gongzhi.concerns.api import category_for
from gongzhi.core.errors import NotInScope
from gongzhi.field import conflicts
from gongzhi.field.models import SyncReceipt
from gongzhi.field.payloads import PAYLOADS
from gongzhi.org import selectors as org_selectors
from gongzhi.volunteers import selectors as volunteer_selectors
from gongzhi.volunteers import services as volunteer_services

MAX_ITEMS = 200
MAX_KEY_LENGTH = 64
# How old a queued item may be when it arrives, and how far ahead of the server clock a phone's
# clock may run. Receipts must be kept longer than MAX_AGE (a key older than that is refused anyway).
MAX_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=10)

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"


@dataclass
class Result:
    key: str | None
    status: str
    id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"key": self.key, "status": self.status, "id": self.id, "errors": self.errors}


# ---- the kinds: each calls its own service ------------------------------------------------------


def _visit(actor, payload, made_at, key) -> int:
    household = org_selectors.household_in_area(actor, payload.household_id)
    if household is None:
        raise NotInScope(_("No such household in your area."))
    conflicts.check_household(household)
    visit = visit_intake.record_visit(
        actor=actor,
        household=household,
        channel=payload.channel,
        raised=payload.raised,
        handled=payload.handled,
        suggestions=payload.suggestions,
        category=category_for(actor, payload.category) if payload.category else None,
        # No idempotency key: the receipt already makes the item apply once, and the key's two
        # look-ups were a tenth of a synced visit's queries.
        visited_at=made_at,
    )
    return visit.pk


def _concern(actor, payload, made_at, key) -> int:
    conflicts.check_grid(actor, payload)
    concern = concern_api.submit(actor, payload, key)
    return concern.pk


def _check_in(actor, payload, made_at, key) -> int:
    return volunteer_services.scan_check_in(actor=actor, token=payload.token, at=made_at).pk


def _attendance(actor, payload, made_at, key) -> int:
    duty = volunteer_selectors.duties_markable_by(actor).filter(pk=payload.duty_id).first()
    if duty is None:
        raise NotInScope(_("No such record in your area."))
    return volunteer_services.mark_attendance(
        actor=actor, duty=duty, attendance=payload.attendance, at=made_at
    ).pk


def _callup_answer(actor, payload, made_at, key) -> int:
    return volunteer_services.answer_call_up(token=payload.token, accept=payload.accept, at=made_at).pk


KINDS: dict[str, tuple[Callable, str]] = {
    # kind → (apply, the payload field a not-found or not-yours refusal is shown against)
    SyncReceipt.Kind.VISIT: (_visit, "household_id"),
    SyncReceipt.Kind.CONCERN: (_concern, "place"),
    SyncReceipt.Kind.CHECK_IN: (_check_in, "token"),
    SyncReceipt.Kind.ROSTER_ATTENDANCE: (_attendance, "duty_id"),
    SyncReceipt.Kind.CALLUP_ANSWER: (_callup_answer, "token"),
}


# ---- the batch ----------------------------------------------------------------------------------


def check_batch(items) -> None:
    """The batch as a whole: a list of at most MAX_ITEMS (larger batches are refused whole)."""
    if not isinstance(items, list):
        raise ValidationError({"items": _("Send the queued items as a list.")})
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            {
                "items": _("At most %(limit)s items per batch; send the rest in another.")
                % {"limit": MAX_ITEMS}
            }
        )


def sync(*, actor, items: list, now: datetime | None = None) -> list[dict]:
    """Apply each item on its own, in the order they were made; answer in the request's order."""
    check_batch(items)
    now = now or timezone.now()
    results: list[Result | None] = [None] * len(items)
    ready = []
    for index, raw in enumerate(items):
        parsed = _parse(raw, now)
        if isinstance(parsed, Result):
            results[index] = parsed
        else:
            ready.append((parsed[2], index, parsed))
    # Keys applied before, in one query (a retried batch is answered without touching its items).
    known = dict(
        SyncReceipt.objects.filter(user=actor, key__in=[r[2][0] for r in ready]).values_list(
            "key", "object_id"
        )
    )
    seen: set[str] = set()
    for _made_at, index, (key, kind, made_at, payload) in sorted(ready, key=lambda r: (r[0], r[1])):
        if key in known:
            results[index] = Result(key, DUPLICATE, known[key])
        else:
            # A key twice in one batch: the second is looked up after the first was applied.
            results[index] = apply_item(actor, key, kind, made_at, payload, look_up=key in seen)
        seen.add(key)
    return [r.as_dict() for r in results]


def _parse(raw, now: datetime):
    """(key, kind, made_at, payload) of one item, or its rejection naming the fields."""
    if not isinstance(raw, dict):
        return Result(None, REJECTED, errors={"item": [_("Each item is an object.")]})
    key = raw.get("key")
    errors: dict[str, list[str]] = {}
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        errors["key"] = [
            _("Give each item a key of its own (at most %(limit)s characters).") % {"limit": MAX_KEY_LENGTH}
        ]
        key = key if isinstance(key, str) else None
    kind = raw.get("kind")
    if kind not in KINDS:
        errors["kind"] = [_("Unknown kind: one of %(kinds)s.") % {"kinds": ", ".join(KINDS)}]
    made_at = _made_at(raw.get("made_at"), now, errors)
    payload = None
    if not errors:
        try:
            payload = PAYLOADS[kind].model_validate(raw.get("payload") or {})
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                name = ".".join(str(p) for p in error["loc"]) or "payload"
                errors.setdefault(name, []).append(error["msg"])
    if errors:
        return Result(key, REJECTED, errors=errors)
    return key, kind, made_at, payload


def _made_at(value, now: datetime, errors: dict) -> datetime | None:
    try:
        made_at = pydantic.TypeAdapter(datetime).validate_python(value)
    except pydantic.ValidationError:
        errors["made_at"] = [_("Give the time the item was made, as an ISO date and time.")]
        return None
    if timezone.is_naive(made_at):
        made_at = timezone.make_aware(made_at)  # the people's time zone, Asia/Shanghai
    if made_at > now + CLOCK_SKEW:
        errors["made_at"] = [_("This time lies in the future: check the phone's clock.")]
    elif made_at < now - MAX_AGE:
        errors["made_at"] = [
            _("Saved more than %(days)s days ago: too old to be taken in.") % {"days": MAX_AGE.days}
        ]
    return made_at


def apply_item(actor, key: str, kind: str, made_at: datetime, payload, *, look_up: bool = True) -> Result:
    """One item in a transaction of its own with its receipt: a second sender of the same key
    waits on the receipt's unique index and then finds the first one's record."""
    if look_up and (found := _receipt(actor, key)) is not None:
        return Result(key, DUPLICATE, found.object_id)
    apply, scope_field = KINDS[kind]
    try:
        with transaction.atomic():
            object_id = apply(actor, payload, made_at, key)
            # Last, in the same transaction: a second sender of this key at the same moment waits
            # here on the unique index until the first commits, then fails and rolls its own
            # write back, and answers with the first one's record (below).
            SyncReceipt.objects.create(user=actor, key=key, kind=kind, made_at=made_at, object_id=object_id)
        return Result(key, CREATED, object_id)
    except IntegrityError:
        if (found := _receipt(actor, key)) is not None:
            return Result(key, DUPLICATE, found.object_id)
        raise
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Result(key, REJECTED, errors={k: [str(m) for m in v] for k, v in errors.items()})
    except (NotInScope, Http404) as exc:
        return Result(key, REJECTED, errors={scope_field: [_(str(exc)) or _("No such record in your area.")]})
    except PermissionDenied as exc:
        return Result(key, REJECTED, errors={"__all__": [str(exc) or _("You may not do this here.")]})


def _receipt(actor, key: str) -> SyncReceipt | None:
    return SyncReceipt.objects.filter(user=actor, key=key).first()
