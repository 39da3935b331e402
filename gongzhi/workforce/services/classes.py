"""头雁班 (secretaries selected into small classes A/B, attendance, graduation) and the scores of
case discussions and speech contests."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.workforce.models import (
    ContestScore,
    Course,
    HoursCredit,
    LeadGooseClass,
    LeadGooseMember,
    TrainingPlan,
    TrainingSession,
)
from gongzhi.workforce.selectors import attendance
from gongzhi.workforce.services.common import decimal, text

GRADUATION_SHARE = Fraction(2, 3)  # of the class's sessions held, a member must have attended


@transaction.atomic
def open_lead_goose_class(*, actor, plan: TrainingPlan, course: Course, name: str) -> LeadGooseClass:
    """A 头雁 class following one course of the plan (of kind lead_goose)."""
    permissions.require(actor, plan)
    if course.plan_id != plan.pk or course.kind != Course.Kind.LEAD_GOOSE_CLASS:
        raise ValidationError({"course": _("Choose a lead-goose course of this plan.")})
    if LeadGooseClass.objects.filter(plan=plan, name=name.strip()).exists():
        raise ValidationError({"name": _("This plan already has a class of this name.")})
    klass = LeadGooseClass.objects.create(
        plan=plan, course=course, name=text(name, field="name", max_length=32)
    )
    audit.record("create", klass, actor=actor)
    return klass


@transaction.atomic
def select_into_class(*, actor, klass: LeadGooseClass, profiles) -> int:
    """Select secretaries into a class; each sits in one class of a plan."""
    permissions.require(actor, klass)
    added = 0
    for profile in profiles:
        if profile.post_level != "secretary" or profile.subdistrict_id != klass.plan.subdistrict_id:
            raise ValidationError(
                {"profiles": _("%(name)s is not a secretary of this subdistrict.") % {"name": profile}}
            )
        taken = LeadGooseMember.objects.filter(klass__plan=klass.plan, profile=profile)
        if taken.exclude(klass=klass).exists():
            raise ValidationError(
                {"profiles": _("%(name)s is already in another class.") % {"name": profile}}
            )
        if not taken.exists():
            member = LeadGooseMember.objects.create(klass=klass, profile=profile)
            audit.record("create", member, actor=actor)
            added += 1
    return added


@transaction.atomic
def graduate_class(*, actor, klass: LeadGooseClass, on: date) -> int:
    """Members who attended at least two thirds of the sessions held graduate; returns how many did."""
    permissions.require(actor, klass)
    held, attended = attendance(klass)
    if held == 0:
        raise ValidationError({"klass": _("The class has held no session yet.")})
    graduated = 0
    for member in klass.members.select_for_update().filter(graduated_on__isnull=True):
        if Fraction(attended[member.profile_id], held) >= GRADUATION_SHARE:
            member.graduated_on = on
            member.save(update_fields=["graduated_on"])
            audit.record("update", member, actor=actor, changes={"graduated_on": str(on)})
            graduated += 1
    return graduated


@transaction.atomic
def score_contest(*, actor, session: TrainingSession, profile, score) -> ContestScore:
    """A case-discussion or speech-contest score for a worker who attended the session."""
    permissions.require(actor, profile)
    if session.course.kind not in (Course.Kind.CASE_DISCUSSION, Course.Kind.SPEECH_CONTEST):
        raise ValidationError({"session": _("Only case discussions and speech contests are scored.")})
    if not HoursCredit.objects.filter(session=session, profile=profile).exists():
        raise ValidationError({"profile": _("The worker did not attend this session.")})
    value = decimal(score, field="score", low=Decimal(0), high=Decimal(100))
    entry, created = ContestScore.objects.update_or_create(
        session=session, profile=profile, defaults={"score": value}
    )
    audit.record("create" if created else "update", entry, actor=actor, changes={"score": str(value)})
    return entry
