"""How long each kind of record keeps its personal data, and the purge that enforces it.

A rule names a model, the date its age counts from, how many days it keeps personal data and
what expiry does: `anonymise` blanks the personal fields and keeps the row (so counts, dates,
categories and ratings still feed the statistics); `delete` removes rows that are only
security plumbing (sign-in codes, lockout counters, expired sessions). The days are configurable
per rule with `RETENTION_DAYS = {"concerns.closed": 1095}` in settings or the environment
variable `GONGZHI_RETENTION_DAYS="concerns.closed=1095,visits=1095"`. The audit trail is kept at
least 180 days (`GONGZHI_AUDIT_RETENTION_DAYS`, default 365) and leaves only through
`gongzhi audit archive` (core/audit_archive.py), never through this purge.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.pages import parse_int

# What an anonymised free-text field says instead of what it said.
ANONYMISED = "〔已按保存期限匿名化〕"
AUDIT_MINIMUM_DAYS = 180
_BATCH = 2000


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    model: str
    age_field: str
    days: int
    action: str  # "anonymise" or "delete"
    # field → value written on expiry (anonymise only)
    blank: dict = field(default_factory=dict)
    # rows already anonymised (skipped, so a second run counts nothing)
    done: Q | None = None
    # which rows the rule covers at all; a callable gets the cutoff (for "unused since")
    extra: Q | Callable[[datetime], Q] | None = None
    # run after anonymising a batch of primary keys (e.g. delete photo files)
    after: Callable[[list[int]], int] | None = None
    # run before deleting a batch of primary keys (e.g. delete the files behind the rows)
    before: Callable[[list[int]], int] | None = None


def _delete_concern_photos(concern_ids: list[int]) -> int:
    photo = apps.get_model("concerns", "ConcernPhoto")
    removed = 0
    for item in photo.objects.filter(concern_id__in=concern_ids):
        item.file.delete(save=False)
        item.delete()
        removed += 1
    apps.get_model("concerns", "ConcernEvent").objects.filter(concern_id__in=concern_ids).exclude(
        note=""
    ).update(note=ANONYMISED)
    return removed


def _volunteer_active_since(cutoff: datetime) -> Q:
    """Volunteers who neither served, signed up nor were placed since the cutoff (and joined before)."""
    ledger = apps.get_model("volunteers", "LedgerEntry")
    signups = apps.get_model("volunteers", "SignUp")
    placed = apps.get_model("volunteers", "PostAssignment")
    recent = [
        Exists(ledger.objects.filter(volunteer=OuterRef("pk"), created_at__gte=cutoff)),
        Exists(signups.objects.filter(volunteer=OuterRef("pk"), activity__starts_at__gte=cutoff)),
        Exists(placed.objects.filter(volunteer=OuterRef("pk"), created_at__gte=cutoff)),
    ]
    return ~recent[0] & ~recent[1] & ~recent[2]


def _unreferenced_files(cutoff: datetime) -> Q:
    """Stored files no record points at (an upload whose form failed later): nobody can reach them."""
    stored = apps.get_model("core", "StoredFile")
    unreferenced = Q()
    for model in apps.get_models():
        for item in model._meta.concrete_fields:
            if item.is_relation and item.related_model is stored:  # related_name="+" has no reverse query
                used = model._default_manager.exclude(**{f"{item.attname}__isnull": True}).values(
                    item.attname
                )
                unreferenced &= ~Q(pk__in=used)
    return unreferenced


def _delete_stored_files(ids: list[int]) -> int:
    """The files behind the rows, once the rows' deletion has committed (a failed purge keeps both)."""
    from gongzhi.core import uploads

    paths = [
        uploads.path_of(item) for item in apps.get_model("core", "StoredFile").objects.filter(pk__in=ids)
    ]
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return len(paths)


RULES = [
    Rule(
        "concerns.closed",
        "closed concerns: reporter, description, place, photos",
        "concerns.Concern",
        "closed_at",
        3 * 365,
        "anonymise",
        blank={
            "reporter_name": "",
            "reporter_phone": "",
            "description": ANONYMISED,
            "place": "",
            "lat": None,
            "lng": None,
            "household": None,
        },
        done=Q(description=ANONYMISED),
        after=_delete_concern_photos,
    ),
    Rule(
        "visits",
        "visit logs: what was raised and handled",
        "visits.Visit",
        "visited_at",
        3 * 365,
        "anonymise",
        blank={"raised": ANONYMISED, "handled": "", "suggestions": ""},
        done=Q(raised=ANONYMISED),
    ),
    Rule(
        "subject_requests",
        "decided data-subject requests: asked-for value and reasons",
        "accounts.DataSubjectRequest",
        "decided_at",
        3 * 365,
        "anonymise",
        blank={"new_value": "", "reason": ANONYMISED, "decision_reason": ""},
        done=Q(reason=ANONYMISED),
    ),
    Rule(
        "sign_in_messages",
        "SMS sign-in codes as sent (the code in the text)",
        "notifications.Message",
        "created_at",
        1,
        "anonymise",
        blank={"address": "", "body": ANONYMISED, "link": ""},
        done=Q(body=ANONYMISED),
        extra=Q(key__startswith="otp:"),
    ),
    Rule(
        "messages",
        "sent notifications: address and body",
        "notifications.Message",
        "created_at",
        365,
        "anonymise",
        blank={"address": "", "body": ANONYMISED, "link": ""},
        done=Q(body=ANONYMISED),
    ),
    Rule(
        "survey_respondents",
        "survey lists: name, phone, note and register link of each person asked",
        "surveys.Respondent",
        "survey__closes_at",
        365,
        "anonymise",
        blank={"name": "", "phone": "", "phone_digest": "", "note": "", "resident": None, "household": None},
        done=Q(name="", phone_digest="", note="", resident__isnull=True, household__isnull=True),
    ),
    Rule(
        "volunteers.inactive",
        "volunteers without service: phone, availability, location",
        "volunteers.Volunteer",
        "created_at",
        3 * 365,
        "anonymise",
        blank={"phone": "", "availability": "", "latitude": None, "longitude": None},
        done=Q(phone="", availability="", latitude__isnull=True, longitude__isnull=True),
        extra=_volunteer_active_since,
    ),
    Rule(
        "micro_wishes",
        "fulfilled or withdrawn micro-wishes: who wished and the details",
        "volunteers.MicroWish",
        "created_at",
        2 * 365,
        "anonymise",
        blank={"wisher_name": ANONYMISED, "description": ANONYMISED, "resident": None},
        done=Q(wisher_name=ANONYMISED),
        extra=Q(status__in=["fulfilled", "withdrawn"]),
    ),
    Rule(
        "stored_files.unreferenced",
        "uploaded files no record refers to",
        "core.StoredFile",
        "uploaded_at",
        30,
        "delete",
        extra=_unreferenced_files,
        before=_delete_stored_files,
    ),
    Rule(
        "export_requests",
        "decided export requests (the audit trail keeps each step)",
        "core.ExportRequest",
        "requested_at",
        365,
        "delete",
        extra=Q(status__in=["refused", "failed", "expired"]),
    ),
    Rule("api_tokens.expired", "expired API tokens (hashes)", "core.ApiToken", "expires_at", 30, "delete"),
    Rule("phone_codes", "SMS sign-in codes", "accounts.PhoneCode", "created_at", 30, "delete"),
    Rule(
        "login_throttles",
        "sign-in failure counters",
        "accounts.LoginThrottle",
        "window_started",
        30,
        "delete",
    ),
    Rule("sessions", "expired sessions", "sessions.Session", "expire_date", 0, "delete"),
]


def configured_days() -> dict[str, int]:
    days = dict(getattr(settings, "RETENTION_DAYS", {}) or {})
    for part in os.environ.get("GONGZHI_RETENTION_DAYS", "").split(","):
        code, _sep, value = part.partition("=")
        if code.strip() and (number := parse_int(value)) is not None:
            days[code.strip()] = number
    return days


def days_of(rule: Rule) -> int:
    return configured_days().get(rule.code, rule.days)


def audit_retention_days() -> int:
    """At least 180 days whatever is configured (网络安全法 art. 21, 等保 8.1.4.3)."""
    configured = getattr(settings, "AUDIT_RETENTION_DAYS", None)
    if configured is None:
        configured = int(os.environ.get("GONGZHI_AUDIT_RETENTION_DAYS", "365"))
    return max(AUDIT_MINIMUM_DAYS, int(configured))


def _applicable(rule: Rule) -> bool:
    try:
        model = apps.get_model(rule.model)
        model._meta.get_field(rule.age_field.split("__")[0])
        for name in rule.blank:
            model._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return False
    return True


def expired(rule: Rule, now=None) -> QuerySet:
    now = now or timezone.now()
    model = apps.get_model(rule.model)
    cutoff = now - timedelta(days=days_of(rule))
    qs = model._default_manager.filter(**{f"{rule.age_field}__lt": cutoff})
    if callable(rule.extra):
        qs = qs.filter(rule.extra(cutoff))
    elif rule.extra is not None:
        qs = qs.filter(rule.extra)
    if rule.done is not None:
        qs = qs.exclude(rule.done)
    return qs


@dataclass
class Outcome:
    rule: Rule
    days: int
    count: int
    applied: bool
    skipped: bool = False
    related: int = 0


def purge(*, dry_run: bool = False, now=None, actor=None) -> list[Outcome]:
    """Anonymise or delete what has outlived its rule; one audit record per rule that acted."""
    outcomes = []
    for rule in RULES:
        if not _applicable(rule):
            outcomes.append(Outcome(rule, days_of(rule), 0, False, skipped=True))
            continue
        qs = expired(rule, now)
        count = qs.count()
        outcome = Outcome(rule, days_of(rule), count, applied=not dry_run and count > 0)
        if outcome.applied:
            outcome.related = _apply(rule, qs, actor)
        outcomes.append(outcome)
    if not dry_run:
        from gongzhi.core import exports

        expired_files = exports.expire_overdue(now)
        if expired_files:
            audit.record("purge", actor=actor, summary=f"exports: {expired_files} expired files deleted")
    return outcomes


def _apply(rule: Rule, qs: QuerySet, actor) -> int:
    model = qs.model
    ids = list(qs.values_list("pk", flat=True))
    related = 0
    with transaction.atomic():
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            batch = model._default_manager.filter(pk__in=chunk)
            if rule.action == "delete":
                if rule.before is not None:
                    related += rule.before(chunk)
                batch.delete()
            else:
                batch.update(**_stored_values(model, rule.blank))
                if rule.after is not None:
                    related += rule.after(chunk)
        audit.record(
            "purge",
            actor=actor,
            summary=f"{rule.code}: {len(ids)} {rule.action}",
            changes={"rule": rule.code, "days": days_of(rule), "count": len(ids), "action": rule.action},
        )
    return related


def _stored_values(model, blank: dict) -> dict:
    """update() skips the fields' own conversion only for plain values; encrypted fields store
    "" as "" (pii.encrypt of nothing is nothing), so blanks can be written as they are."""
    values = {}
    for name, value in blank.items():
        values[model._meta.get_field(name).attname if value is None else name] = value
    return values
