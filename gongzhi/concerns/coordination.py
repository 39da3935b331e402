"""Writes around a concern's lifecycle that tie it to others: the intake suggestion, joining a
similar open concern (and closing together), the reply check before closing, the deliberation
agenda for major and key matters, notifications, and the holiday calendar.

Every function validates, checks scope, locks, writes, keeps history and audits, like services.py
(whose `_move` calls `after_move` here); both stand on history.py.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import assist, history, lifecycle, selectors
from gongzhi.concerns.deadlines import local_zone
from gongzhi.concerns.models import CalendarDay, Category, Concern, HandlerKind, Tier
from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import AgendaItem, Meeting

log = logging.getLogger(__name__)

MIN_REASON = 4


# ---- intake suggestion --------------------------------------------------------------------------


def store_suggestion(concern: Concern, suggestion: "assist.Suggestion | None") -> Concern:
    """Keep what the classifier proposed next to what staff chose: a correction is a row where the
    two differ (`gongzhi concerns train --corrections` learns from them). Derived data, no audit."""
    if suggestion is None or concern.suggestion_confidence is not None:
        return concern
    concern.suggested_category = suggestion.category
    concern.suggestion_confidence = round(suggestion.confidence, 4)
    Concern.objects.filter(pk=concern.pk, suggestion_confidence__isnull=True).update(
        suggested_category=suggestion.category, suggestion_confidence=concern.suggestion_confidence
    )
    return concern


def ensure_suggestion(concern: Concern) -> Concern:
    """Concerns that came in without the intake form (visit, API, Open311) get their suggestion
    the first time staff open them."""
    if concern.suggestion_confidence is None:
        text = f"{concern.title}\n{concern.description}"
        store_suggestion(concern, assist.suggest(text, selectors.categories_for(concern.subdistrict_id)))
    return concern


@transaction.atomic
def recategorize(
    *, actor, concern: Concern, category: Category, expected_version: int | None = None
) -> Concern:
    """Staff confirm the suggested category or correct it; the change is history and audit."""
    concern = history.locked(concern.pk)
    if lifecycle.AREA not in history.require_party(actor, concern):
        raise PermissionDenied(_("Only staff of the area may change the category."))
    history.check_version(concern, expected_version)
    if category.subdistrict_id not in (None, concern.subdistrict_id) or not category.active:
        raise ValidationError({"category": _("Choose a category.")})
    if category.pk == concern.category_id:
        return concern
    previous = concern.category
    concern.category = category
    concern.version += 1
    concern.save(update_fields=["category", "version"])
    history.record_event(concern, "category", concern.state, concern.state, actor, f"{previous} → {category}")
    audit.record("update", concern, actor=actor, changes={"category": [previous.code, category.code]})
    return concern


# ---- joining a similar open concern -------------------------------------------------------------


def _lock_pair(a_id: int, b_id: int) -> tuple[Concern, Concern]:
    # Always the lower id first, so two joins of the same pair cannot deadlock.
    rows = {c.pk: c for c in Concern.objects.select_for_update().filter(pk__in=sorted({a_id, b_id}))}
    if a_id not in rows or b_id not in rows:
        raise NotInScope(_("No such concern."))
    return rows[a_id], rows[b_id]


@transaction.atomic
def join_concern(*, actor, concern: Concern, into: Concern) -> Concern:
    """Link a new report to a similar open concern instead of working it twice: the main concern
    counts one more supporter (and the household, if it is another), the reporter follows the main
    concern's progress, and the two close together. Joining again is a no-op. `actor=None` is the
    resident's own page, which offers only matches in their neighborhood (checked by the view)."""
    if concern.pk == into.pk:
        raise ValidationError({"join": _("A concern cannot join itself.")})
    concern, into = _lock_pair(concern.pk, into.pk)
    if actor is not None:
        if lifecycle.AREA not in history.require_party(actor, into) or not permissions.can(actor, concern):
            raise PermissionDenied(_("Only staff of the area may join concerns."))
    if concern.joined_to_id == into.pk:
        return concern  # a retry
    if concern.joined_to_id is not None:
        raise ValidationError(
            {"join": _("This concern already follows concern #%(id)s.") % {"id": concern.joined_to_id}}
        )
    if into.joined_to_id is not None:
        raise ValidationError(
            {"join": _("Concern #%(id)s itself follows another; join that one.") % {"id": into.pk}}
        )
    if not into.is_open or not concern.is_open:
        raise ValidationError({"join": _("Only open concerns can be joined.")})
    if into.subdistrict_id != concern.subdistrict_id:
        raise ValidationError({"join": _("The concerns lie in different subdistricts.")})
    if concern.joined.exists():
        raise ValidationError(
            {"join": _("Other reports follow this concern; join the others to it instead.")}
        )
    new_household = concern.household_id is None or (
        concern.household_id != into.household_id
        and not into.joined.filter(household_id=concern.household_id).exists()
    )
    concern.joined_to = into
    concern.version += 1
    if concern.responded_at is None:  # joining answers the report: it is worked from now on
        concern.responded_at = timezone.now()
        concern.responded_on_time = concern.responded_at <= concern.response_due
    concern.save(update_fields=["joined_to", "version", "responded_at", "responded_on_time"])
    into.supporters += 1
    if new_household:
        into.households_affected += concern.households_affected
    into.version += 1
    into.save(update_fields=["supporters", "households_affected", "version"])
    history.record_event(concern, "join", concern.state, concern.state, actor, f"#{into.pk}")
    history.record_event(into, "joined", into.state, into.state, actor, f"#{concern.pk}")
    audit.record("update", concern, actor=actor, changes={"joined_to": into.pk})
    audit.record("update", into, actor=actor, changes={"supporters": into.supporters})
    _withdraw_waiting(actor, concern)
    return concern


def _withdraw_waiting(actor, concern: Concern) -> None:
    """A joined report's agenda item goes while it is not deliberated yet (waiting, or on a meeting
    still to come): the main concern carries the matter."""
    if (item := _item_of(concern)) is not None:
        deliberation.withdraw_agenda_item(actor=actor, item=item)


def after_move(concern: Concern, action: str, actor, note: str) -> None:
    """Called by services._move inside its transaction: joined reports close with their main
    concern; a joined report the resident reopens is worked on its own from then on."""
    if action == "close":
        for pk in concern.joined.filter(state__in=lifecycle.OPEN_STATES).values_list("pk", flat=True):
            _close_with(pk, concern, actor, note)
    elif action == "reopen" and concern.joined_to_id is not None:
        main = concern.joined_to_id
        Concern.objects.filter(pk=concern.pk).update(joined_to=None)
        concern.joined_to = None
        history.record_event(concern, "unjoin", concern.state, concern.state, actor, f"#{main}")
        audit.record("update", concern, actor=actor if _is_user(actor) else None, changes={"joined_to": None})


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _close_with(pk: int, main: Concern, actor, note: str) -> None:
    joined = history.locked(pk)
    if not joined.is_open:
        return
    now = timezone.now()
    previous = joined.state
    joined.state = lifecycle.CLOSED
    joined.closed_at = now
    joined.close_hours = round((now - joined.accepted_at).total_seconds() / 3600, 2)
    joined.overdue = joined.overdue or now > joined.resolution_due
    if joined.responded_at is None:
        joined.responded_at, joined.responded_on_time = now, now <= joined.response_due
    joined.version += 1
    joined.save()
    history.record_event(joined, "close", previous, lifecycle.CLOSED, actor, f"#{main.pk} {note}".strip())
    audit.record(
        "update", joined, actor=actor if _is_user(actor) else None, changes={"state": [previous, "closed"]}
    )


# ---- reply check before closing -----------------------------------------------------------------


def check_close(concern: Concern, action: str, override_reason: str) -> str:
    """A reply the check flags needs a reason to close anyway; returns the note to add (or "")."""
    if action != "close":
        return ""
    review = assist.review_reply(concern)
    if review is None or not review.flagged:
        return ""
    reason = (override_reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reply_override": _(
                    "The reply check flags this reply (%(flags)s); give a reason (at least 4 characters) to close anyway."
                )
                % {"flags": ", ".join(str(FLAG_TEXT.get(f, f)) for f in review.flags)}
            }
        )
    return _("Closed despite the reply check (%(flags)s): %(reason)s") % {
        "flags": ", ".join(str(FLAG_TEXT.get(f, f)) for f in review.flags),
        "reason": reason,
    }


FLAG_TEXT = {
    "acknowledgement_only": _("acknowledgement only"),
    "unrelated": _("does not answer the concern"),
    "no_measures": _("no measures named"),
    "late": _("late"),
}


# ---- tiers → deliberation -----------------------------------------------------------------------

DELIBERATION_TIERS = (Tier.MAJOR, Tier.KEY)


def agenda_items_of(user, concern: Concern):
    """The deliberation agenda items that name this concern, as far as the user may read them."""
    return permissions.scoped(
        user, AgendaItem.objects.filter(concern_id=concern.pk).select_related("meeting")
    ).order_by("pk")


def _meeting_time(now: datetime) -> datetime:
    # A week ahead, 19:00 local: when residents' representatives can come after work.
    day = (now.astimezone(local_zone()) + timedelta(days=7)).date()
    return datetime.combine(day, time(19, 0), tzinfo=local_zone())


def _origin(concern: Concern) -> str:
    return AgendaItem.Origin.MAJOR_CONCERN if concern.tier == Tier.MAJOR else AgendaItem.Origin.KEY_CONCERN


@transaction.atomic
def to_deliberation(*, actor, concern: Concern):
    """大事细议: a major concern goes on the next deliberation meeting of its neighborhood (one is
    scheduled a week ahead when none is planned); 要事议妥: a key concern opens a joint consultation
    with the handling partner unit or department invited. Once per concern: a repeat returns the
    existing agenda item; a waiting one (待议事项, from intake) is the one scheduled."""
    concern = history.locked(concern.pk)
    if lifecycle.AREA not in history.require_party(actor, concern):
        raise PermissionDenied(_("Only staff of the area may put a concern on the agenda."))
    existing = _item_of(concern)
    if existing is not None and existing.meeting_id is not None:
        return existing
    if concern.tier not in DELIBERATION_TIERS:
        raise ValidationError({"tier": _("Only major and key concerns go to deliberation.")})
    if concern.neighborhood_id is None:
        raise ValidationError({"neighborhood": _("Place the concern in a neighborhood first.")})
    meeting = _meeting_for(actor, concern)
    if existing is not None:
        item = deliberation.schedule_agenda_item(actor=actor, item=existing, meeting=meeting)
    else:
        item = deliberation.add_agenda_item(
            actor=actor, meeting=meeting, title=concern.title[:200], origin=_origin(concern), concern=concern
        )
    history.record_event(
        concern, "deliberate", concern.state, concern.state, actor, f"{meeting.title} ({meeting.pk})"
    )
    audit.record("update", concern, actor=actor, changes={"agenda_item": item.pk, "meeting": meeting.pk})
    return item


def _item_of(concern: Concern):
    return AgendaItem.objects.filter(concern_id=concern.pk).select_related("meeting").order_by("pk").first()


def _meeting_for(actor, concern: Concern):
    """The meeting a concern goes on: the neighborhood's next deliberation meeting (a new one a
    week ahead when none is planned) for a major one, a new joint consultation for a key one."""
    now = timezone.now()
    if concern.tier == Tier.MAJOR:
        meeting = (
            permissions.scoped(actor, Meeting.objects.all(), permissions.WRITE)
            .filter(kind=Meeting.Kind.DELIBERATION, neighborhood_id=concern.neighborhood_id, held_at__gte=now)
            .order_by("held_at", "pk")
            .first()
        )
        return meeting or deliberation.create_meeting(
            actor=actor,
            kind=Meeting.Kind.DELIBERATION,
            title=(_("Deliberation meeting: %(title)s") % {"title": concern.title})[:200],
            held_at=_meeting_time(now),
            neighborhood=concern.neighborhood,
        )
    meeting = deliberation.create_meeting(
        actor=actor,
        kind=Meeting.Kind.JOINT_CONSULTATION,
        title=(_("Joint consultation: %(title)s") % {"title": concern.title})[:200],
        held_at=_meeting_time(now),
        neighborhood=concern.neighborhood,
    )
    if concern.handler_partner_unit_id:
        deliberation.invite(actor=actor, meeting=meeting, partner_unit=concern.handler_partner_unit)
    if concern.handler_department_id:
        deliberation.invite(actor=actor, meeting=meeting, department=concern.handler_department)
    if concern.handler_kind in (HandlerKind.PROPERTY_COMPANY, HandlerKind.OWNERS_COMMITTEE):
        role = (
            "property_staff"
            if concern.handler_kind == HandlerKind.PROPERTY_COMPANY
            else "owners_committee_member"
        )
        deliberation.invite(actor=actor, meeting=meeting, role=role)
    return meeting


def _holds_meetings(actor, concern: Concern) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    path = {"subdistrict": concern.subdistrict_id, "neighborhood": concern.neighborhood_id}
    return permissions.can_create(actor, Meeting, path)


def deliberate_if_due(*, actor, concern: Concern):
    """Called by the services after intake (every channel) and a re-tier: a major or key concern
    gets its agenda item. Staff who hold meetings in its neighborhood (secretary, social worker,
    subdistrict admin) put it on a meeting at once (`to_deliberation`); from anyone else (resident
    page, Open311, a grid worker's visit or entry) it waits on the neighborhood's agenda (待议事项)
    for them to schedule. Once per concern; returns the agenda item or None (minor, urgent, or no
    neighborhood yet)."""
    if concern.tier not in DELIBERATION_TIERS or concern.neighborhood_id is None:
        return None
    if _holds_meetings(actor, concern):
        try:
            return to_deliberation(actor=actor, concern=concern)
        except (ValidationError, PermissionDenied):
            log.warning("concern %s: scheduling deliberation failed; it waits instead", concern.pk)
    return _queue(actor, concern)


@transaction.atomic
def _queue(actor, concern: Concern):
    concern = history.locked(concern.pk)  # two calls at once: the second finds the first's item
    existing = _item_of(concern)
    if existing is not None:
        return existing
    if concern.tier not in DELIBERATION_TIERS or concern.neighborhood_id is None:
        return None
    item = deliberation.queue_agenda_item(actor=actor, concern=concern, origin=_origin(concern))
    who = actor if _is_user(actor) else None
    note = _("Waiting for deliberation (待议事项) in %(neighborhood)s") % {
        "neighborhood": concern.neighborhood
    }
    history.record_event(concern, "deliberate", concern.state, concern.state, who, note)
    audit.record("update", concern, actor=who, changes={"agenda_item": item.pk, "meeting": None})
    return item


# ---- holiday calendar ---------------------------------------------------------------------------


def may_edit_calendar(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role == "subdistrict_admin" for a in permissions.assignments_of(user))


@transaction.atomic
def set_calendar_day(*, actor, day: date, working: bool, name: str, confirmed: bool = True) -> CalendarDay:
    """Enter or change one exception to the Monday–Friday week (holiday or make-up working day)."""
    if not may_edit_calendar(actor):
        raise PermissionDenied(_("Only subdistrict admins edit the holiday calendar."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the day (e.g. 春节 or 调休上班).")})
    if len(name) > 32:
        raise ValidationError({"name": _("Keep the name under 32 characters.")})
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = None if row is None else {"working": row.working, "name": row.name, "confirmed": row.confirmed}
    if row is None:
        row = CalendarDay(date=day)
    row.working, row.name, row.confirmed = working, name, confirmed
    row.save()
    audit.record(
        "create" if before is None else "update",
        None,
        actor=actor,
        summary=f"calendar {day:%Y-%m-%d}: {'working' if working else 'holiday'} {name}"[:255],
        changes={"before": before, "working": working, "confirmed": confirmed},
    )
    return row


@transaction.atomic
def delete_calendar_day(*, actor, day: date) -> bool:
    if not may_edit_calendar(actor):
        raise PermissionDenied(_("Only subdistrict admins edit the holiday calendar."))
    deleted, _rows = CalendarDay.objects.filter(date=day).delete()
    if deleted:
        audit.record("delete", None, actor=actor, summary=f"calendar {day:%Y-%m-%d} removed")
    return bool(deleted)
