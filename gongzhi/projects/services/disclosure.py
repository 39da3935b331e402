"""Disclosure (公示) of a project and residents' comments on it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, pii
from gongzhi.core.permissions import require
from gongzhi.projects import rules
from gongzhi.projects.models import Comment, Disclosure, Project
from gongzhi.projects.services.effects import notify_later

DISCLOSABLE = frozenset({rules.APPROVED, rules.RUNNING, rules.MIDTERM, rules.FINAL_REPORT, rules.CLOSED})
COMMENTS_PER_HOUR = 5
MAX_COMMENT = 1000


@transaction.atomic
def publish_disclosure(
    *,
    actor,
    project: Project,
    opens_on: datetime.date,
    closes_on: datetime.date,
    title: str = "",
    body: str = "",
) -> Disclosure:
    require(actor, project)
    project = Project.objects.get(pk=project.pk)  # the state as it is now, not as the caller last saw it
    if project.state not in DISCLOSABLE:
        raise ValidationError({"state": _("Only an approved project can be disclosed.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The notice period cannot end before it starts.")})
    disclosure = Disclosure(
        project=project,
        opens_on=opens_on,
        closes_on=closes_on,
        title=(title or "").strip() or project.title,
        body=body or "",
        published_by=actor,
    )
    disclosure.full_clean(exclude=["published_by"])
    disclosure.save()
    audit.record(
        "disclose", disclosure, actor=actor, changes={"opens_on": str(opens_on), "closes_on": str(closes_on)}
    )
    return disclosure


def client_digest(ip: str) -> str:
    """The commenter's address, keyed and hashed: enough to count, never stored in clear."""
    return pii.blind_index("project-comment", ip or "unknown")


@transaction.atomic
def add_comment(*, disclosure: Disclosure, kind: str, body: str, name: str = "", client: str) -> Comment:
    """A resident's comment or objection; no login, within the notice period, a few per hour."""
    today = timezone.localdate()
    if not (disclosure.opens_on <= today <= disclosure.closes_on):
        raise ValidationError({"body": _("Comments are taken only during the notice period.")})
    if kind not in Comment.Kind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your comment.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": MAX_COMMENT}})
    digest = client_digest(client)
    recent = Comment.objects.filter(
        client_digest=digest, created_at__gte=timezone.now() - datetime.timedelta(hours=1)
    )
    if recent.count() >= COMMENTS_PER_HOUR:
        raise ValidationError({"body": _("Too many comments from your connection; try again in an hour.")})
    duplicate = recent.filter(disclosure=disclosure, body=body, kind=kind).first()
    if duplicate is not None:  # a double-tapped submit
        return duplicate
    comment = Comment.objects.create(
        disclosure=disclosure, kind=kind, body=body, name=(name or "").strip()[:32], client_digest=digest
    )
    audit.record("comment", comment, actor=None, changes={"kind": kind})
    project = disclosure.project
    told = {u for u in (project.leader, project.created_by, disclosure.published_by) if u is not None}
    if kind == Comment.Kind.OBJECTION:
        told |= set(objection_readers(project))
    for user in told:
        notify_later(
            user,
            key=f"projects/comment/{comment.pk}/{user.pk}",
            subject=_("A resident's %(kind)s on %(title)s")
            % {"kind": comment.get_kind_display(), "title": disclosure.title},
            body=body[:200],
            link=reverse("projects:comments", args=[project.pk, disclosure.pk]),
        )
    return comment


def objection_readers(project: Project):
    """Who hears of an objection to a notice: the neighborhood's secretary, and the owners'
    committee and property company of the project's compound."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    reach = Q(
        role_assignments__role="neighborhood_secretary",
        role_assignments__neighborhood_id=project.neighborhood_id,
    )
    if project.compound_id:
        reach |= Q(
            role_assignments__role__in=("owners_committee_member", "property_staff"),
            role_assignments__compound_id=project.compound_id,
        )
    return get_user_model().objects.filter(reach, is_active=True).distinct()


@transaction.atomic
def reply_to_comment(*, actor, comment: Comment, reply: str) -> Comment:
    require(actor, comment.disclosure.project)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    comment.reply = (reply or "").strip()
    comment.save(update_fields=["reply"])
    audit.record("reply", comment, actor=actor)
    return comment
