"""Every write to concerns: validate, check scope, lock, write, keep history, audit."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import coordination, deadlines, history, lifecycle, tiering
from gongzhi.concerns.history import Conflict, parties_of  # noqa: F401  (callers name them here)
from gongzhi.concerns.models import (
    Category,
    Channel,
    Concern,
    ConcernPhoto,
    HandlerKind,
    JointPart,
    Rating,
    RoutingRule,
    Supervision,
    Tier,
)
from gongzhi.core import audit, permissions, pii, uploads
from gongzhi.core.errors import NotInScope
from gongzhi.core.idempotency import sender_key
from gongzhi.core.memo import memo
from gongzhi.governance import selectors as governance
from gongzhi.org.models import Building, Household, Neighborhood, Subdistrict

# A joint case's concern is started and resolved by its departments' parts (concerns.joint).
PART_DRIVEN_ACTIONS = frozenset({"start", "resolve", "return"})
HANDLER_UNIT_KINDS = frozenset({"compound", "department", "partner_unit"})
ESCALATION_LEVELS = ("neighborhood", "subdistrict", "district")
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6


@dataclass(frozen=True)
class Handler:
    kind: str
    department_id: int | None = None
    partner_unit_id: int | None = None
    compound_id: int | None = None


# ---- intake -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    subdistrict: Subdistrict
    neighborhood: Neighborhood | None = None
    building: Building | None = None
    household: Household | None = None

    def path(self) -> dict[str, int | None]:
        b = self.building
        return {
            "subdistrict": self.subdistrict.pk,
            "neighborhood": self.neighborhood.pk if self.neighborhood else None,
            "micro_grid": (self.household.micro_grid_id if self.household else None)
            or (b.micro_grid_id if b else None),
            "building": b.pk if b else None,
        }


def place_of(
    *,
    household: Household | None = None,
    building: Building | None = None,
    neighborhood=None,
    subdistrict=None,
) -> Place:
    """The area a concern sits in, as deep as the caller knows it."""
    if household is not None:
        building = household.building
    if building is not None:
        neighborhood = building.neighborhood
    if neighborhood is not None:
        subdistrict = neighborhood.subdistrict
    if subdistrict is None:
        raise ValidationError(
            {"place": _("Say where the problem is: a household, building or neighborhood.")}
        )
    return Place(subdistrict, neighborhood, building, household)


def parse_cost(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cost = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"estimated_cost": _("Estimated cost must be a number of yuan.")}) from None
    if not cost.is_finite():  # "NaN" parses, and then refuses every comparison
        raise ValidationError({"estimated_cost": _("Estimated cost must be a number of yuan.")})
    if cost < 0 or cost >= Decimal("10000000000"):
        raise ValidationError({"estimated_cost": _("Estimated cost must be between 0 and 9,999,999,999.99.")})
    return cost


def route(*, subdistrict_id: int, category: Category, neighborhood_id: int | None) -> RoutingRule | None:
    """The most specific rule: category and area, then category, then area, then the town default."""
    return _route(subdistrict_id, category.pk, neighborhood_id)


@memo(RoutingRule)
def _route(subdistrict_id: int, category_id: int, neighborhood_id: int | None) -> RoutingRule | None:
    rules = RoutingRule.objects.filter(
        Q(category_id=category_id) | Q(category__isnull=True),
        Q(neighborhood_id=neighborhood_id) | Q(neighborhood__isnull=True),
        subdistrict_id=subdistrict_id,
    )
    # (category given, area given) sorts the most specific first.
    return max(rules, key=lambda r: (r.category_id is not None, r.neighborhood_id is not None), default=None)


def handler_for(rule: RoutingRule | None, place: Place) -> Handler:
    if rule is None or rule.handler_kind == HandlerKind.JOINT_TEAM:  # joint cases are opened, not routed
        return Handler(HandlerKind.RESIDENTS_COMMITTEE)
    compound_id = place.building.compound_id if place.building else None
    if (
        rule.handler_kind in (HandlerKind.PROPERTY_COMPANY, HandlerKind.OWNERS_COMMITTEE)
        and compound_id is None
    ):
        # Nobody to hand it to without a known compound: the committee takes it.
        return Handler(HandlerKind.RESIDENTS_COMMITTEE)
    return Handler(
        rule.handler_kind,
        department_id=rule.department_id,
        partner_unit_id=rule.partner_unit_id,
        compound_id=compound_id
        if rule.handler_kind in (HandlerKind.PROPERTY_COMPANY, HandlerKind.OWNERS_COMMITTEE)
        else None,
    )


def _clean_text(fields: dict) -> dict:
    errors = {}
    title = (fields.get("title") or "").strip()
    description = (fields.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Describe the problem.")]
    elif len(description) > 4000:
        errors["description"] = [_("Keep the description under 4000 characters.")]
    if len(title) > 120:
        errors["title"] = [_("Keep the title under 120 characters.")]
    try:
        households = int(fields.get("households_affected") or 1)
        if households < 1 or households > 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["households_affected"] = [_("Households affected must be a whole number from 1.")]
        households = 1
    if errors:
        raise ValidationError(errors)
    return {"title": title or description[:40], "description": description, "households_affected": households}


def _existing(key: str | None) -> Concern | None:
    return Concern.objects.filter(idempotency_key=key).first() if key else None


def submit_concern(
    *,
    actor,
    channel: str,
    category: Category,
    place: Place,
    idempotency_key: str = "",
    principal: str = "",
    estimated_cost=None,
    urgent: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    location: tuple[float, float] | None = None,
    address: str = "",
    photos=(),
    **fields,
) -> Concern:
    """Accept (受理) a concern from any channel. A retry with the same idempotency key returns the
    first concern instead of a second one. `actor=None` is public intake (resident page, Open311),
    which its caller has authenticated or rate-limited."""
    key = sender_key(principal or str(actor.pk if actor else "public"), idempotency_key)
    # No look-up of the key first: the unique index on it decides (a retry's insert fails and the
    # first concern is answered, below), which saves every first submission a query.
    if actor is not None and not permissions.can_create(actor, Concern, place.path()):
        raise PermissionDenied(_("You may not take in concerns here."))
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    text = _clean_text(fields)
    concern = _build(actor, channel, category, place, text, parse_cost(estimated_cost), urgent)
    concern.idempotency_key = key
    concern.reporter_name = (reporter_name or "").strip()  # longer than its column: core/columns.py
    concern.reporter_phone = _phone(reporter_phone)
    concern.place = ((address or "").strip() or str(place.household or place.building or ""))[:255]
    if location is not None:
        concern.lat, concern.lng = location
    checked = check_photos(photos)
    try:
        with transaction.atomic():
            _accept(actor, concern, checked)
    except IntegrityError:
        # A retry, or the same key twice at once: the unique index let one in; answer with that one.
        if (found := _existing(key)) is not None:
            found.replayed = True
            return found
        raise
    # 大事细议、要事议妥 whatever the channel; a no-op (no query) for minor and urgent concerns.
    concern.agenda_item = coordination.deliberate_if_due(actor=actor, concern=concern)
    return concern


def _phone(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return pii.validate_phone(value)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


def _build(actor, channel, category, place: Place, text: dict, cost, urgent: bool) -> Concern:
    tier = tiering.tier_for(
        category_tier=category.tier, households=text["households_affected"], cost=cost, urgent=urgent
    )
    now = timezone.now()
    response_due, resolution_due = deadlines.due_dates(now, category, tier)
    mode = governance.mode_of(place.subdistrict.pk, place.neighborhood.pk if place.neighborhood else None)
    if mode == governance.Kind.EMERGENCY:
        response_due, resolution_due = deadlines.emergency_due_dates(now, response_due, resolution_due)
    handler = handler_for(
        route(
            subdistrict_id=place.subdistrict.pk,
            category=category,
            neighborhood_id=place.neighborhood.pk if place.neighborhood else None,
        ),
        place,
    )
    path = place.path()
    concern = Concern(
        subdistrict=place.subdistrict,
        neighborhood=place.neighborhood,
        micro_grid_id=path["micro_grid"],
        building=place.building,
        household=place.household,
        category=category,
        channel=channel,
        estimated_cost=cost,
        urgent=urgent,
        tier=tier,
        tier_by_rule=tier,
        handler_kind=handler.kind,
        handler_department_id=handler.department_id,
        handler_partner_unit_id=handler.partner_unit_id,
        handler_compound_id=handler.compound_id,
        accepted_at=now,
        response_due=response_due,
        resolution_due=resolution_due,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **text,
    )
    concern.governance_mode = mode  # said in the audit record of the acceptance
    return concern


def _accept(actor, concern: Concern, photos: list) -> None:
    # No full_clean: every field it would check is validated above with a field error (text
    # lengths and households in _clean_text, cost in parse_cost, channel, phone) or computed here
    # (tier, handler, deadlines, state) or truncated to fit (reporter name, place); the foreign keys
    # come from scoped look-ups. It cost a sixth of an intake's time for no error it could find.
    concern.save(force_insert=True)
    for upload, content_type in photos:
        ConcernPhoto.objects.create(concern=concern, file=upload, content_type=content_type, size=upload.size)
    history.record_event(concern, "accept", "", lifecycle.ACCEPTED, actor, "")
    changes = {"channel": concern.channel, "tier": concern.tier}
    if getattr(concern, "governance_mode", governance.Kind.DAILY) != governance.Kind.DAILY:
        changes["governance_mode"] = concern.governance_mode
    audit.record("create", concern, actor=actor, changes=changes)
    if concern.tier == Tier.URGENT:
        _supervise(concern, Supervision.Reason.URGENT)


def check_photo(upload) -> tuple[ContentFile, str]:
    """A photo is taken by what its bytes are (core.uploads: JPEG, PNG or WebP by magic bytes,
    never its name or declared type), at most 5 MB; returns the checked bytes to store."""
    if getattr(upload, "size", 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("A photo may be at most 5 MB.")})
    try:
        found, data = uploads.check(upload, "photo")
    except uploads.UploadRejected as exc:
        if exc.code == "type":
            raise ValidationError({"photo": _("The photo must be a JPEG, PNG or WebP image.")}) from None
        raise ValidationError({"photo": exc.messages}) from None
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("A photo may be at most 5 MB.")})
    return ContentFile(data, name="photo" + found.extension), found.content_type


def check_photos(photos) -> list[tuple[ContentFile, str]]:
    """Every photo of one report, at most MAX_PHOTOS of them (the public form is open to all)."""
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photo": _("At most %(count)s photos per concern.") % {"count": MAX_PHOTOS}})
    return [check_photo(p) for p in photos]


# ---- lifecycle ----------------------------------------------------------------------------------


def actions_open(concern: Concern, parties: set[str]) -> list[str]:
    """The steps the concern page offers: a joint case's handling steps are its parts' (joint.py)."""
    actions = lifecycle.allowed_actions(concern.state, parties)
    if concern.handler_kind == HandlerKind.JOINT_TEAM:
        actions = [a for a in actions if a not in PART_DRIVEN_ACTIONS]
    return actions


@transaction.atomic
def transition(
    *,
    actor,
    concern: Concern,
    action: str,
    note: str = "",
    expected_version: int | None = None,
    handler: Handler | None = None,
    reply_override: str = "",
) -> Concern:
    """Move the concern one step along its lifecycle; a stale version is a Conflict, not a write.
    Closing over a reply the reply check flags needs `reply_override`, the reason to close anyway."""
    concern = history.locked(concern.pk)
    parties = history.require_party(actor, concern)
    history.check_version(concern, expected_version)
    if handler is not None and handler.kind == HandlerKind.JOINT_TEAM:
        raise ValidationError(
            {"handler_kind": _("Open a joint case to hand a concern to a block's joint team.")}
        )
    if concern.handler_kind == HandlerKind.JOINT_TEAM and action in PART_DRIVEN_ACTIONS:
        raise ValidationError({"action": _("A joint case moves on when its departments finish their parts.")})
    if action == "close" and concern.state == lifecycle.VERIFYING and lifecycle.AREA in parties:
        extra = coordination.check_close(concern, action, reply_override)
        note = "\n".join(p for p in ((note or "").strip(), extra) if p)
    return _move(concern, action, note, actor, parties, handler)


def _move(
    concern: Concern, action: str, note: str, actor, parties: set[str], handler: Handler | None
) -> Concern:
    step = lifecycle.TRANSITIONS.get(action)
    if step is None:
        raise ValidationError({"action": _("Unknown action.")})
    if concern.state not in step.source:
        raise Conflict(
            _("This concern is %(state)s; it cannot be %(action)s from there.")
            % {"state": concern.get_state_display(), "action": action}
        )
    if not step.by & parties:
        raise PermissionDenied(_("You may not take this step on this concern."))
    note = (note or "").strip()
    if step.needs_note and not note:
        raise ValidationError({"note": _("Add a note saying why.")})
    if action == "reopen" and concern.reopen_count >= 1:
        raise ValidationError({"action": _("A concern may be reopened only once.")})
    previous = concern.state
    _apply(concern, action, handler)
    concern.state = step.target
    concern.version += 1
    concern.save()
    history.record_event(concern, action, previous, step.target, actor, note)
    audit.record(
        "update", concern, actor=actor, changes={"state": [previous, step.target]}, reason=note[:255]
    )
    coordination.after_move(concern, action, actor, note)  # joined reports close with it
    return concern


def _apply(concern: Concern, action: str, handler: Handler | None) -> None:
    now = timezone.now()
    if action in lifecycle.RESPONSE_ACTIONS and concern.responded_at is None:
        concern.responded_at = now
        concern.responded_on_time = now <= concern.response_due
    if action == "dispatch" and handler is not None:
        concern.handler_kind = handler.kind
        concern.handler_department_id = handler.department_id
        concern.handler_partner_unit_id = handler.partner_unit_id
        concern.handler_compound_id = handler.compound_id
    if action == "close":
        concern.closed_at = now
        concern.close_hours = round((now - concern.accepted_at).total_seconds() / 3600, 2)
        concern.overdue = concern.overdue or now > concern.resolution_due
        Supervision.objects.filter(concern=concern, cleared_at__isnull=True).update(cleared_at=now)
    if action == "reject" and concern.handler_kind == HandlerKind.JOINT_TEAM:
        # Sent back from verification: every department's part is to do again.
        JointPart.objects.filter(case__concern=concern).update(state=JointPart.State.OPEN, done_at=None)
    if action == "reopen":
        concern.reopen_count += 1
        concern.closed_at = None
        concern.close_hours = None
        concern.rating = ""
        _, concern.resolution_due = deadlines.due_dates(now, concern.category, concern.tier)
        if governance.mode_of(concern.subdistrict_id, concern.neighborhood_id) == governance.Kind.EMERGENCY:
            _, concern.resolution_due = deadlines.emergency_due_dates(
                now, concern.resolution_due, concern.resolution_due
            )


@transaction.atomic
def override_tier(
    *, actor, concern: Concern, tier: str, reason: str, expected_version: int | None = None
) -> Concern:
    """Staff set the tier against the rules, saying why; the rule's tier stays on record."""
    concern = history.locked(concern.pk)
    parties = history.require_party(actor, concern)
    if lifecycle.AREA not in parties:
        raise PermissionDenied(_("Only staff of the area may change the tier."))
    history.check_version(concern, expected_version)
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Unknown tier.")})
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(
            {"reason": _("Say why the tier differs from the rules (at least 4 characters).")}
        )
    previous = concern.tier
    concern.tier, concern.tier_reason = tier, reason[:255]
    concern.version += 1
    concern.save()
    history.record_event(
        concern, "tier", concern.state, concern.state, actor, f"{previous} → {tier}: {reason}"
    )
    audit.record("update", concern, actor=actor, changes={"tier": [previous, tier]}, reason=reason[:255])
    if tier == Tier.URGENT:
        _supervise(concern, Supervision.Reason.URGENT)
    concern.agenda_item = coordination.deliberate_if_due(actor=actor, concern=concern)
    return concern


@transaction.atomic
def publish_concern(*, actor, concern: Concern, published: bool) -> Concern:
    """Show (or stop showing) the concern's progress on its building's notice page, de-identified."""
    concern = history.locked(concern.pk)
    if lifecycle.AREA not in history.require_party(actor, concern):
        raise PermissionDenied(_("Only staff of the area may publish to the building notice."))
    if concern.building_id is None:
        raise ValidationError({"published": _("Only a concern in a building can go on its notice.")})
    if concern.published != published:
        concern.published = published
        concern.save(update_fields=["published"])
        audit.record("update", concern, actor=actor, changes={"published": published})
    return concern


@transaction.atomic
def rate_concern(*, public_token: str, rating: str, note: str = "", reopen: bool = False) -> Concern:
    """The resident rates a closed concern from their progress page; dissatisfied may reopen it once."""
    concern = Concern.objects.select_for_update().filter(public_token=public_token).first()
    if concern is None:
        raise NotInScope(_("No such concern."))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if concern.state != lifecycle.CLOSED or concern.rating:
        raise Conflict(_("This concern is not waiting for your rating."))
    concern.rating = rating
    concern.version += 1
    concern.save()
    label = _("resident")
    history.record_event(
        concern, "rate", concern.state, concern.state, label, f"{concern.get_rating_display()} {note}".strip()
    )
    audit.record("update", concern, changes={"rating": rating})
    if reopen and rating == Rating.DISSATISFIED and concern.reopen_count == 0:
        return _move(concern, "reopen", note or _("Resident dissatisfied"), label, {lifecycle.RESIDENT}, None)
    return concern


# ---- time limits and supervision ----------------------------------------------------------------


def _supervise(concern: Concern, reason: str) -> Supervision | None:
    """Put the concern on the 督办 list one level up; once per reason."""
    level = ESCALATION_LEVELS[min(concern.escalation_level, len(ESCALATION_LEVELS) - 1)]
    try:
        with transaction.atomic():
            item = Supervision.objects.create(concern=concern, reason=reason, level=level)
    except IntegrityError:
        return None
    Concern.objects.filter(pk=concern.pk).update(escalation_level=concern.escalation_level + 1)
    concern.escalation_level += 1
    history.record_event(concern, "escalate", concern.state, concern.state, None, f"{reason} → {level}")
    audit.record("update", concern, changes={"escalated_to": level, "reason": reason})
    return item


def escalate_overdue(*, now=None, batch: int = 500) -> int:
    """Escalate every open concern whose response or resolution deadline has passed. Idempotent:
    a concern goes on the 督办 list once per missed deadline however often this runs."""
    now = now or timezone.now()
    open_states = list(lifecycle.OPEN_STATES)
    base = Concern.objects.filter(state__in=open_states, joined_to__isnull=True)  # joined: via the main
    response_late = base.filter(responded_at__isnull=True, response_due__lt=now).exclude(
        supervisions__reason=Supervision.Reason.RESPONSE_OVERDUE
    )
    resolution_late = base.filter(resolution_due__lt=now).exclude(
        supervisions__reason=Supervision.Reason.RESOLUTION_OVERDUE
    )
    done = 0
    for qs, reason in (
        (response_late, Supervision.Reason.RESPONSE_OVERDUE),
        (resolution_late, Supervision.Reason.RESOLUTION_OVERDUE),
    ):
        for pk in list(qs.values_list("pk", flat=True)[:batch]):
            done += _escalate_one(pk, reason)
    return done


@transaction.atomic
def _escalate_one(pk: int, reason: str) -> int:
    concern = history.locked(pk)
    if reason == Supervision.Reason.RESOLUTION_OVERDUE and not concern.overdue:
        concern.overdue = True
        Concern.objects.filter(pk=pk).update(overdue=True)
    return 1 if _supervise(concern, reason) is not None else 0
