"""Meetings: holding one, invitations, minutes, decisions and follow-up tasks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import WRITE
from gongzhi.deliberation.models import Attendance, Decision, FollowUpTask, Invitation, Meeting
from gongzhi.deliberation.services.duties import _complete_meeting_duty
from gongzhi.deliberation.services.places import _place_path
from gongzhi.org.models import Compound, Neighborhood, PartyOrg


def _require_meeting(actor, meeting: Meeting) -> Meeting:
    """The meeting locked for a change the actor may make (403 if they only read it, else 404)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    permissions.require(actor, meeting, denied=_("You may not change this meeting."))
    return meeting


@transaction.atomic
def create_meeting(
    *,
    actor,
    kind: str,
    title: str,
    held_at: datetime,
    neighborhood: Neighborhood | None = None,
    compound: Compound | None = None,
    party_org: PartyOrg | None = None,
    place: str = "",
) -> Meeting:
    path = _place_path(compound=compound, neighborhood=neighborhood, party_org=party_org)
    if path["subdistrict"] is None:
        raise ValidationError(
            {"neighborhood": _("A meeting belongs to a neighborhood, compound or party organisation.")}
        )
    if not permissions.can_create(actor, Meeting, path):
        raise PermissionDenied(_("You may not hold meetings here."))
    meeting = Meeting(
        kind=kind,
        title=(title or "").strip(),
        held_at=held_at,
        place=place,
        subdistrict_id=path["subdistrict"],
        neighborhood_id=path["neighborhood"],
        compound=compound,
        party_org=party_org,
        created_by=actor,
    )
    meeting.full_clean(exclude=["created_by", "subdistrict"])
    meeting.save()
    audit.record("create", meeting, actor=actor)
    _complete_meeting_duty(actor, meeting)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    title: str,
    held_at: datetime,
    neighborhood: Neighborhood | None = None,
    place: str = "",
) -> Meeting:
    """Change kind, title, time, place or neighborhood; a move must land inside the actor's area too."""
    meeting = _require_meeting(actor, meeting)
    if neighborhood is not None and neighborhood.pk != meeting.neighborhood_id:
        if meeting.compound_id and meeting.compound.neighborhood_id != neighborhood.pk:
            raise ValidationError({"neighborhood": _("The meeting's compound lies in another neighborhood.")})
        path = _place_path(neighborhood=neighborhood)
        if not permissions.can_create(actor, Meeting, path):
            raise NotInScope(_("No such neighborhood in your area."))
        meeting.subdistrict_id, meeting.neighborhood = path["subdistrict"], neighborhood
    before = {
        "kind": meeting.kind,
        "title": meeting.title,
        "held_at": meeting.held_at,
        "place": meeting.place,
    }
    meeting.kind, meeting.title, meeting.held_at = kind, (title or "").strip(), held_at
    meeting.place = (place or "").strip()
    meeting.full_clean(exclude=["created_by", "subdistrict"])
    meeting.save()
    changes = {k: str(getattr(meeting, k)) for k, v in before.items() if getattr(meeting, k) != v}
    audit.record("update", meeting, actor=actor, changes=changes)
    _complete_meeting_duty(actor, meeting)
    return meeting


@transaction.atomic
def invite(*, actor, meeting: Meeting, role: str = "", partner_unit=None, department=None, resident=None):
    from gongzhi.core.roles import ROLES

    meeting = _require_meeting(actor, meeting)
    if role and role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    invitation = Invitation(
        meeting=meeting, role=role, partner_unit=partner_unit, department=department, resident=resident
    )
    if sum(bool(x) for x in (role, partner_unit, department, resident)) != 1:
        raise ValidationError(
            _("Invite one party at a time: a role, a partner unit, a department or a resident.")
        )
    outside = [
        name
        for name, party, subdistrict_id in (
            ("partner_unit", partner_unit, getattr(partner_unit, "subdistrict_id", None)),
            ("department", department, getattr(department, "subdistrict_id", None)),
            ("resident", resident, resident and resident.household.neighborhood.subdistrict_id),
        )
        if party is not None and subdistrict_id != meeting.subdistrict_id
    ]
    if outside:
        raise ValidationError({outside[0]: _("Invite parties of the meeting's subdistrict.")})
    invitation.save()
    audit.record("update", meeting, actor=actor, summary=f"{meeting.title}: + {invitation}"[:255])
    _tell_invitees(meeting, invitation)
    return invitation


def invitees_of(meeting: Meeting, invitation: Invitation | None = None):
    """The accounts an invitation reaches (all of the meeting's when none is given): holders of the
    invited role in the meeting's neighborhood (or subdistrict), the partner unit's and the
    department's staff, the invited resident's own account."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    invitations = [invitation] if invitation is not None else list(meeting.invitations.all())
    reach = Q(pk__in=[])
    for i in invitations:
        if i.role:
            area = (
                Q(role_assignments__neighborhood_id=meeting.neighborhood_id)
                if meeting.neighborhood_id
                else Q(role_assignments__subdistrict_id=meeting.subdistrict_id)
            )
            reach |= Q(role_assignments__role=i.role) & area
        elif i.partner_unit_id:
            reach |= Q(role_assignments__partner_unit_id=i.partner_unit_id)
        elif i.department_id:
            reach |= Q(role_assignments__department_id=i.department_id)
        elif i.resident_id:
            reach |= Q(resident__pk=i.resident_id)
    return get_user_model().objects.filter(reach, is_active=True).distinct().order_by("username")


def _tell_invitees(meeting: Meeting, invitation: Invitation) -> None:
    """Each invited person is told once (the key), after the invitation is committed."""
    from django.urls import reverse

    from gongzhi.notifications.services import notify_user

    at = timezone.localtime(meeting.held_at)
    subject = _("You are invited: %(title)s, %(at)s") % {"title": meeting.title, "at": f"{at:%Y-%m-%d %H:%M}"}
    link = reverse("deliberation:meeting", args=[meeting.pk])
    body = meeting.place or meeting.get_kind_display()
    for user in invitees_of(meeting, invitation):
        key = f"deliberation/invitation/{meeting.pk}/{user.pk}"
        transaction.on_commit(
            lambda user=user, key=key: notify_user(user, key=key, subject=subject, body=body, link=link)
        )


def is_invited(user, meeting: Meeting) -> bool:
    return invitees_of(meeting).filter(pk=user.pk).exists()


@transaction.atomic
def answer_invitation(*, actor, meeting: Meeting, answer: str) -> Attendance:
    """An invited person says they will attend or cannot; a second answer replaces the first."""
    if answer not in Attendance.Answer.values:
        raise ValidationError({"answer": _("Choose whether you will attend.")})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not is_invited(actor, meeting):
        raise NotInScope(_("No such meeting in your area."))
    if meeting.held_at < timezone.now() - timedelta(days=1):
        raise ValidationError({"answer": _("The meeting is over.")})
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=actor, defaults={"answer": answer}
    )
    audit.record("update", attendance, actor=actor, changes={"answer": answer})
    return attendance


@transaction.atomic
def record_minutes(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    meeting = _require_meeting(actor, meeting)
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes"])
    audit.record("update", meeting, actor=actor, changes={"minutes": len(meeting.minutes)})
    return meeting


@transaction.atomic
def record_decision(*, actor, meeting: Meeting, text: str, agenda_item=None, vote=None) -> Decision:
    meeting = _require_meeting(actor, meeting)
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the decision.")})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("That item is not on this meeting's agenda.")})
    decision = Decision.objects.create(meeting=meeting, text=text.strip(), agenda_item=agenda_item, vote=vote)
    audit.record("create", decision, actor=actor, area=(meeting.subdistrict_id, meeting.neighborhood_id))
    return decision


def staff_of_area(meeting: Meeting):
    """Who may own a meeting's task: staff holding a role in its subdistrict, on it or inside its neighborhood."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    inside = Q(role_assignments__neighborhood__isnull=True)
    if meeting.neighborhood_id:
        inside |= Q(role_assignments__neighborhood_id=meeting.neighborhood_id)
    users = get_user_model().objects.filter(inside, role_assignments__subdistrict_id=meeting.subdistrict_id)
    return users.distinct().order_by("username")


@transaction.atomic
def assign_task(*, actor, meeting: Meeting, title: str, owner, due_on: date, decision=None) -> FollowUpTask:
    """A follow-up task for one person; it appears in their task list until done."""
    meeting = _require_meeting(actor, meeting)
    if not (title or "").strip() or due_on is None or owner is None:
        raise ValidationError({"title": _("A task needs a title, an owner and a due date.")})
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError({"decision": _("That decision was not taken at this meeting.")})
    if not staff_of_area(meeting).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The owner must hold a role in the meeting's area.")})
    task = FollowUpTask.objects.create(
        meeting=meeting, decision=decision, title=title.strip(), owner=owner, due_on=due_on
    )
    audit.record("create", task, actor=actor, area=(meeting.subdistrict_id, meeting.neighborhood_id))
    return task


@transaction.atomic
def complete_task(*, actor, task: FollowUpTask) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().select_related("meeting").get(pk=task.pk)
    if task.owner_id != actor.pk and not permissions.can(actor, task.meeting, WRITE):
        raise NotInScope(_("No such task in your list."))
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(
            "complete", task, actor=actor, area=(task.meeting.subdistrict_id, task.meeting.neighborhood_id)
        )
    return task
