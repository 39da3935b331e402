"""Activities, sign-ups, check-in and confirmed hours."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import WRITE, require
from gongzhi.core.separation import require_second_person
from gongzhi.volunteers.models import (
    Activity,
    LedgerEntry,
    SignUp,
    Volunteer,
    VolunteerTeam,
)
from gongzhi.volunteers.services.common import HOURS, clean_skills, parse_hours
from gongzhi.volunteers.services.points import active_rule, post_entry


@transaction.atomic
def publish_activity(
    *,
    actor,
    team: VolunteerTeam,
    title: str,
    place: str,
    starts_at,
    ends_at,
    capacity,
    skills_wanted: str = "",
) -> Activity:
    require(actor, team)
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationError({"capacity": _("Capacity must be a whole number.")}) from None
    if capacity < 1:
        raise ValidationError({"capacity": _("Capacity must be at least 1.")})
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The activity must end after it starts.")})
    activity = Activity(
        neighborhood_id=team.neighborhood_id,
        team=team,
        title=(title or "").strip(),
        place=(place or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        skills_wanted=clean_skills(skills_wanted),
    )
    activity.full_clean()
    activity.save()
    audit.record("create", activity, actor=actor, changes={"capacity": capacity})
    return activity


def _may_act_for(actor, volunteer: Volunteer) -> bool:
    """A volunteer signs themself up from the phone; staff with write sign anyone up in their area."""
    own = volunteer.user_id is not None and volunteer.user_id == getattr(actor, "pk", None)
    return own or permissions.can(actor, volunteer, WRITE)


def _locked_activity(activity: Activity) -> Activity:
    # Every change to an activity's line goes through this lock, so capacity is counted once.
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignUp.Status.CONFIRMED).count()


@transaction.atomic
def sign_up(*, actor, activity: Activity, volunteer: Volunteer) -> SignUp:
    """Confirmed while places last, then waitlisted; signing up twice returns the first sign-up."""
    if not _may_act_for(actor, volunteer):
        require(actor, volunteer)
    activity = _locked_activity(activity)
    if activity.status != Activity.Status.OPEN:
        raise ValidationError(_("This activity no longer takes sign-ups."))
    if activity.neighborhood.subdistrict_id != volunteer.neighborhood.subdistrict_id:
        raise ValidationError(_("This activity belongs to another subdistrict."))
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.status != SignUp.Status.CANCELLED:
        return signup
    full = _confirmed_count(activity) >= activity.capacity
    status = SignUp.Status.WAITLISTED if full else SignUp.Status.CONFIRMED
    if signup is None:
        signup = SignUp.objects.create(activity=activity, volunteer=volunteer, status=status)
    else:
        # A cancelled volunteer who signs up again joins the end of the line.
        signup.status, signup.signed_up_at = status, timezone.now()
        signup.save(update_fields=["status", "signed_up_at"])
    audit.record("create", signup, actor=actor, changes={"status": status})
    return signup


@transaction.atomic
def cancel_activity(*, actor, activity: Activity, reason: str = "") -> Activity:
    """Call the activity off: no more sign-ups, and a check-in to it (even one saved offline
    before the news came) is refused with the reason."""
    require(actor, activity)
    activity = _locked_activity(activity)
    if activity.status == Activity.Status.CANCELLED:
        return activity
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    audit.record(
        "update", activity, actor=actor, reason=(reason or "").strip()[:255], changes={"status": "cancelled"}
    )
    return activity


@transaction.atomic
def cancel_signup(*, actor, signup: SignUp) -> SignUp:
    """Cancel; a freed place goes to the longest-waiting volunteer at once."""
    if not _may_act_for(actor, signup.volunteer):
        require(actor, signup)
    activity = _locked_activity(signup.activity)
    signup = SignUp.objects.get(pk=signup.pk)
    if signup.status == SignUp.Status.CANCELLED:
        return signup
    if signup.checked_in_at is not None:
        raise ValidationError(_("A volunteer who has checked in cannot cancel."))
    signup.status = SignUp.Status.CANCELLED
    signup.save(update_fields=["status"])
    audit.record("update", signup, actor=actor, changes={"status": "cancelled"})
    _promote_waitlist(activity, actor)
    return signup


def _promote_waitlist(activity: Activity, actor) -> None:
    free = activity.capacity - _confirmed_count(activity)
    waiting = activity.signups.filter(status=SignUp.Status.WAITLISTED).order_by("signed_up_at", "id")[
        : max(free, 0)
    ]
    for promoted in waiting:
        promoted.status = SignUp.Status.CONFIRMED
        promoted.save(update_fields=["status"])
        audit.record("update", promoted, actor=actor, changes={"status": "confirmed", "promoted": True})


# A check-in opens this long before the activity starts (volunteers come early to set up) and
# closes when it ends; a scan within MIN_STAY of the check-in is the same scan repeated, not a
# check-out (four scans sent at once are one check-in).
CHECK_IN_GRACE = timedelta(minutes=30)
MIN_STAY = timedelta(minutes=5)


@transaction.atomic
def scan_check_in(*, actor, token: str, at=None) -> SignUp:
    """The volunteer scans the activity's QR code: the first scan checks in, a later one out.
    One state change per scan, decided with the sign-up row locked. `at`: when the scan was made
    (a scan saved offline and synced later, field app); now by default."""
    activity = Activity.objects.filter(check_in_token=token).first()
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if activity is None or volunteer is None:
        raise NotInScope(_("This code does not belong to an activity you signed up for."))
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"token": _("This activity was cancelled: there is nothing to check in to.")})
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignUp.Status.CONFIRMED)
        .first()
    )
    if signup is None:
        raise NotInScope(_("This code does not belong to an activity you signed up for."))
    now = at or timezone.now()
    if signup.checked_in_at is None:
        if not activity.starts_at - CHECK_IN_GRACE <= now <= activity.ends_at:
            raise ValidationError(
                _("Check-in opens 30 minutes before the activity starts and closes when it ends.")
            )
        signup.checked_in_at = now
        action = "check_in"
    elif signup.checked_out_at is None and now - signup.checked_in_at >= MIN_STAY:
        signup.checked_out_at = now
        action = "check_out"
    else:
        return signup  # a repeated scan changes nothing
    signup.save(update_fields=["checked_in_at", "checked_out_at"])
    audit.record("update", signup, actor=actor, changes={action: str(now)})
    return signup


def served_hours(signup: SignUp) -> Decimal:
    """Hours between check-in and check-out, within the activity's own time."""
    start = max(signup.checked_in_at, signup.activity.starts_at)
    end = min(signup.checked_out_at, signup.activity.ends_at)
    seconds = max(int((end - start).total_seconds()), 0)
    return (Decimal(seconds) / 3600).quantize(HOURS, ROUND_DOWN)


def hours_cap(signup: SignUp) -> Decimal:
    """The most hours one person may confirm: the time between check-in and check-out, and never
    more than the activity lasts."""
    stayed = signup.checked_out_at - signup.checked_in_at
    length = signup.activity.ends_at - signup.activity.starts_at
    seconds = max(int(min(stayed, length).total_seconds()), 0)
    return (Decimal(seconds) / 3600).quantize(HOURS, ROUND_DOWN)


def _may_confirm(actor, activity: Activity) -> bool:
    return activity.team.chief_id == actor.pk and permissions.can(actor, activity, WRITE)


def _locked_signup(signup: SignUp) -> SignUp:
    return SignUp.objects.select_for_update().select_related("activity__team", "volunteer").get(pk=signup.pk)


@transaction.atomic
def confirm_hours(*, actor, signup: SignUp, hours=None, reason: str = "") -> LedgerEntry | None:
    """The team chief confirms service hours; they earn points by the subdistrict's active rule.
    Hours above `hours_cap` need a reason and wait for a second person (`approve_hours`): then
    None is returned and nothing is credited yet. Nobody confirms their own hours."""
    require(actor, signup)
    signup = _locked_signup(signup)
    if not _may_confirm(actor, signup.activity):
        raise PermissionDenied(_("Only the team chief confirms hours."))
    require_second_person(signup.volunteer.user_id, actor, step=_("Confirming hours"))
    if signup.hours_confirmed_at is not None:
        return signup.ledger_entry
    if signup.status != SignUp.Status.CONFIRMED or signup.checked_out_at is None:
        raise ValidationError(_("Hours are confirmed after the volunteer checks out."))
    hours = parse_hours(hours) if hours not in (None, "") else served_hours(signup)
    cap = hours_cap(signup)
    if hours > cap:
        reason = (reason or "").strip()
        if len(reason) < 4:
            raise ValidationError(
                {
                    "hours": _(
                        "%(hours)s hours is more than the %(cap)s hours between check-in and check-out "
                        "(or the activity's length): give a reason, and a second person approves them."
                    )
                    % {"hours": hours, "cap": cap}
                }
            )
        signup.hours, signup.hours_entered_by, signup.hours_reason = hours, actor, reason[:255]
        signup.save(update_fields=["hours", "hours_entered_by", "hours_reason"])
        audit.record(
            "update", signup, actor=actor, reason=reason, changes={"hours_pending": [str(cap), str(hours)]}
        )
        return None
    signup.hours, signup.hours_entered_by, signup.hours_reason = hours, None, ""
    return _credit(actor, signup)


@transaction.atomic
def approve_hours(*, actor, signup: SignUp) -> LedgerEntry:
    """A second person with write on the activity approves hours entered above the cap."""
    require(actor, signup)
    signup = _locked_signup(signup)
    if signup.hours_confirmed_at is not None:
        return signup.ledger_entry
    if signup.hours_entered_by_id is None:
        raise ValidationError({"hours": _("No hours wait for approval here.")})
    require_second_person(signup.hours_entered_by_id, actor, step=_("Approving hours"))
    require_second_person(signup.volunteer.user_id, actor, step=_("Approving hours"))
    return _credit(actor, signup)


def _credit(actor, signup: SignUp) -> LedgerEntry:
    signup.hours_confirmed_by, signup.hours_confirmed_at = actor, timezone.now()
    signup.save(
        update_fields=[
            "hours",
            "hours_confirmed_by",
            "hours_confirmed_at",
            "hours_entered_by",
            "hours_reason",
        ]
    )
    if signup.hours_entered_by_id:
        audit.record(
            "approve", signup, actor=actor, reason=signup.hours_reason, changes={"hours": str(signup.hours)}
        )
    rule = active_rule(signup.activity.neighborhood.subdistrict_id)
    points = int(signup.hours * rule.points_per_hour) if rule else 0
    return post_entry(
        LedgerEntry(
            volunteer=signup.volunteer,
            kind=LedgerEntry.Kind.EARNED,
            points=points,
            hours=signup.hours,
            signup=signup,
            rule=rule,
            memo=signup.activity.title[:255],
            created_by=actor,
        ),
        actor,
    )


# --- the chief's list and the paper sign-in sheet (issue 23) ------------------------------------
# Most volunteers have no account (elderly volunteers above all), so the team chief, or the area's
# staff, checks people in and out from the activity's list, live or from a paper sheet afterwards.
CLOCK_SKEW = timedelta(minutes=2)


def may_take_attendance(actor, activity: Activity) -> bool:
    """The activity's team chief, or staff who may change the activity."""
    return activity.team.chief_id == getattr(actor, "pk", None) or permissions.can(actor, activity, WRITE)


def _require_attendance(actor, activity: Activity) -> None:
    if not may_take_attendance(actor, activity):
        require(actor, activity)
        raise PermissionDenied(_("Only the team chief or the area's staff check volunteers in and out."))


def _check_moment(activity: Activity, at, field: str):
    now = timezone.now()
    if at > now + CLOCK_SKEW:
        raise ValidationError({field: _("The time is still to come.")})
    if not activity.starts_at - CHECK_IN_GRACE <= at <= activity.ends_at + CHECK_IN_GRACE:
        raise ValidationError(
            {
                field: _(
                    "The time must lie within the activity (from 30 minutes before it starts to 30 minutes after it ends)."
                )
            }
        )
    return at


@transaction.atomic
def record_attendance(*, actor, signup: SignUp, action: str, at=None) -> SignUp:
    """The chief checks one signed-up volunteer in ("in") or out ("out") at `at` (now if None).
    Doing it again changes nothing; once hours are confirmed, times stay as they are."""
    activity = signup.activity
    _require_attendance(actor, activity)
    signup = _locked_signup(signup)
    if signup.status != SignUp.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed sign-up is checked in."))
    if action not in ("in", "out"):
        raise ValidationError(_("Check in or check out."))
    at = _check_moment(activity, at or timezone.now(), "at")
    if action == "in":
        if signup.checked_in_at is not None:
            return signup
        signup.checked_in_at = at
    else:
        if signup.checked_in_at is None:
            raise ValidationError({"at": _("Check the volunteer in first.")})
        if signup.checked_out_at is not None:
            return signup
        if at <= signup.checked_in_at:
            raise ValidationError({"at": _("The check-out must come after the check-in.")})
        signup.checked_out_at = at
    signup.save(update_fields=["checked_in_at", "checked_out_at"])
    audit.record("update", signup, actor=actor, changes={f"check_{action}": str(at), "by": "chief"})
    return signup


@transaction.atomic
def record_paper_sheet(*, actor, activity: Activity, volunteer: Volunteer, arrived, left) -> SignUp:
    """One line of a paper sign-in sheet typed in afterwards: who came, when they arrived and left.
    Someone who came without signing up is added to the activity. The same line typed again
    changes nothing; a different time for someone already recorded is refused."""
    _require_attendance(actor, activity)
    if not permissions.can(actor, volunteer) and volunteer.team_id != activity.team_id:
        raise NotInScope(_("No such record in your area."))
    if volunteer.neighborhood.subdistrict_id != activity.neighborhood.subdistrict_id:
        raise ValidationError({"volunteer": _("This activity belongs to another subdistrict.")})
    arrived = _check_moment(activity, arrived, "arrived")
    left = _check_moment(activity, left, "left")
    if left <= arrived:
        raise ValidationError({"left": _("The time of leaving must come after the time of arriving.")})
    activity = _locked_activity(activity)
    signup = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if signup is None:
        signup = SignUp.objects.create(activity=activity, volunteer=volunteer, status=SignUp.Status.CONFIRMED)
        audit.record("create", signup, actor=actor, changes={"status": "confirmed", "paper_sheet": True})
    elif signup.status != SignUp.Status.CONFIRMED:
        signup.status = SignUp.Status.CONFIRMED
        signup.save(update_fields=["status"])
    if (signup.checked_in_at, signup.checked_out_at) == (arrived, left):
        return signup
    if signup.checked_in_at is not None or signup.checked_out_at is not None:
        raise ValidationError(
            {
                "volunteer": _("%(name)s is already checked in or out for this activity.")
                % {"name": volunteer.name}
            }
        )
    signup.checked_in_at, signup.checked_out_at = arrived, left
    signup.save(update_fields=["checked_in_at", "checked_out_at"])
    audit.record(
        "update", signup, actor=actor, changes={"arrived": str(arrived), "left": str(left), "by": "paper"}
    )
    return signup
