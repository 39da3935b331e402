"""Duty rosters: patterns, generated duties, swaps and attendance."""

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import require
from gongzhi.core.separation import require_second_person
from gongzhi.notifications import services as notify_services
from gongzhi.volunteers.models import (
    LedgerEntry,
    RosterDuty,
    RosterPattern,
    RosterShift,
    SwapRequest,
    Volunteer,
    VolunteerTeam,
)
from gongzhi.volunteers.services.common import HOURS
from gongzhi.volunteers.services.points import active_rule, post_entry

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
    days = clean_weekdays(weekdays)
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


@transaction.atomic
def designate_standby(*, actor, pattern: RosterPattern, standby: bool) -> RosterPattern:
    """Whether the roster stands by (待命) while its neighborhood is in emergency mode (治理环)."""
    require(actor, pattern)
    pattern = RosterPattern.objects.select_for_update().get(pk=pattern.pk)
    if pattern.emergency_standby != standby:
        pattern.emergency_standby = standby
        pattern.save(update_fields=["emergency_standby"])
        audit.record("update", pattern, actor=actor, changes={"emergency_standby": standby})
    return pattern


def clean_weekdays(weekdays) -> str:
    """ISO weekdays as stored ("135"): from the page's checkboxes (a list), or typed with or without
    separators ("1,3,5", "1、3、5", "135")."""
    if isinstance(weekdays, list | tuple | set):
        weekdays = "".join(str(d) for d in weekdays)
    text = str(weekdays or "")
    for sep in ",，、 ;；":
        text = text.replace(sep, "")
    days = "".join(sorted(set(text)))
    if not days or any(d not in "1234567" for d in days):
        raise ValidationError({"weekdays": _("Pick at least one weekday (Monday to Sunday).")})
    return days


EDITABLE = ("name", "place", "start_time", "duration_minutes", "weekdays", "leads", "volunteers", "security")


@transaction.atomic
def update_roster(*, actor, pattern: RosterPattern, **changes) -> RosterPattern:
    """Change a pattern (time, weekdays, the 1+2+1 make-up): shifts generated from now on follow it;
    shifts already generated stay as they are."""
    require(actor, pattern)
    pattern = RosterPattern.objects.select_for_update().get(pk=pattern.pk)
    before = {field: str(getattr(pattern, field)) for field in EDITABLE}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValidationError(_("Unknown field."))
        if field == "weekdays":
            value = clean_weekdays(value)
        elif field in ("name", "place"):
            value = (value or "").strip()
        setattr(pattern, field, value)
    pattern.full_clean()
    if pattern.leads + pattern.volunteers + pattern.security == 0:
        raise ValidationError({"volunteers": _("A shift needs at least one person.")})
    pattern.save()
    after = {field: str(getattr(pattern, field)) for field in EDITABLE}
    audit.record(
        "update",
        pattern,
        actor=actor,
        changes={k: [before[k], after[k]] for k in EDITABLE if before[k] != after[k]},
    )
    return pattern


def missing_roles(pattern: RosterPattern) -> list[dict]:
    """The roles the team has too few people for: the role, how many it has and needs, and which
    kinds of volunteer can take it (to add one from the page)."""
    pools = _pools(pattern)
    return [
        {"role": role, "label": RosterPattern.Role(role).label, "have": len(pools[role]), "need": count}
        for role, count in pattern.counts().items()
        if count > len(pools[role])
    ]


@transaction.atomic
def add_to_team(*, actor, team: VolunteerTeam, volunteer: Volunteer) -> Volunteer:
    """Put a volunteer of the team's neighborhood on the team (the roster then counts them)."""
    require(actor, team)
    require(actor, volunteer)
    if volunteer.neighborhood_id != team.neighborhood_id:
        raise ValidationError({"volunteer": _("The volunteer lives in another neighborhood.")})
    if volunteer.team_id == team.pk:
        return volunteer
    volunteer.team = team
    volunteer.save(update_fields=["team"])
    audit.record("update", volunteer, actor=actor, changes={"team": team.pk})
    return volunteer


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
                    "team": ValidationError(
                        _("The team has too few people for the role %(role)s: %(have)s of %(need)s.")
                        % {"role": RosterPattern.Role(role).label, "have": len(pools[role]), "need": count},
                        code="missing_role",
                    )
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
    credited = LedgerEntry.objects.filter(duty=duty).exists()
    if credited and attendance != RosterDuty.Attendance.SERVED:
        raise ValidationError(
            {"attendance": _("The hours of this duty are in the ledger: reverse that entry first.")}
        )
    if duty.attendance == attendance:
        return duty  # marked again: nothing changes, nothing is credited twice
    if attendance == RosterDuty.Attendance.SERVED and not credited:
        _credit_duty(actor, duty)
    duty.attendance = attendance
    duty.save(update_fields=["attendance"])
    audit.record("update", duty, actor=actor, changes={"attendance": attendance})
    return duty


def _credit_duty(actor, duty: RosterDuty) -> LedgerEntry:
    """A served patrol duty earns the shift's length in hours (never more: the person was there for
    the shift) and points by the subdistrict's active rule. Nobody credits their own duty."""
    require_second_person(duty.volunteer.user_id, actor, step=_("Confirming hours"))
    shift = duty.shift
    seconds = int((shift.ends_at - shift.starts_at).total_seconds())
    hours = (Decimal(seconds) / 3600).quantize(HOURS, ROUND_DOWN)
    rule = active_rule(shift.pattern.neighborhood.subdistrict_id)
    memo = f"{shift.pattern.name} {timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}"
    return post_entry(
        LedgerEntry(
            volunteer=duty.volunteer,
            kind=LedgerEntry.Kind.EARNED,
            points=int(hours * rule.points_per_hour) if rule else 0,
            hours=hours,
            duty=duty,
            rule=rule,
            memo=memo[:255],
            created_by=actor,
        ),
        actor,
    )


@transaction.atomic
def arrange_swap(*, actor, duty: RosterDuty, to_volunteer: Volunteer) -> SwapRequest:
    """The team chief (or the area's staff) hands a duty to a teammate, having agreed it with both:
    it takes effect at once, is kept as an accepted swap, and both are told."""
    duty = (
        RosterDuty.objects.select_for_update()
        .select_related("shift__pattern__team", "volunteer")
        .get(pk=duty.pk)
    )
    pattern = duty.shift.pattern
    if pattern.team.chief_id != getattr(actor, "pk", None):
        require(actor, duty)
    if duty.shift.starts_at <= timezone.now() or duty.attendance != RosterDuty.Attendance.SCHEDULED:
        raise ValidationError({"duty": _("Only a duty still to come can be swapped.")})
    if to_volunteer.team_id != pattern.team_id or to_volunteer.kind not in ROLE_KINDS[duty.role]:
        raise ValidationError({"to_volunteer": _("Only a teammate who can take this role.")})
    if duty.shift.duties.filter(volunteer=to_volunteer).exists():
        raise ValidationError({"to_volunteer": _("They are already on this shift.")})
    now = timezone.now()
    SwapRequest.objects.filter(duty=duty, status=SwapRequest.Status.REQUESTED).update(
        status=SwapRequest.Status.WITHDRAWN, decided_at=now
    )
    swap = SwapRequest.objects.create(
        duty=duty,
        from_volunteer=duty.volunteer,
        to_volunteer=to_volunteer,
        status=SwapRequest.Status.ACCEPTED,
        decided_at=now,
    )
    before = duty.volunteer
    duty.volunteer = to_volunteer
    duty.save(update_fields=["volunteer"])
    audit.record("update", swap, actor=actor, changes={"arranged_by_chief": True, "to": to_volunteer.pk})
    for person in (before, to_volunteer):
        if person.user_id:
            user = person.user
            transaction.on_commit(
                lambda user=user: notify_services.notify_user(
                    user,
                    key=f"swap:{swap.pk}:arranged:{user.pk}",
                    subject=_("Duty changed: %(shift)s") % {"shift": duty.shift},
                    body=_("The team chief handed the duty from %(from)s to %(to)s.")
                    % {"from": before.name, "to": to_volunteer.name},
                    link=reverse("volunteers:my_duties"),
                )
            )
    return swap
