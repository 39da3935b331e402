"""Switching a place's governance mode: validation, permission, one transaction, audit, and the
messages to the place's staff. Two switches made from the same state cannot both win: each claims
the next step number of the place (unique), and closes the current switch only if still open."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import NotInScope
from gongzhi.core.idempotency import sender_key
from gongzhi.core.roles import DUTY_ROLES
from gongzhi.governance import selectors
from gongzhi.governance.models import GovernanceMode
from gongzhi.notifications import services as notify_services
from gongzhi.notifications.models import Message
from gongzhi.org.models import Neighborhood, RoleAssignment, Subdistrict

MIN_REASON, MAX_REASON = 4, 500


def _clean(kind: str, reason: str, planned_end: datetime | None, now: datetime) -> tuple[str, str]:
    errors = {}
    if kind not in GovernanceMode.Kind.values:
        errors["kind"] = [_("Choose a mode: daily work, emergency or risk.")]
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = [_("Say why the mode changes (at least 4 characters).")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("The reason may be at most 500 characters long.")]
    if planned_end is not None:
        if kind == GovernanceMode.Kind.DAILY:
            errors["planned_end"] = [_("Daily work has no planned end; leave it empty.")]
        elif planned_end <= now:
            errors["planned_end"] = [_("The planned end must lie in the future.")]
    if errors:
        raise ValidationError(errors)
    return kind, reason


def switch_mode(
    *,
    actor,
    subdistrict: Subdistrict,
    neighborhood: Neighborhood | None = None,
    kind: str,
    reason: str,
    planned_end: datetime | None = None,
    expected_seq: int | None = None,
    idempotency_key: str = "",
) -> GovernanceMode:
    """Put the place (a neighborhood, or with `neighborhood=None` the whole subdistrict) into `kind`
    from now on. `expected_seq` is the step the person saw (the form carries it): if someone
    switched the place since, nothing changes and the error says so. A retry with the same
    idempotency key answers the first switch."""
    if neighborhood is not None and neighborhood.subdistrict_id != subdistrict.pk:
        raise ValidationError({"place": _("The neighborhood does not belong to this subdistrict.")})
    n = neighborhood.pk if neighborhood else None
    key = sender_key(str(actor.pk), idempotency_key)
    if key and (found := GovernanceMode.objects.filter(idempotency_key=key).first()) is not None:
        found.replayed = True
        return found
    if not selectors.may_switch(actor, subdistrict.pk, n):
        if any(p.key == selectors.place_key(subdistrict.pk, n) for p in selectors.places_of(actor)):
            raise PermissionDenied(_("You may not switch the mode of this place."))
        raise NotInScope(_("No such place in your area."))
    now = timezone.now()
    kind, reason = _clean(kind, reason, planned_end, now)
    place = selectors.place_key(subdistrict.pk, n)
    try:
        with transaction.atomic():
            mode = _switch(
                actor, subdistrict, neighborhood, place, kind, reason, planned_end, expected_seq, key, now
            )
    except IntegrityError:
        if key and (found := GovernanceMode.objects.filter(idempotency_key=key).first()) is not None:
            found.replayed = True
            return found
        raise _conflict() from None
    return mode


def _conflict() -> ValidationError:
    return ValidationError(
        {"general": [_("Someone else switched this place's mode just now; look at its mode and try again.")]}
    )


def _switch(actor, subdistrict, neighborhood, place, kind, reason, planned_end, expected_seq, key, now):
    current = GovernanceMode.objects.filter(place_key=place, ended_at__isnull=True).first()
    seq = current.seq if current else 0
    if expected_seq is not None and expected_seq != seq:
        raise _conflict()
    if (current.kind if current else GovernanceMode.Kind.DAILY) == kind:
        raise ValidationError({"kind": _("The place is in this mode already.")})
    if current is not None:
        # Only if still open: of two switches made at once, the second finds it closed (PostgreSQL
        # waits for the first's row lock, then re-reads) and gives way.
        if not GovernanceMode.objects.filter(pk=current.pk, ended_at__isnull=True).update(ended_at=now):
            raise _conflict()
    mode = GovernanceMode.objects.create(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        place_key=place,
        seq=seq + 1,
        kind=kind,
        reason=reason,
        switched_by=actor,
        started_at=now,
        planned_end=planned_end,
        idempotency_key=key,
    )
    audit.record(
        "create",
        mode,
        actor=actor,
        summary=f"governance mode {place}: {current.kind if current else 'daily'} -> {kind}",
        reason=reason[:255],
        area=(subdistrict.pk, neighborhood.pk if neighborhood else None),
        changes={
            "kind": [current.kind if current else GovernanceMode.Kind.DAILY, kind],
            "planned_end": planned_end.isoformat() if planned_end else None,
        },
    )
    _notify(mode, actor)
    return mode


def staff_to_tell(mode: GovernanceMode) -> list:
    """The staff and chiefs of the place (for a whole subdistrict: everyone holding a role in it,
    departments and partner units included), not the duty accounts, not the one who switched."""
    rows = RoleAssignment.objects.filter(subdistrict_id=mode.subdistrict_id).exclude(role__in=DUTY_ROLES)
    if mode.neighborhood_id:
        rows = rows.filter(neighborhood_id=mode.neighborhood_id)
    users = {}
    for a in rows.select_related("user"):
        if a.user.is_active and a.user_id != mode.switched_by_id:
            users[a.user_id] = a.user
    return list(users.values())


def _notify(mode: GovernanceMode, actor) -> int:
    """An inbox message to each of the place's staff, and for an emergency also their email and
    SMS; queued with the switch (one transaction) and delivered by the message queue."""
    subject = _("%(place)s is now in %(mode)s mode") % {"place": mode.place, "mode": mode.get_kind_display()}
    body = _("Reason: %(reason)s") % {"reason": mode.reason}
    link = f"/governance/{mode.place_key}/"
    items = []
    for user in staff_to_tell(mode):
        targets = [(Message.Channel.INBOX.value, "")]
        if mode.kind == GovernanceMode.Kind.EMERGENCY:
            targets += notify_services.contact_channels(user)
        for channel, address in targets:
            items.append(
                {
                    "key": f"governance/{mode.pk}/{user.pk}/{channel}",
                    "channel": channel,
                    "address": address,
                    "subject": subject,
                    "body": body,
                    "link": link,
                    "user": user,
                }
            )
    try:
        return notify_services.send_many(items)
    except ValidationError:
        # An account's email or phone that no longer passes the check must not stop an emergency:
        # the inbox reaches everyone.
        return notify_services.send_many([i for i in items if i["channel"] == Message.Channel.INBOX])
