"""Agenda items: added by staff, queued from major and key concerns, scheduled, withdrawn."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.deliberation.models import AgendaItem, Decision, Meeting
from gongzhi.deliberation.services.meetings import _require_meeting

CONCERN_ORIGINS = {AgendaItem.Origin.MAJOR_CONCERN: "major", AgendaItem.Origin.KEY_CONCERN: "key"}


def _check_concern(actor, meeting: Meeting, origin: str, concern) -> None:
    """A concern on the agenda must be one the actor sees, of the meeting's area and the origin's tier."""
    if origin not in CONCERN_ORIGINS:
        if concern is not None:
            raise ValidationError({"concern": _("Only agenda items from concerns name a concern.")})
        return
    if concern is None:
        raise ValidationError({"concern": _("Choose the concern this item comes from.")})
    if not permissions.can(actor, concern, permissions.READ):
        raise ValidationError({"concern": _("No such concern in your area.")})
    if meeting.neighborhood_id and concern.neighborhood_id != meeting.neighborhood_id:
        raise ValidationError({"concern": _("The concern lies in another neighborhood.")})
    if concern.tier != CONCERN_ORIGINS[origin]:
        tier = concern.get_tier_display()  # from the instance: deliberation imports nothing of concerns
        raise ValidationError({"concern": _("The concern is of tier %(tier)s.") % {"tier": tier}})


def check_agenda_concern(*, actor, meeting: Meeting, origin: str, concern=None) -> None:
    """The agenda's concern rules alone (no write): for the form's check as the person picks."""
    _check_concern(actor, meeting, origin, concern)


@transaction.atomic
def add_agenda_item(
    *, actor, meeting: Meeting, title: str, origin: str, origin_ref: str = "", concern=None
) -> AgendaItem:
    """An item for the meeting; one from a concern of the major or key tier links to that concern."""
    meeting = _require_meeting(actor, meeting)
    _check_concern(actor, meeting, origin, concern)
    if concern is not None:
        origin_ref = f"concern:{concern.pk}"
        title = title or concern.title
    item = AgendaItem(
        subdistrict_id=meeting.subdistrict_id,
        neighborhood_id=meeting.neighborhood_id,
        compound_id=meeting.compound_id,
        meeting=meeting,
        title=(title or "").strip(),
        origin=origin,
        origin_ref=(origin_ref or "").strip(),
        concern=concern,
        order=meeting.agenda.count(),
    )
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor)
    return item


@transaction.atomic
def queue_agenda_item(*, actor, concern, origin: str) -> AgendaItem:
    """A waiting item (待议事项) on the concern's neighborhood agenda, for a major or key concern
    that came in through someone who holds no meetings (resident page, Open311, a grid worker's
    visit): no meeting yet, the neighborhood's staff schedule it. `actor=None` is the public
    intake; the caller (concerns.coordination) has checked the tier and the neighborhood."""
    if origin not in CONCERN_ORIGINS or concern.tier != CONCERN_ORIGINS[origin]:
        raise ValidationError({"concern": _("Only major and key concerns wait for deliberation.")})
    item = AgendaItem(
        subdistrict_id=concern.subdistrict_id,
        neighborhood_id=concern.neighborhood_id,
        title=concern.title[:200],
        origin=origin,
        origin_ref=f"concern:{concern.pk}",
        concern=concern,
    )
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor if actor is not None and actor.is_authenticated else None)
    return item


@transaction.atomic
def withdraw_agenda_item(*, actor, item: AgendaItem) -> bool:
    """Take an item off the agenda before it is deliberated (its concern joined another that
    carries the matter): one still waiting, or on a meeting yet to be held with no decision on
    it. Anything already deliberated stays. Returns whether it was withdrawn."""
    # The meeting is nullable: PostgreSQL locks no outer join, so the item is locked alone.
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .filter(pk=item.pk)
        .first()
    )
    if item is None:
        return False
    if item.meeting is not None and (
        item.meeting.held_at <= timezone.now() or Decision.objects.filter(agenda_item=item).exists()
    ):
        return False
    audit.record("delete", item, actor=actor if actor is not None and actor.is_authenticated else None)
    item.delete()
    return True


@transaction.atomic
def schedule_agenda_item(*, actor, item: AgendaItem, meeting: Meeting) -> AgendaItem:
    """Put a waiting item on a meeting the actor may change, of the item's neighborhood."""
    meeting = _require_meeting(actor, meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.meeting_id == meeting.pk:
        return item  # a retry
    if item.meeting_id is not None:
        raise ValidationError({"agenda_item": _("This item is already on another meeting's agenda.")})
    if item.neighborhood_id and meeting.neighborhood_id != item.neighborhood_id:
        raise ValidationError({"meeting": _("The meeting belongs to another neighborhood.")})
    if item.concern_id is not None:
        _check_concern(actor, meeting, item.origin, item.concern)
    item.meeting, item.order = meeting, meeting.agenda.count()
    item.save(update_fields=["meeting", "order"])
    audit.record("update", item, actor=actor, changes={"meeting": meeting.pk})
    return item
