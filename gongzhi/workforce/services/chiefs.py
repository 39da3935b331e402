"""The three chiefs (三长): nomination, vetting, appointment with a term, training, allowances,
reward and exit; each step appended to the chief's history."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.separation import require_second_person
from gongzhi.workforce.models import Chief, ChiefEvent, MeetingAttendance
from gongzhi.workforce.services.common import area_path, decimal, require_create, text

MAX_ALLOWANCE = Decimal("99999.99")
# The audit trail's own verbs for the steps of a chief's history.
AUDIT_ACTIONS = {"nominated": "create", "vetted": "approve", "appointed": "approve", "rejected": "refuse"}


def _locked(actor, chief: Chief, *, expected: tuple[str, ...]) -> Chief:
    permissions.require(actor, chief)
    locked = Chief.objects.select_for_update().get(pk=chief.pk)
    if locked.status not in expected:
        raise ValidationError({"status": _("This step does not fit the chief's current status.")})
    return locked


def _event(actor, chief: Chief, action: str, on: date, note: str = "", amount=None) -> ChiefEvent:
    event = ChiefEvent.objects.create(chief=chief, action=action, on=on, note=note, amount=amount, by=actor)
    audit.record(
        action, chief, actor=actor, changes={"on": str(on), "amount": str(amount or ""), "note": note}
    )
    return event


@transaction.atomic
def nominate_chief(*, actor, neighborhood, user, name: str, kind: str, unit_label: str, on: date) -> Chief:
    """Put a resident forward as stairwell chief, party group chief or volunteer team chief."""
    require_create(actor, Chief, area_path(neighborhood), refusal=_("You may not nominate chiefs here."))
    if kind not in Chief.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of chief.")})
    chief = Chief.objects.create(
        subdistrict_id=neighborhood.subdistrict_id,
        neighborhood=neighborhood,
        user=user,
        kind=kind,
        name=text(name, field="name", max_length=64),
        unit_label=text(unit_label, field="unit_label", max_length=128),
    )
    _event(actor, chief, ChiefEvent.Action.NOMINATED, on)
    return chief


@transaction.atomic
def vet_chief(*, actor, chief: Chief, approved: bool, on: date, note: str = "") -> Chief:
    """The party organisation's vetting (政治审查): approved or not, with a note."""
    chief = _locked(actor, chief, expected=(Chief.Status.NOMINATED,))
    require_second_person(chief.user_id, actor, step=_("Recording a chief's vetting"))
    chief.status = Chief.Status.VETTED if approved else Chief.Status.REJECTED
    chief.save(update_fields=["status"])
    action = ChiefEvent.Action.VETTED if approved else ChiefEvent.Action.REJECTED
    _event(actor, chief, action, on, text(note, field="note", required=not approved))
    return chief


@transaction.atomic
def appoint_chief(*, actor, chief: Chief, term_starts: date, term_ends: date, monthly_allowance) -> Chief:
    """Appoint a vetted chief for a term with a monthly allowance (yuan)."""
    chief = _locked(actor, chief, expected=(Chief.Status.VETTED,))
    if term_ends <= term_starts:
        raise ValidationError({"term_ends": _("The term must end after it starts.")})
    chief.monthly_allowance = decimal(
        monthly_allowance, field="monthly_allowance", low=Decimal(0), high=MAX_ALLOWANCE
    )
    chief.status, chief.term_starts, chief.term_ends = Chief.Status.APPOINTED, term_starts, term_ends
    chief.save(update_fields=["status", "term_starts", "term_ends", "monthly_allowance"])
    _event(actor, chief, ChiefEvent.Action.APPOINTED, term_starts, amount=chief.monthly_allowance)
    return chief


@transaction.atomic
def record_chief_event(*, actor, chief: Chief, action: str, on: date, note: str) -> ChiefEvent:
    """Training attended or a reward given to an appointed chief."""
    chief = _locked(actor, chief, expected=(Chief.Status.APPOINTED,))
    if action not in (ChiefEvent.Action.TRAINED, ChiefEvent.Action.REWARDED):
        raise ValidationError({"action": _("Record training or a reward here.")})
    return _event(actor, chief, action, on, text(note, field="note"))


@transaction.atomic
def pay_allowance(*, actor, chief: Chief, month: date) -> ChiefEvent:
    """The month's allowance of an appointed chief, once a month, within the term."""
    chief = _locked(actor, chief, expected=(Chief.Status.APPOINTED,))
    first = month.replace(day=1)
    if not chief.term_starts.replace(day=1) <= first <= chief.term_ends:
        raise ValidationError({"month": _("The month lies outside the chief's term.")})
    if chief.events.filter(action=ChiefEvent.Action.ALLOWANCE, on=first).exists():
        raise ValidationError({"month": _("This month's allowance has been paid.")})
    return _event(actor, chief, ChiefEvent.Action.ALLOWANCE, first, amount=chief.monthly_allowance)


@transaction.atomic
def exit_chief(*, actor, chief: Chief, on: date, note: str) -> Chief:
    """A chief leaves (term over, moved away, stepped down); the history stays."""
    chief = _locked(
        actor, chief, expected=(Chief.Status.APPOINTED, Chief.Status.VETTED, Chief.Status.NOMINATED)
    )
    chief.status = Chief.Status.EXITED
    chief.save(update_fields=["status"])
    _event(actor, chief, ChiefEvent.Action.EXITED, on, text(note, field="note"))
    return chief


@transaction.atomic
def record_meeting_attendance(*, actor, chief: Chief, meeting) -> MeetingAttendance:
    """The meeting's sign-in sheet: an appointed chief attended a meeting of their neighborhood (or
    one of the whole subdistrict). Signing in twice changes nothing."""
    chief = _locked(actor, chief, expected=(Chief.Status.APPOINTED,))
    if meeting.subdistrict_id != chief.subdistrict_id or meeting.neighborhood_id not in (
        None,
        chief.neighborhood_id,
    ):
        raise ValidationError({"meeting": _("Choose a meeting of the chief's neighborhood.")})
    found, created = MeetingAttendance.objects.get_or_create(
        chief=chief, meeting=meeting, defaults={"recorded_by": actor}
    )
    if created:
        audit.record("create", found, actor=actor, changes={"meeting": meeting.pk})
    return found
