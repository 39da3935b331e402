"""Training: the yearly plan with its required hours, courses, sessions, QR check-in and hours credited."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import POST_LEVELS
from gongzhi.workforce.models import (
    Course,
    HoursCredit,
    Line,
    RequiredHours,
    TrainingPlan,
    TrainingSession,
    WorkerProfile,
)
from gongzhi.workforce.services.common import area_path, decimal, require_create, text

# A session's code admits check-in from shortly before it starts until the end of its day's work.
CHECK_IN_OPENS = timedelta(hours=1)
CHECK_IN_CLOSES = timedelta(hours=12)


def _sub_path(subdistrict) -> dict:
    return {"subdistrict": subdistrict.pk, "neighborhood": None}


@transaction.atomic
def create_plan(
    *, actor, subdistrict, year: int, title: str, target_hours, requirements: dict
) -> TrainingPlan:
    """The year's plan; `requirements` maps (post level, line) to the hours each worker owes."""
    require_create(
        actor, TrainingPlan, _sub_path(subdistrict), refusal=_("Only the subdistrict plans training.")
    )
    if TrainingPlan.objects.filter(subdistrict=subdistrict, year=year).exists():
        raise ValidationError({"year": _("This year already has a plan.")})
    plan = TrainingPlan.objects.create(
        subdistrict=subdistrict,
        year=year,
        title=text(title, field="title", max_length=128),
        target_hours=decimal(
            target_hours, field="target_hours", low=Decimal(1), high=Decimal(99999), places=1
        ),
    )
    for (level, line), hours in requirements.items():
        if level not in POST_LEVELS or line not in Line.values:
            raise ValidationError({"requirements": _("Unknown post level or line.")})
        required = decimal(hours, field="requirements", low=Decimal(0), high=Decimal(999), places=1)
        RequiredHours.objects.create(plan=plan, post_level=level, line=line, hours=required)
    audit.record("create", plan, actor=actor, changes={"requirements": len(requirements)})
    return plan


@transaction.atomic
def add_course(
    *, actor, plan: TrainingPlan, title: str, line: str, hours, audience: str = "", kind: str = "lecture"
):
    """A course of the plan for one post level (or everyone) on one line."""
    permissions.require(actor, plan)
    if line not in Line.values:
        raise ValidationError({"line": _("Unknown training line.")})
    if audience and audience not in POST_LEVELS:
        raise ValidationError({"audience": _("Unknown post level.")})
    if kind not in Course.Kind.values:
        raise ValidationError({"kind": _("Unknown course kind.")})
    course = Course.objects.create(
        plan=plan,
        title=text(title, field="title", max_length=128),
        line=line,
        audience=audience,
        kind=kind,
        hours=decimal(hours, field="hours", low=Decimal("0.5"), high=Decimal(40), places=1),
    )
    audit.record("create", course, actor=actor)
    return course


@transaction.atomic
def schedule_session(*, actor, course: Course, starts_at, place: str) -> TrainingSession:
    """A sitting of a course in the plan's year, with its own check-in code."""
    permissions.require(actor, course)
    if timezone.localtime(starts_at).year != course.plan.year:
        raise ValidationError({"starts_at": _("The session must fall in the plan's year.")})
    session = TrainingSession.objects.create(
        course=course,
        subdistrict_id=course.plan.subdistrict_id,
        starts_at=starts_at,
        place=text(place, field="place", max_length=128),
    )
    audit.record("create", session, actor=actor)
    return session


def _credit(profile, session) -> HoursCredit:
    course = session.course
    return HoursCredit.objects.create(
        profile=profile,
        session=session,
        line=course.line,
        hours=course.hours,
        year=course.plan.year,
        note=course.title[:255],
    )


@transaction.atomic
def scan_session_check_in(*, actor, token: str) -> HoursCredit:
    """A worker scans the session's QR code: the course's hours are credited on its line, once."""
    session = TrainingSession.objects.select_related("course__plan").filter(check_in_token=token).first()
    profile = WorkerProfile.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if session is None or profile is None or profile.subdistrict_id != session.subdistrict_id:
        raise NotInScope(_("This code does not belong to a training session of yours."))
    existing = HoursCredit.objects.filter(profile=profile, session=session).first()
    if existing is not None:
        return existing  # a second scan changes nothing
    now = timezone.now()
    if not session.starts_at - CHECK_IN_OPENS <= now <= session.starts_at + CHECK_IN_CLOSES:
        raise ValidationError({"token": _("Check-in for this session is closed.")})
    try:
        with transaction.atomic():
            credit = _credit(profile, session)
    except IntegrityError:  # two scans at once: the other one credited it
        return HoursCredit.objects.get(profile=profile, session=session)
    audit.record("create", credit, actor=actor, changes={"session": session.pk, "hours": str(credit.hours)})
    return credit


@transaction.atomic
def record_attendance(*, actor, session: TrainingSession, profiles) -> int:
    """The organiser enters the paper sign-in sheet of a session (for those who did not scan):
    the course's hours are credited to each listed worker of the session's subdistrict, once."""
    permissions.require(actor, session)
    credited = 0
    for profile in profiles:
        if profile.subdistrict_id != session.subdistrict_id:
            raise ValidationError(
                {"profiles": _("%(name)s does not work in this subdistrict.") % {"name": profile}}
            )
        if HoursCredit.objects.filter(profile=profile, session=session).exists():
            continue
        credit = _credit(profile, session)
        audit.record("create", credit, actor=actor, changes={"session": session.pk, "sheet": True})
        credited += 1
    return credited


@transaction.atomic
def credit_hours(*, actor, profile: WorkerProfile, line: str, hours, year: int, note: str) -> HoursCredit:
    """Hours learnt elsewhere (a district course, a forum talk), entered by the neighborhood or subdistrict."""
    permissions.require(actor, profile)
    if not permissions.can_create(actor, HoursCredit, area_path(profile.neighborhood)):
        raise PermissionDenied(_("You may not credit hours."))
    if line not in Line.values:
        raise ValidationError({"line": _("Unknown training line.")})
    credit = HoursCredit.objects.create(
        profile=profile,
        line=line,
        year=year,
        note=text(note, field="note"),
        hours=decimal(hours, field="hours", low=Decimal("0.5"), high=Decimal(100), places=1),
    )
    audit.record("create", credit, actor=actor, changes={"hours": str(credit.hours), "line": line})
    return credit
