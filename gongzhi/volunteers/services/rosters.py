"""Duty rosters: patterns, generated duties, swaps and attendance."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import require
from gongzhi.notifications import services as notify_services
from gongzhi.volunteers.models import (
    RosterDuty,
    RosterPattern,
    RosterShift,
    SwapRequest,
    Volunteer,
    VolunteerTeam,
)

ROLE_KINDS = {
    RosterPattern.Role.LEAD: {Volunteer.Kind.PARTY_MEMBER},
    RosterPattern.Role.SECURITY: {Volunteer.Kind.PARTNER_STAFF},
    RosterPattern.Role.VOLUNTEER: {
        Volunteer.Kind.RESIDENT,
        Volunteer.Kind.STUDENT,
        Volunteer.Kind.PARTY_MEMBER,
    },
}
MAX_ROSTER_DAYS = 92


@transaction.atomic
def create_roster(
    *,
    actor,
    team: VolunteerTeam,
    name: str,
    place: str,
    start_time,
    duration_minutes,
    weekdays: str = "1234567",
    leads=1,
    volunteers=2,
    security=1,
) -> RosterPattern:
    require(actor, team)
    days = "".join(sorted(set(str(weekdays or ""))))
    if not days or any(d not in "1234567" for d in days):
        raise ValidationError({"weekdays": _("Weekdays are digits 1 (Monday) to 7 (Sunday).")})
    pattern = RosterPattern(
        neighborhood_id=team.neighborhood_id,
        team=team,
        name=(name or "").strip(),
        place=(place or "").strip(),
        start_time=start_time,
        duration_minutes=duration_minutes,
        weekdays=days,
        leads=leads,
        volunteers=volunteers,
        security=security,
    )
    pattern.full_clean()
    if pattern.leads + pattern.volunteers + pattern.security == 0:
        raise ValidationError({"volunteers": _("A shift needs at least one person.")})
    pattern.save()
    audit.record("create", pattern, actor=actor, changes={"pattern": f"{leads}+{volunteers}+{security}"})
    return pattern


def _pools(pattern: RosterPattern) -> dict[str, list[Volunteer]]:
    members = list(pattern.team.members.order_by("id"))
    return {role: [v for v in members if v.kind in kinds] for role, kinds in ROLE_KINDS.items()}


@transaction.atomic
def generate_roster(*, actor, pattern: RosterPattern, first_day, last_day) -> int:
    """Create the pattern's shifts from first_day to last_day (local dates) and fill them by
    rotation (whoever has served this roster least goes next). Days already generated are left
    as they are, so generating again over the same period adds nothing. Returns shifts created."""
    require(actor, pattern)
    if last_day < first_day:
        raise ValidationError({"last_day": _("The last day must not be before the first.")})
    if (last_day - first_day).days >= MAX_ROSTER_DAYS:
        raise ValidationError(
            {"last_day": _("Generate at most %(n)s days at once.") % {"n": MAX_ROSTER_DAYS}}
        )
    pattern = RosterPattern.objects.select_for_update().get(pk=pattern.pk)
    pools = _pools(pattern)
    for role, count in pattern.counts().items():
        if count > len(pools[role]):
            raise ValidationError(
                {
                    "team": _("The team has too few people for the role %(role)s: %(have)s of %(need)s.")
                    % {"role": RosterPattern.Role(role).label, "have": len(pools[role]), "need": count}
                }
            )
    load = dict(
        RosterDuty.objects.filter(shift__pattern=pattern).values_list("volunteer_id").annotate(n=Count("id"))
    )
    existing = set(pattern.shifts.values_list("starts_at", flat=True))
    created = 0
    day = first_day
    while day <= last_day:
        starts = timezone.make_aware(datetime.combine(day, pattern.start_time))
        if str(day.isoweekday()) in pattern.weekdays and starts not in existing:
            shift = RosterShift.objects.create(
                pattern=pattern,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=pattern.duration_minutes),
            )
            taken: set[int] = set()
            duties = []
            for role, count in pattern.counts().items():
                free = [v for v in pools[role] if v.pk not in taken]
                for person in sorted(free, key=lambda v: (load.get(v.pk, 0), v.pk))[:count]:
                    taken.add(person.pk)
                    load[person.pk] = load.get(person.pk, 0) + 1
                    duties.append(RosterDuty(shift=shift, role=role, volunteer=person))
            if len(duties) < sum(pattern.counts().values()):
                raise ValidationError({"team": _("The team has too few different people for one shift.")})
            RosterDuty.objects.bulk_create(duties)
            created += 1
        day += timedelta(days=1)
    audit.record(
        "create", pattern, actor=actor, summary=f"roster {first_day}–{last_day}", changes={"shifts": created}
    )
    return created


def _acts_as(actor, volunteer: Volunteer) -> bool:
    return volunteer.user_id is not None and volunteer.user_id == getattr(actor, "pk", None)


@transaction.atomic
def request_swap(*, actor, duty: RosterDuty, to_volunteer: Volunteer) -> SwapRequest:
    """The person on duty (or staff for them) asks a teammate to take it over."""
    duty = (
        RosterDuty.objects.select_for_update().select_related("shift__pattern", "volunteer").get(pk=duty.pk)
    )
    if not _acts_as(actor, duty.volunteer):
        require(actor, duty)
    if duty.shift.starts_at <= timezone.now() or duty.attendance != RosterDuty.Attendance.SCHEDULED:
        raise ValidationError({"duty": _("Only a duty still to come can be swapped.")})
    pattern = duty.shift.pattern
    if to_volunteer.team_id != pattern.team_id or to_volunteer.kind not in ROLE_KINDS[duty.role]:
        raise ValidationError({"to_volunteer": _("Only a teammate who can take this role.")})
    if duty.shift.duties.filter(volunteer=to_volunteer).exists():
        raise ValidationError({"to_volunteer": _("They are already on this shift.")})
    if SwapRequest.objects.filter(duty=duty, status=SwapRequest.Status.REQUESTED).exists():
        raise ValidationError({"duty": _("A swap of this duty is already waiting for an answer.")})
    swap = SwapRequest.objects.create(duty=duty, from_volunteer=duty.volunteer, to_volunteer=to_volunteer)
    audit.record("create", swap, actor=actor, changes={"to": to_volunteer.pk})
    if to_volunteer.user_id:
        target = to_volunteer.user
        transaction.on_commit(
            lambda: notify_services.notify_user(
                target,
                key=f"swap:{swap.pk}:asked",
                subject=_("Swap request: %(shift)s") % {"shift": duty.shift},
                body=_("%(name)s asks you to take their duty.") % {"name": duty.volunteer.name},
                link=reverse("volunteers:my_duties"),
            )
        )
    return swap


@transaction.atomic
def answer_swap(*, actor, swap: SwapRequest, accept: bool) -> SwapRequest:
    """The asked teammate accepts (the duty changes hands) or declines; the asker may withdraw."""
    swap = (
        SwapRequest.objects.select_for_update()
        .select_related("to_volunteer", "from_volunteer")
        .get(pk=swap.pk)
    )
    duty = RosterDuty.objects.select_for_update().select_related("shift").get(pk=swap.duty_id)
    if swap.status != SwapRequest.Status.REQUESTED:
        raise ValidationError({"status": _("This swap has already been answered.")})
    if _acts_as(actor, swap.from_volunteer) and not accept:
        swap.status = SwapRequest.Status.WITHDRAWN
    elif _acts_as(actor, swap.to_volunteer):
        swap.status = SwapRequest.Status.ACCEPTED if accept else SwapRequest.Status.DECLINED
    else:
        if permissions.can(actor, swap, permissions.READ):
            raise PermissionDenied(_("Only the asked teammate answers a swap."))
        raise NotInScope(_("No such record in your area."))
    if swap.status == SwapRequest.Status.ACCEPTED:
        if duty.volunteer_id != swap.from_volunteer_id or duty.shift.starts_at <= timezone.now():
            raise ValidationError({"duty": _("Only a duty still to come can be swapped.")})
        if duty.shift.duties.filter(volunteer=swap.to_volunteer).exists():
            raise ValidationError({"to_volunteer": _("They are already on this shift.")})
        duty.volunteer = swap.to_volunteer
        duty.save(update_fields=["volunteer"])
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    audit.record("update", swap, actor=actor, changes={"status": swap.status})
    return swap


@transaction.atomic
def mark_attendance(*, actor, duty: RosterDuty, attendance: str, at=None) -> RosterDuty:
    """After the shift has started, staff or the team chief mark who served and who did not show.
    `at`: when the mark was made (one saved offline and synced later); now by default."""
    duty = RosterDuty.objects.select_for_update().select_related("shift__pattern__team").get(pk=duty.pk)
    if duty.shift.pattern.team.chief_id != getattr(actor, "pk", None):
        require(actor, duty)
    if attendance not in (RosterDuty.Attendance.SERVED, RosterDuty.Attendance.NO_SHOW):
        raise ValidationError({"attendance": _("Mark served or no-show.")})
    if duty.shift.starts_at > (at or timezone.now()):
        raise ValidationError({"attendance": _("Attendance is marked once the shift has started.")})
    duty.attendance = attendance
    duty.save(update_fields=["attendance"])
    audit.record("update", duty, actor=actor, changes={"attendance": attendance})
    return duty
