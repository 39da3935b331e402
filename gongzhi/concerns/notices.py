"""Who hears about a step of a concern, and the messages they get: the resident (SMS with the
progress link), the handler a concern is routed to, the supervisors of an escalation. Sent once
the step's transaction commits; keys make a resend a no-op."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import lifecycle
from gongzhi.concerns.models import Concern, ConcernEvent, HandlerKind, JointPart
from gongzhi.notifications.services import notify_user, outside_link, send
from gongzhi.org.models import JointTeamMember

log = logging.getLogger(__name__)

RESIDENT_ACTIONS = frozenset({"accept", "dispatch", "start", "resolve", "close", "reopen", "join"})


def public_link(concern: Concern) -> str:
    """The resident's progress link: an unguessable token, no personal data in it."""
    return outside_link(reverse("concerns:resident_progress", args=[concern.public_token]))


def on_event(concern: Concern, event: ConcernEvent) -> None:
    """Called by history.record_event: who hears about this step, sent once the transaction commits (a
    rolled-back step notifies nobody). Keys are concern id + event id, so a resend is a no-op."""
    if event.action not in RESIDENT_ACTIONS and event.action != "escalate":
        return
    if event.action == "accept" and not concern.reporter_phone:
        return  # the common intake: nothing to send, no query spent
    transaction.on_commit(lambda: _deliver(concern.pk, event.pk))


def _deliver(concern_id: int, event_id: int) -> None:
    concern = Concern.objects.select_related("category").filter(pk=concern_id).first()
    event = ConcernEvent.objects.filter(pk=event_id).first()
    if concern is None or event is None:
        return
    try:
        for key, target, subject, body, link in _messages(concern, event):
            if isinstance(target, str):
                send(key=key, channel="sms", address=target, subject=subject, body=body, link=link)
            else:
                notify_user(target, key=key, subject=subject, body=body, link=link)
    except Exception:  # a failing channel must not undo or block the concern's own step
        log.exception("concern %s: notifying event %s failed", concern_id, event_id)


def _resident_text(concern: Concern, event: ConcernEvent) -> str:
    label = event.action_label
    return _("Your concern (%(category)s) at %(time)s: %(step)s. Progress: ") % {
        "category": concern.category.name,
        "time": timezone.localtime(event.at).strftime("%m-%d %H:%M"),
        "step": label,
    }


def _messages(concern: Concern, event: ConcernEvent):
    base = f"concern:{concern.pk}:event:{event.pk}"
    subject = _("Concern #%(id)s: %(step)s") % {"id": concern.pk, "step": event.action_label}
    # The resident(s): the reporter, and the reporters of the reports that follow this concern.
    if event.action in RESIDENT_ACTIONS:
        residents = [concern]
        if event.action in ("dispatch", "start", "resolve", "close"):
            residents += list(concern.joined.exclude(reporter_phone="").exclude(state=lifecycle.CLOSED))
        for c in residents:
            if c.reporter_phone:
                link = public_link(c)
                yield (
                    f"{base}:resident:{c.pk}",
                    c.reporter_phone,
                    subject,
                    _resident_text(c, event) + link,
                    link,
                )
    staff_link = reverse("concerns:detail", args=[concern.pk])
    if event.action == "dispatch":
        body = _("Concern #%(id)s (%(category)s) is routed to you: %(title)s") % {
            "id": concern.pk,
            "category": concern.category.name,
            "title": concern.title,
        }
        if concern.handler_kind == HandlerKind.JOINT_TEAM:  # departments open their part, not the concern
            staff_link = reverse("concerns:joint_parts")
        for user in handlers_of(concern):
            yield f"{base}:handler:{user.pk}", user, subject, body, staff_link
    if event.action == "escalate":
        body = _("Concern #%(id)s is on the supervision list: %(note)s") % {
            "id": concern.pk,
            "note": event.note,
        }
        for user in supervisors_of(concern):
            yield f"{base}:supervisor:{user.pk}", user, subject, body, staff_link


def _users(**filters):
    return get_user_model().objects.filter(is_active=True, **filters).distinct()


def handlers_of(concern: Concern):
    """The people of the party the concern is routed to."""
    kind = concern.handler_kind
    if kind == HandlerKind.DEPARTMENT and concern.handler_department_id:
        return _users(
            role_assignments__role="department_handler",
            role_assignments__department_id=concern.handler_department_id,
        )
    if kind == HandlerKind.PARTNER_UNIT and concern.handler_partner_unit_id:
        return _users(
            role_assignments__role="partner_liaison",
            role_assignments__partner_unit_id=concern.handler_partner_unit_id,
        )
    if kind in (HandlerKind.PROPERTY_COMPANY, HandlerKind.OWNERS_COMMITTEE) and concern.handler_compound_id:
        role = "property_staff" if kind == HandlerKind.PROPERTY_COMPANY else "owners_committee_member"
        return _users(role_assignments__role=role, role_assignments__compound_id=concern.handler_compound_id)
    if kind == HandlerKind.JOINT_TEAM:  # the block's team members of the departments with a part
        return _users(
            pk__in=JointTeamMember.objects.filter(
                block__joint_cases__concern=concern,
                department__in=JointPart.objects.filter(case__concern=concern).values("department_id"),
            ).values("user_id")
        )
    if concern.neighborhood_id:  # the residents' committee: its social workers
        return _users(
            role_assignments__role="social_worker", role_assignments__neighborhood_id=concern.neighborhood_id
        )
    return _users(pk__in=[])


def supervisors_of(concern: Concern):
    """Who supervises the level the concern was escalated to: the neighborhood's secretary, above
    that the subdistrict's admins (the district sits outside the platform)."""
    level = concern.escalation_level  # already raised by the escalation that called us
    if level <= 1 and concern.neighborhood_id:
        return _users(
            role_assignments__role="neighborhood_secretary",
            role_assignments__neighborhood_id=concern.neighborhood_id,
        )
    return _users(
        role_assignments__role="subdistrict_admin", role_assignments__subdistrict_id=concern.subdistrict_id
    )
