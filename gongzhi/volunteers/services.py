"""Every write to volunteers, activities and the points ledger: check scope, validate, lock, audit."""

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions, pii
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import EXPORT, WRITE
from gongzhi.notifications import services as notify_services
from gongzhi.org.models import Neighborhood, PartyOrg, Subdistrict
from gongzhi.volunteers import assignment as engine
from gongzhi.volunteers import availability
from gongzhi.volunteers.models import (
    Activity,
    Balance,
    CallUpAnswer,
    Emergency,
    EmergencyPost,
    EmergencyShift,
    EmergencySquad,
    HonourRollEntry,
    HouseholdRating,
    LedgerEntry,
    MicroWish,
    PointRule,
    PostAssignment,
    PostNeed,
    Redemption,
    RedemptionItem,
    RosterDuty,
    RosterPattern,
    RosterShift,
    SignUp,
    SwapRequest,
    Volunteer,
    VolunteerTeam,
)

HOURS = Decimal("0.01")
MAX_SIGNUP_HOURS = Decimal("24")


def require(actor, obj, action: str = WRITE) -> None:
    """Refuse an action outside the actor's scope; records they cannot even read look absent."""
    if permissions.can(actor, obj, action):
        return
    if permissions.can(actor, obj, permissions.READ):
        raise PermissionDenied(_("You may not change this record."))
    raise NotInScope(_("No such record in your area."))


def _require_create(actor, model, neighborhood: Neighborhood) -> None:
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    if permissions.can_create(actor, model, path):
        return
    if permissions.scoped(actor, Neighborhood.objects.filter(pk=neighborhood.pk)).exists():
        raise PermissionDenied(_("You may not add this here."))
    raise NotInScope(_("No such neighborhood in your area."))


def _skills(value: str) -> str:
    words = sorted({w.strip().lower() for w in (value or "").replace("，", ",").split(",") if w.strip()})
    return ",".join(words)


# --- volunteers and teams -------------------------------------------------------------------


@transaction.atomic
def register_volunteer(
    *,
    actor,
    neighborhood: Neighborhood,
    name: str,
    kind: str = Volunteer.Kind.RESIDENT,
    skills: str = "",
    phone: str = "",
    availability: str = "",
    max_shifts: int = 2,
    reserve: bool = False,
    **links,
) -> Volunteer:
    """A volunteer in the neighborhood; links name the resident, party member, partner unit or user they are."""
    _require_create(actor, Volunteer, neighborhood)
    try:
        phone = pii.validate_phone(phone) if phone else ""
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    for field, linked in links.items():
        _require_linked_in_area(field, linked, neighborhood)
    volunteer = Volunteer(
        neighborhood=neighborhood,
        name=(name or "").strip(),
        kind=kind,
        skills=_skills(skills),
        phone=phone,
        availability=_availability(availability),
        max_shifts=max_shifts,
        reserve=bool(reserve),
        **links,
    )
    volunteer.full_clean()
    volunteer.save()
    Balance.objects.create(volunteer=volunteer)
    audit.record(
        "create",
        volunteer,
        actor=actor,
        changes={"kind": kind, "skills": volunteer.skills, "reserve": volunteer.reserve},
    )
    return volunteer


def _availability(text: str) -> str:
    try:
        availability.parse(text)
    except ValueError as exc:
        raise ValidationError(
            {"availability": _("“%(piece)s” is not a time window like 08:00-12:00.") % {"piece": exc.args[0]}}
        ) from None
    return ", ".join(p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip())


def _require_linked_in_area(field: str, linked, neighborhood: Neighborhood) -> None:
    """A linked resident or partner unit must belong to the volunteer's subdistrict."""
    if linked is None:
        return
    if field == "resident":
        subdistrict = linked.household.neighborhood.subdistrict_id if linked.household_id else None
    elif field == "party_member":
        subdistrict = linked.party_org.subdistrict_id
    elif field == "partner_unit":
        subdistrict = linked.subdistrict_id
    else:
        return
    if subdistrict is not None and subdistrict != neighborhood.subdistrict_id:
        raise ValidationError({field: _("Not in this subdistrict.")})


@transaction.atomic
def create_team(*, actor, neighborhood: Neighborhood, name: str, chief=None) -> VolunteerTeam:
    _require_create(actor, VolunteerTeam, neighborhood)
    team = VolunteerTeam(neighborhood=neighborhood, name=(name or "").strip(), chief=chief)
    team.full_clean()
    team.save()
    audit.record("create", team, actor=actor)
    return team


# --- activities and sign-ups ----------------------------------------------------------------


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
        skills_wanted=_skills(skills_wanted),
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


@transaction.atomic
def scan_check_in(*, actor, token: str) -> SignUp:
    """The volunteer scans the activity's QR code: the first scan checks in, the second out."""
    activity = Activity.objects.filter(check_in_token=token).first()
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if activity is None or volunteer is None:
        raise NotInScope(_("This code does not belong to an activity you signed up for."))
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignUp.Status.CONFIRMED)
        .first()
    )
    if signup is None:
        raise NotInScope(_("This code does not belong to an activity you signed up for."))
    now = timezone.now()
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        action = "check_in"
    elif signup.checked_out_at is None:
        signup.checked_out_at = now
        action = "check_out"
    else:
        return signup  # a third scan changes nothing
    signup.save(update_fields=["checked_in_at", "checked_out_at"])
    audit.record("update", signup, actor=actor, changes={action: str(now)})
    return signup


def served_hours(signup: SignUp) -> Decimal:
    """Hours between check-in and check-out, within the activity's own time."""
    start = max(signup.checked_in_at, signup.activity.starts_at)
    end = min(signup.checked_out_at, signup.activity.ends_at)
    seconds = max(int((end - start).total_seconds()), 0)
    return (Decimal(seconds) / 3600).quantize(HOURS, ROUND_DOWN)


def _parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip()).quantize(HOURS, ROUND_DOWN)
    except InvalidOperation:
        raise ValidationError({"hours": _("Hours must be a number.")}) from None
    if hours <= 0 or hours > MAX_SIGNUP_HOURS:
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    return hours


def _may_confirm(actor, activity: Activity) -> bool:
    return activity.team.chief_id == actor.pk and permissions.can(actor, activity, WRITE)


@transaction.atomic
def confirm_hours(*, actor, signup: SignUp, hours=None) -> LedgerEntry:
    """The team chief confirms service hours; they earn points by the subdistrict's active rule."""
    require(actor, signup)
    signup = (
        SignUp.objects.select_for_update().select_related("activity__team", "volunteer").get(pk=signup.pk)
    )
    if not _may_confirm(actor, signup.activity):
        raise PermissionDenied(_("Only the team chief confirms hours."))
    if signup.hours_confirmed_at is not None:
        return signup.ledger_entry
    if signup.status != SignUp.Status.CONFIRMED or signup.checked_out_at is None:
        raise ValidationError(_("Hours are confirmed after the volunteer checks out."))
    signup.hours = _parse_hours(hours) if hours not in (None, "") else served_hours(signup)
    signup.hours_confirmed_by, signup.hours_confirmed_at = actor, timezone.now()
    signup.save(update_fields=["hours", "hours_confirmed_by", "hours_confirmed_at"])
    rule = active_rule(signup.activity.neighborhood.subdistrict_id)
    points = int(signup.hours * rule.points_per_hour) if rule else 0
    return _post(
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


# --- points and time bank -------------------------------------------------------------------


def active_rule(subdistrict_id: int) -> PointRule | None:
    return (
        PointRule.objects.filter(subdistrict_id=subdistrict_id, active=True)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def set_point_rule(*, actor, subdistrict: Subdistrict, name: str, points_per_hour) -> PointRule:
    """A new rule replaces the active one for hours confirmed from now on; past entries keep theirs."""
    if not permissions.can_create(actor, PointRule, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict sets point rules."))
    try:
        rate = int(points_per_hour)
    except (TypeError, ValueError):
        raise ValidationError({"points_per_hour": _("Points per hour must be a whole number.")}) from None
    if rate < 0:
        raise ValidationError({"points_per_hour": _("Points per hour cannot be negative.")})
    PointRule.objects.filter(subdistrict=subdistrict, active=True).update(active=False)
    rule = PointRule.objects.create(
        subdistrict=subdistrict, name=(name or "").strip() or str(rate), points_per_hour=rate
    )
    audit.record("create", rule, actor=actor, changes={"points_per_hour": rate})
    return rule


@transaction.atomic
def add_redemption_item(
    *, actor, subdistrict: Subdistrict, name: str, kind: str, cost_points, stock, min_stars: int = 0
) -> RedemptionItem:
    if not permissions.can_create(actor, RedemptionItem, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict lists redemption items."))
    item = RedemptionItem(
        subdistrict=subdistrict,
        name=(name or "").strip(),
        kind=kind,
        cost_points=cost_points,
        stock=stock,
        min_stars=min_stars,
    )
    if not 0 <= int(min_stars) <= 3:
        raise ValidationError({"min_stars": _("Stars needed are 0 to 3.")})
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor, changes={"cost_points": cost_points, "stock": stock})
    return item


def _locked_balance(volunteer: Volunteer) -> Balance:
    """The per-person row every ledger entry locks; made on first use if an import skipped it."""
    balance = Balance.objects.select_for_update().filter(volunteer=volunteer).first()
    if balance is None:
        try:
            with transaction.atomic():
                Balance.objects.create(volunteer=volunteer)
        except IntegrityError:
            pass  # made meanwhile by a concurrent entry
        balance = Balance.objects.select_for_update().get(volunteer=volunteer)
    return balance


def _post(entry: LedgerEntry, actor) -> LedgerEntry:
    """Write one entry and move the balance with it; refuse anything that would go below zero."""
    balance = _locked_balance(entry.volunteer)
    if balance.points + entry.points < 0:
        raise ValidationError({"points": _("Not enough points.")})
    if balance.hours + entry.hours < 0:
        raise ValidationError({"hours": _("Not enough banked hours.")})
    balance.points = F("points") + entry.points
    balance.hours = F("hours") + entry.hours
    balance.save(update_fields=["points", "hours"])
    entry.save()
    audit.record(
        "create",
        entry,
        actor=actor,
        summary=f"{entry.volunteer} {entry.points:+d} / {entry.hours:+}h",
        changes={"kind": entry.kind, "points": entry.points, "hours": str(entry.hours)},
    )
    return entry


@transaction.atomic
def redeem(*, actor, volunteer: Volunteer, item: RedemptionItem) -> Redemption:
    """Spend points on an item while stock lasts. The balance row lock serialises a person's spending."""
    require(actor, volunteer)
    item = RedemptionItem.objects.select_for_update().get(pk=item.pk)
    if item.subdistrict_id != volunteer.neighborhood.subdistrict_id:
        raise NotInScope(_("No such item in your area."))
    if item.stock < 1:
        raise ValidationError({"item": _("This item is out of stock.")})
    if item.min_stars and household_stars(volunteer) < item.min_stars:
        raise ValidationError(
            {"item": _("This benefit needs a household rated %(n)s stars or more.") % {"n": item.min_stars}}
        )
    redemption = Redemption.objects.create(
        volunteer=volunteer, item=item, points=item.cost_points, created_by=actor
    )
    _post(
        LedgerEntry(
            volunteer=volunteer,
            kind=LedgerEntry.Kind.REDEEMED,
            points=-item.cost_points,
            redemption=redemption,
            memo=item.name,
            created_by=actor,
        ),
        actor,
    )
    RedemptionItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
    return redemption


@transaction.atomic
def use_banked_hours(*, actor, volunteer: Volunteer, hours, memo: str) -> LedgerEntry:
    """Draw on the time bank for a service received (e.g. elderly care); the memo says which."""
    require(actor, volunteer)
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Say which service the hours paid for.")})
    return _post(
        LedgerEntry(
            volunteer=volunteer,
            kind=LedgerEntry.Kind.BANK_WITHDRAWAL,
            hours=-_parse_hours(hours),
            memo=memo.strip()[:255],
            created_by=actor,
        ),
        actor,
    )


@transaction.atomic
def reverse_entry(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a mistaken entry by its exact opposite; a reversed redemption returns its stock."""
    require(actor, entry)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    entry = LedgerEntry.objects.select_related("volunteer").get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError(_("A correction is not itself reversed; post a new entry instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    reversal = _post(
        LedgerEntry(
            volunteer=entry.volunteer,
            kind=LedgerEntry.Kind.REVERSAL,
            points=-entry.points,
            hours=-entry.hours,
            reverses=entry,
            memo=reason.strip()[:255],
            created_by=actor,
        ),
        actor,
    )
    if entry.redemption_id:
        RedemptionItem.objects.filter(pk=entry.redemption.item_id).update(stock=F("stock") + 1)
    return reversal


def export_statement(*, actor, volunteer: Volunteer) -> bytes:
    """The person's time-bank and points statement as an xlsx workbook; the export is audited."""
    from openpyxl import Workbook

    if not permissions.can(actor, volunteer, EXPORT):
        require(actor, volunteer, permissions.READ)
        raise PermissionDenied(_("You may not export statements."))
    book = Workbook()
    sheet = book.active
    sheet.title = "statement"
    sheet.append(
        [_("date"), _("kind"), _("source"), _("points"), _("hours"), _("points balance"), _("hours balance")]
    )
    points, hours = 0, Decimal("0")
    for entry in volunteer.ledger_entries.order_by("created_at", "id"):
        points, hours = points + entry.points, hours + entry.hours
        local = timezone.localtime(entry.created_at)
        sheet.append(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                str(entry.get_kind_display()),
                entry.memo,
                entry.points,
                entry.hours,
                points,
                hours,
            ]
        )
    out = BytesIO()
    book.save(out)
    audit.record("export", volunteer, actor=actor, summary=f"statement of {volunteer}")
    return out.getvalue()


# --- emergency call-up ----------------------------------------------------------------------


@transaction.atomic
def open_emergency(
    *,
    actor,
    subdistrict: Subdistrict,
    title: str,
    neighborhood: Neighborhood | None = None,
    min_rest_minutes=480,
) -> Emergency:
    path = {"subdistrict": subdistrict.pk, "neighborhood": neighborhood.pk if neighborhood else None}
    if not permissions.can_create(actor, Emergency, path):
        raise PermissionDenied(_("You may not open an emergency here."))
    emergency = Emergency(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        title=(title or "").strip(),
        min_rest_minutes=min_rest_minutes,
    )
    emergency.full_clean()
    emergency.save()
    audit.record("create", emergency, actor=actor)
    return emergency


@transaction.atomic
def add_post(*, actor, emergency: Emergency, name: str, latitude, longitude, post_lead=None) -> EmergencyPost:
    require(actor, emergency)
    post = EmergencyPost(
        emergency=emergency,
        name=(name or "").strip(),
        latitude=latitude,
        longitude=longitude,
        post_lead=post_lead,
    )
    post.full_clean()
    post.save()
    audit.record("create", post, actor=actor, area=(emergency.subdistrict_id, emergency.neighborhood_id))
    return post


@transaction.atomic
def add_shift(*, actor, emergency: Emergency, starts_at, ends_at) -> EmergencyShift:
    require(actor, emergency)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    shift = EmergencyShift.objects.create(emergency=emergency, starts_at=starts_at, ends_at=ends_at)
    audit.record("create", shift, actor=actor, area=(emergency.subdistrict_id, emergency.neighborhood_id))
    return shift


@transaction.atomic
def set_need(*, actor, post: EmergencyPost, shift: EmergencyShift, count, skill: str = "") -> PostNeed:
    require(actor, post.emergency)
    if post.emergency_id != shift.emergency_id:
        raise ValidationError(_("The post and the shift belong to different emergencies."))
    need, _created = PostNeed.objects.update_or_create(
        post=post, shift=shift, skill=_skills(skill), defaults={"count": int(count)}
    )
    audit.record(
        "update", need, actor=actor, changes={"count": need.count}, area=(post.emergency.subdistrict_id, None)
    )
    return need


@transaction.atomic
def call_up(
    *,
    actor,
    emergency: Emergency,
    skill: str = "",
    in_service_only: bool = False,
    partner_units=(),
    reserve_only: bool = False,
    within_km=None,
) -> int:
    """Call up the emergency's area's volunteers, narrowed by any of: a skill, in-service party
    members, the staff of chosen partner units, reserve volunteers, and homes within `within_km`
    of a post (someone whose home is unknown is then left out: nobody can say they are near).

    Each gets one `CallUpAnswer` whose unguessable token is in their yes and no links, sent
    through notifications (inbox, email and SMS of those with an account, else SMS to their
    phone); the messages are queued here and carried after the commit. Calling up twice reaches
    only those not yet called. Returns how many were newly called.
    """
    require(actor, emergency)
    if emergency.status != Emergency.Status.OPEN:
        raise ValidationError(_("This emergency is closed."))
    found = Volunteer.objects.filter(neighborhood__subdistrict_id=emergency.subdistrict_id)
    if emergency.neighborhood_id:
        found = found.filter(neighborhood_id=emergency.neighborhood_id)
    if in_service_only:
        found = found.filter(party_member__in_service=True)
    units = list(partner_units or ())
    if any(u.subdistrict_id != emergency.subdistrict_id for u in units):
        raise ValidationError({"partner_units": _("A partner unit is not in this emergency's subdistrict.")})
    if units:
        found = found.filter(partner_unit__in=units)
    if reserve_only:
        found = found.filter(reserve=True)
    wanted = _skills(skill)
    chosen = [v for v in found.only("id", "skills") if not wanted or wanted in v.skill_set]
    if within_km is not None:
        chosen = _near_posts(emergency, chosen, within_km)
    already = set(emergency.answers.values_list("volunteer_id", flat=True))
    new_ids = [v.pk for v in chosen if v.pk not in already]
    CallUpAnswer.objects.bulk_create(
        [CallUpAnswer(emergency=emergency, volunteer_id=pk) for pk in new_ids],
        ignore_conflicts=True,
        batch_size=1000,
    )
    answers = CallUpAnswer.objects.filter(emergency=emergency, volunteer_id__in=new_ids).select_related(
        "volunteer__user", "volunteer__resident"
    )
    items = []
    for answer in answers.iterator(chunk_size=1000):
        answer.emergency = emergency
        items += call_up_messages(answer)
    queued = notify_services.send_many(items)
    audit.record(
        "create",
        emergency,
        actor=actor,
        summary=f"call-up: {len(new_ids)} volunteers",
        changes={
            "called": len(new_ids),
            "messages": queued,
            "skill": wanted,
            "in_service_only": in_service_only,
            "partner_units": [u.pk for u in units],
            "reserve_only": reserve_only,
            "within_km": None if within_km is None else str(within_km),
        },
    )
    if queued:
        transaction.on_commit(_deliver_after_commit)
    return len(new_ids)


def _near_posts(emergency: Emergency, chosen: list[Volunteer], within_km) -> list[Volunteer]:
    """Those whose home is within the distance of the nearest of the emergency's posts."""
    try:
        limit_m = float(within_km) * 1000
    except (TypeError, ValueError):
        raise ValidationError({"within_km": _("Distance must be a number of kilometres.")}) from None
    if limit_m <= 0:
        raise ValidationError({"within_km": _("Distance must be more than zero.")})
    posts = [engine.Post(p.pk, float(p.latitude), float(p.longitude)) for p in emergency.posts.all()]
    if not posts:
        raise ValidationError({"within_km": _("Add the posts first: distance is measured to them.")})
    homes = Volunteer.objects.filter(pk__in=[v.pk for v in chosen]).select_related(
        "resident__household__building"
    )
    located = [(v, v.home()) for v in homes]
    located = [(v, home) for v, home in located if home is not None]
    if not located:
        return []
    points = [engine.Volunteer(v.pk, home[0], home[1]) for v, home in located]
    nearest = engine.distances_m(points, posts).min(axis=1)
    return [v for (v, _home), metres in zip(located, nearest, strict=True) if metres <= limit_m]


def _deliver_after_commit() -> None:
    from gongzhi.notifications.tasks import deliver_pending

    deliver_pending.enqueue()


def answer_paths(answer: CallUpAnswer) -> tuple[str, str]:
    # One reverse for the pattern, then the token put in: a call-up builds thousands of links.
    pattern = reverse("volunteers:answer_choice", args=["TOKEN", "CHOICE"]).replace("TOKEN", answer.token)
    return pattern.replace("CHOICE", "yes"), pattern.replace("CHOICE", "no")


def call_up_messages(answer: CallUpAnswer) -> list[dict]:
    """The messages calling up one volunteer: keyed by the answer, so a retry sends nothing new."""
    volunteer, emergency = answer.volunteer, answer.emergency
    yes_path, no_path = answer_paths(answer)
    yes, no = notify_services.outside_link(yes_path), notify_services.outside_link(no_path)
    subject = _("Call-up: %(title)s") % {"title": emergency.title}
    body = _("%(name)s, can you serve? Yes: %(yes)s  No: %(no)s") % {
        "name": volunteer.name,
        "yes": yes,
        "no": no,
    }
    key = f"callup:{answer.pk}"
    targets: list[tuple[str, str]] = []
    user = volunteer.user
    if user is not None:
        targets = [("inbox", "")] + notify_services.contact_channels(user)
    if not any(channel == "sms" for channel, _address in targets) and volunteer.contact_phone():
        targets.append(("sms", volunteer.contact_phone()))
    return [
        {
            "key": f"{key}/{channel}",
            "channel": channel,
            "address": address,
            "subject": subject,
            "body": body,
            "link": yes_path if channel == "inbox" else yes,
            "user": user if channel == "inbox" else None,
        }
        for channel, address in targets
    ]


@transaction.atomic
def answer_call_up(*, token: str, accept: bool) -> CallUpAnswer:
    """The volunteer answers from the link; the token is their proof. A later 'no' drops them out."""
    answer = CallUpAnswer.objects.select_for_update().select_related("emergency").filter(token=token).first()
    if answer is None or answer.emergency.status != Emergency.Status.OPEN:
        raise NotInScope(_("This call-up link is not valid."))
    if (
        not accept
        and answer.answer == CallUpAnswer.Answer.YES
        and answer.volunteer.post_assignments.filter(emergency=answer.emergency).exists()
    ):
        return _drop_out(answer, actor=answer.volunteer.user)
    answer.answer = CallUpAnswer.Answer.YES if accept else CallUpAnswer.Answer.NO
    answer.answered_at = timezone.now()
    answer.save(update_fields=["answer", "answered_at"])
    audit.record(
        "update",
        answer,
        actor=answer.volunteer.user,
        changes={"answer": answer.answer},
        area=(answer.emergency.subdistrict_id, None),
    )
    return answer


def _engine_inputs(emergency: Emergency):
    posts = list(emergency.posts.all())
    shifts = list(emergency.shifts.all())
    needs = [
        engine.Need(n.post_id, n.shift_id, n.count, n.skill or None)
        for n in PostNeed.objects.filter(post__emergency=emergency)
    ]
    accepted = Volunteer.objects.filter(
        call_up_answers__emergency=emergency, call_up_answers__answer=CallUpAnswer.Answer.YES
    ).select_related("resident__household__building")
    # Someone without a recorded home is placed at the posts' centre: travel then does not
    # favour or punish them, and the other rules still hold.
    centre = (
        sum(float(p.latitude) for p in posts) / max(len(posts), 1),
        sum(float(p.longitude) for p in posts) / max(len(posts), 1),
    )
    people = []
    for v in accepted:
        lat, lon = v.home() or centre
        people.append(
            engine.Volunteer(v.pk, lat, lon, v.skill_set, v.max_shifts, _available_shifts(v, shifts))
        )
    origin = min((s.starts_at for s in shifts), default=timezone.now())
    minutes = [
        engine.Shift(
            s.pk,
            int((s.starts_at - origin).total_seconds() // 60),
            int((s.ends_at - origin).total_seconds() // 60),
        )
        for s in shifts
    ]
    places = [engine.Post(p.pk, float(p.latitude), float(p.longitude)) for p in posts]
    return people, places, minutes, needs, engine.Rules(min_rest_minutes=emergency.min_rest_minutes)


def _available_shifts(volunteer: Volunteer, shifts: list[EmergencyShift]) -> frozenset[int] | None:
    """The shifts inside the volunteer's daily windows (local time); None when they set none."""
    try:
        windows = availability.parse(volunteer.availability)
    except ValueError:
        return None  # text from before the windows were checked: no limit rather than no shifts
    if not windows:
        return None
    fitting = set()
    for shift in shifts:
        start = timezone.localtime(shift.starts_at)
        minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
        if availability.fits(windows, start.hour * 60 + start.minute, minutes):
            fitting.add(shift.pk)
    return frozenset(fitting)


def _current_plan(emergency: Emergency) -> engine.Plan:
    return engine.Plan(
        [
            engine.Placement(a.volunteer_id, a.post_id, a.shift_id, a.skill or None)
            for a in emergency.assignments.all()
        ]
    )


def _store_plan(emergency: Emergency, plan: engine.Plan) -> None:
    PostAssignment.objects.bulk_create(
        PostAssignment(
            emergency=emergency,
            post_id=p.post_id,
            shift_id=p.shift_id,
            volunteer_id=p.volunteer_id,
            skill=p.skill or "",
        )
        for p in plan.placements
    )


@transaction.atomic
def plan_assignment(*, actor, emergency: Emergency) -> int:
    """Assign every accepted volunteer afresh; returns the number of places filled."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    plan = engine.assign(*_engine_inputs(emergency))
    emergency.assignments.all().delete()
    _store_plan(emergency, plan)
    audit.record(
        "update", emergency, actor=actor, summary="assignment plan", changes={"filled": len(plan.placements)}
    )
    return len(plan.placements)


def _drop_out(answer: CallUpAnswer, actor) -> CallUpAnswer:
    emergency = Emergency.objects.select_for_update().get(pk=answer.emergency_id)
    people, places, shifts, needs, rules = _engine_inputs(emergency)
    before = _current_plan(emergency)
    answer.answer, answer.answered_at = CallUpAnswer.Answer.DROPPED, timezone.now()
    answer.save(update_fields=["answer", "answered_at"])
    after = engine.reassign(before, answer.volunteer_id, people, places, shifts, needs, rules)
    emergency.assignments.filter(volunteer_id=answer.volunteer_id).delete()
    kept = set(before.placements)
    _store_plan(emergency, engine.Plan([p for p in after.placements if p not in kept]))
    audit.record(
        "update", answer, actor=actor, changes={"answer": "dropped"}, area=(emergency.subdistrict_id, None)
    )
    return answer


@transaction.atomic
def drop_out(*, actor, emergency: Emergency, volunteer: Volunteer) -> CallUpAnswer:
    """Staff record that someone cannot serve: only their places are refilled."""
    require(actor, emergency)
    answer = CallUpAnswer.objects.select_for_update().get(emergency=emergency, volunteer=volunteer)
    return _drop_out(answer, actor)


def export_plan(*, actor, emergency: Emergency) -> bytes:
    """The assignment plan as xlsx: one sheet per post and shift, one per person; audited."""
    from openpyxl import Workbook

    if not permissions.can(actor, emergency, EXPORT):
        require(actor, emergency, permissions.READ)
        raise PermissionDenied(_("You may not export the plan."))
    from gongzhi.volunteers import selectors

    book = Workbook()
    by_post = book.active
    by_post.title = _("by post")
    by_post.append([_("post"), _("post lead"), _("shift"), _("people needed"), _("filled"), _("volunteers")])
    for row in selectors.plan_rows(emergency):
        lead = row["post"].post_lead
        by_post.append(
            [
                row["post"].name,
                lead.name if lead else "",
                _shift_label(row["shift"]),
                row["needed"],
                row["filled"],
                "、".join(row["people"]),
            ]
        )
    by_person = book.create_sheet(_("by person"))
    by_person.append([_("volunteer"), _("shift"), _("post"), _("skill")])
    for row in selectors.person_rows(emergency):
        for place in row["places"]:
            by_person.append(
                [row["volunteer"].name, _shift_label(place["shift"]), place["post"].name, place["skill"]]
            )
    out = BytesIO()
    book.save(out)
    audit.record("export", emergency, actor=actor, summary=f"assignment plan of {emergency}")
    return out.getvalue()


def _shift_label(shift: EmergencyShift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


@transaction.atomic
def close_emergency(*, actor, emergency: Emergency) -> Emergency:
    """Stand down: answer links stop working; the plan and answers are kept as the record."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if emergency.status == Emergency.Status.CLOSED:
        return emergency
    emergency.status = Emergency.Status.CLOSED
    emergency.save(update_fields=["status"])
    # Its temporary branches and squads are dissolved; their records stay.
    emergency.squads.filter(dissolved_at__isnull=True).update(dissolved_at=timezone.now())
    audit.record("update", emergency, actor=actor, changes={"status": "closed"})
    return emergency


# --- micro-wishes -----------------------------------------------------------------------------


@transaction.atomic
def post_wish(
    *,
    actor,
    neighborhood: Neighborhood,
    title: str,
    description: str = "",
    resident=None,
    wisher_name: str = "",
    building=None,
) -> MicroWish:
    """A worker posts a wish for a resident in their area, or a resident posts their own."""
    own = getattr(actor, "resident", None) if getattr(actor, "is_authenticated", False) else None
    if own is not None and (resident is None or resident.pk == own.pk) and own.household_id:
        resident = own
        if own.household.neighborhood_id != neighborhood.pk:
            raise NotInScope(_("No such neighborhood in your area."))
    else:
        _require_create(actor, MicroWish, neighborhood)
    if resident is not None:
        wisher_name = wisher_name or resident.name
        if building is None and resident.household_id:
            building = resident.household.building
    wish = MicroWish(
        neighborhood=neighborhood,
        building=building,
        resident=resident,
        wisher_name=(wisher_name or "").strip(),
        title=(title or "").strip(),
        description=(description or "").strip(),
        posted_by=actor,
    )
    if building is not None and building.neighborhood_id != neighborhood.pk:
        raise ValidationError({"building": _("The building is not in this neighborhood.")})
    wish.full_clean()
    wish.save()
    audit.record("create", wish, actor=actor, changes={"title": wish.title})
    return wish


def _may_claim_for(actor, wish: MicroWish, party_member, partner_unit) -> bool:
    if permissions.can(actor, wish, WRITE):
        return True
    volunteer = getattr(actor, "volunteer", None) if getattr(actor, "is_authenticated", False) else None
    if party_member is not None and volunteer is not None and volunteer.party_member_id == party_member.pk:
        return True
    return partner_unit is not None and permissions.can(actor, partner_unit, WRITE)


def claim_wish(*, actor, wish: MicroWish, party_member=None, partner_unit=None) -> MicroWish:
    """A party member or partner unit takes the wish on. Of several claiming at once exactly one
    wins: the claim is a conditional UPDATE on an open wish."""
    if (party_member is None) == (partner_unit is None):
        raise ValidationError({"claimer": _("Name one party member or one partner unit.")})
    if not permissions.can(actor, wish, permissions.READ) and not _may_claim_for(
        actor, wish, party_member, partner_unit
    ):
        raise NotInScope(_("No such record in your area."))
    if not _may_claim_for(actor, wish, party_member, partner_unit):
        raise PermissionDenied(_("You may not claim for them."))
    with transaction.atomic():
        won = MicroWish.objects.filter(pk=wish.pk, status=MicroWish.Status.OPEN).update(
            status=MicroWish.Status.CLAIMED,
            claimed_by_member=party_member,
            claimed_by_unit=partner_unit,
            claimed_at=timezone.now(),
        )
        if not won:
            raise ValidationError({"status": _("This wish has already been claimed.")})
        wish.refresh_from_db()
        audit.record("update", wish, actor=actor, changes={"status": "claimed", "claimer": wish.claimer})
        transaction.on_commit(lambda: _tell_about_claim(wish))
    return wish


def _tell_about_claim(wish: MicroWish) -> None:
    """The poster hears who claimed; the resident gets the link to confirm it came true."""
    subject = _("Micro-wish claimed: %(title)s") % {"title": wish.title}
    body = _("%(claimer)s will fulfil it.") % {"claimer": wish.claimer}
    notify_services.notify_user(
        wish.posted_by,
        key=f"wish:{wish.pk}:claimed",
        subject=subject,
        body=body,
        link=reverse("volunteers:wishes"),
    )
    resident = wish.resident
    if resident is None:
        return
    link = notify_services.outside_link(reverse("volunteers:wish_confirm_link", args=[wish.confirm_token]))
    if resident.user_id and resident.user_id != wish.posted_by_id:
        notify_services.notify_user(
            resident.user, key=f"wish:{wish.pk}:confirm", subject=subject, body=body, link=link
        )
    elif resident.phone and not resident.user_id:
        notify_services.send(
            key=f"wish:{wish.pk}:confirm/sms",
            channel="sms",
            address=resident.phone,
            subject=subject,
            body=f"{body} {link}",
            link=link,
        )


@transaction.atomic
def confirm_wish(*, actor=None, wish: MicroWish | None = None, token: str = "") -> MicroWish:
    """The resident confirms from their link (token), or a worker of the area confirms."""
    if token:
        wish = MicroWish.objects.select_for_update().filter(confirm_token=token).first()
        if wish is None:
            raise NotInScope(_("This link is not valid."))
    else:
        require(actor, wish)
        wish = MicroWish.objects.select_for_update().get(pk=wish.pk)
    if wish.status == MicroWish.Status.FULFILLED:
        return wish
    if wish.status != MicroWish.Status.CLAIMED:
        raise ValidationError({"status": _("Only a claimed wish can be confirmed fulfilled.")})
    wish.status, wish.fulfilled_at = MicroWish.Status.FULFILLED, timezone.now()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    wish.confirmed_by = actor if authenticated else None
    wish.save(update_fields=["status", "fulfilled_at", "confirmed_by"])
    audit.record("update", wish, actor=actor, changes={"status": "fulfilled", "by_link": bool(token)})
    return wish


# --- rosters ----------------------------------------------------------------------------------

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
def mark_attendance(*, actor, duty: RosterDuty, attendance: str) -> RosterDuty:
    """After the shift has started, staff or the team chief mark who served and who did not show."""
    duty = RosterDuty.objects.select_for_update().select_related("shift__pattern__team").get(pk=duty.pk)
    if duty.shift.pattern.team.chief_id != getattr(actor, "pk", None):
        require(actor, duty)
    if attendance not in (RosterDuty.Attendance.SERVED, RosterDuty.Attendance.NO_SHOW):
        raise ValidationError({"attendance": _("Mark served or no-show.")})
    if duty.shift.starts_at > timezone.now():
        raise ValidationError({"attendance": _("Attendance is marked once the shift has started.")})
    duty.attendance = attendance
    duty.save(update_fields=["attendance"])
    audit.record("update", duty, actor=actor, changes={"attendance": attendance})
    return duty


# --- household stars, honour roll, temporary branches and squads ----------------------------


def household_stars(volunteer: Volunteer) -> int:
    """Stars of the household the volunteer lives in (0 when unrated or not a registered resident)."""
    resident = volunteer.resident
    if resident is None or resident.household_id is None:
        return 0
    rating = HouseholdRating.objects.filter(household_id=resident.household_id).first()
    return rating.stars if rating else 0


@transaction.atomic
def rate_household(*, actor, household, stars, reason: str) -> HouseholdRating:
    _require_create(actor, HouseholdRating, household.neighborhood)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if stars not in HouseholdRating.Stars.values:
        raise ValidationError({"stars": _("Rate 1, 2 or 3 stars.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why.")})
    rating, _created = HouseholdRating.objects.update_or_create(
        household=household, defaults={"stars": stars, "reason": reason.strip()[:255], "rated_by": actor}
    )
    audit.record("update", rating, actor=actor, changes={"stars": stars})
    return rating


@transaction.atomic
def add_to_honour_roll(
    *,
    actor,
    neighborhood: Neighborhood,
    period: str,
    reason: str,
    household=None,
    volunteer=None,
    partner_unit=None,
) -> HonourRollEntry:
    """Put a household (shown by building and room), a volunteer (masked name) or a shop or
    partner unit on the public honour roll of a period. Listing one twice changes nothing."""
    _require_create(actor, HonourRollEntry, neighborhood)
    chosen = [x for x in (household, volunteer, partner_unit) if x is not None]
    if len(chosen) != 1:
        raise ValidationError({"kind": _("Name one household, volunteer or partner unit.")})
    if household is not None:
        kind, shown = HonourRollEntry.Kind.HOUSEHOLD, f"{household.building.number} {household.room}"
    elif volunteer is not None:
        kind, shown = HonourRollEntry.Kind.VOLUNTEER, pii.mask_name(volunteer.name)
    else:
        kind, shown = HonourRollEntry.Kind.SHOP, partner_unit.name
    if not (period or "").strip() or not (reason or "").strip():
        raise ValidationError(
            {"period" if not (period or "").strip() else "reason": _("This field is required.")}
        )
    entry, created = HonourRollEntry.objects.get_or_create(
        neighborhood=neighborhood,
        period=period.strip(),
        kind=kind,
        shown_name=shown,
        defaults={
            "reason": reason.strip()[:255],
            "household": household,
            "volunteer": volunteer,
            "partner_unit": partner_unit,
            "created_by": actor,
        },
    )
    if created:
        audit.record("create", entry, actor=actor, changes={"period": entry.period, "kind": kind})
    return entry


@transaction.atomic
def form_squad(
    *, actor, emergency: Emergency, kind: str, name: str, leader: Volunteer, members=()
) -> EmergencySquad:
    """Form a temporary party branch (its party organisation is created, branch kind temporary)
    or a squad for the emergency, with its leader and members from the called-up volunteers."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if emergency.status != Emergency.Status.OPEN:
        raise ValidationError(_("This emergency is closed."))
    if kind not in EmergencySquad.Kind.values:
        raise ValidationError({"kind": _("Choose a temporary party branch or a squad.")})
    people = {leader.pk, *(m.pk for m in members)}
    called = set(emergency.answers.filter(volunteer_id__in=people).values_list("volunteer_id", flat=True))
    if called != people:
        raise ValidationError({"members": _("Leader and members must be among those called up.")})
    party_org = None
    if kind == EmergencySquad.Kind.TEMPORARY_BRANCH:
        if leader.party_member_id is None:
            raise ValidationError({"leader": _("A temporary branch is led by a party member.")})
        path = {"subdistrict": emergency.subdistrict_id, "neighborhood": emergency.neighborhood_id}
        if not permissions.can_create(actor, PartyOrg, path):
            raise PermissionDenied(_("You may not set up a party branch here."))
        parent = PartyOrg.objects.filter(
            subdistrict_id=emergency.subdistrict_id,
            neighborhood_id=emergency.neighborhood_id,
            level=PartyOrg.Level.COMMUNITY,
        ).first()
        party_org = PartyOrg.objects.create(
            name=(name or "").strip(),
            level=PartyOrg.Level.BRANCH,
            branch_kind=PartyOrg.BranchKind.TEMPORARY,
            subdistrict_id=emergency.subdistrict_id,
            neighborhood_id=emergency.neighborhood_id,
            parent=parent,
        )
        audit.record("create", party_org, actor=actor, summary=f"temporary branch for {emergency}")
    squad = EmergencySquad(
        emergency=emergency, kind=kind, name=(name or "").strip(), leader=leader, party_org=party_org
    )
    squad.full_clean()
    squad.save()
    squad.members.set([leader, *members])
    audit.record("create", squad, actor=actor, changes={"kind": kind, "members": len(people)})
    return squad
