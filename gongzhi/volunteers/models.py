"""Volunteers, teams, activities with sign-ups, and the points and time-bank ledger.

The ledger is append-only: `LedgerEntry` rows are never updated or deleted; a mistake is undone
by a reversing entry. `Balance` is the per-person running total, locked and changed in the same
transaction as each entry, and a check constraint keeps it from ever going below zero.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.fields import EncryptedTextField
from gongzhi.org.models import Neighborhood, PartnerUnit, PartyMember, Resident, Subdistrict

MAX_SHIFTS_PER_EMERGENCY = 6
NEIGHBORHOOD_SCOPE = {"subdistrict": "neighborhood__subdistrict_id", "neighborhood": "neighborhood_id"}


def _through(prefix: str) -> dict[str, str]:
    return {kind: prefix + path for kind, path in NEIGHBORHOOD_SCOPE.items()}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Volunteer(models.Model):
    """志愿者: a person who serves; a talent (达人) is a volunteer with listed skills."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("resident")
        PARTY_MEMBER = "party_member", _("in-service party member")
        PARTNER_STAFF = "partner_staff", _("partner-unit staff")
        STUDENT = "student", _("university student")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    resident = models.OneToOneField(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    party_member = models.OneToOneField(
        PartyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    team = models.ForeignKey(
        "VolunteerTeam", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    # For call-ups of people without an account (SMS); encrypted at rest, shown masked.
    phone = EncryptedTextField(_("phone"), blank=True)
    # Lower-case words separated by commas, e.g. "medical,driving": searchable without a join.
    skills = models.CharField(_("skills"), max_length=255, blank=True)
    # Daily time windows such as "08:00-12:00, 18:00-06:00" (availability.py); blank is any time.
    availability = models.CharField(_("availability"), max_length=255, blank=True)
    # How many relay shifts of one emergency they will take at most.
    max_shifts = models.PositiveSmallIntegerField(
        _("most shifts per emergency"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SHIFTS_PER_EMERGENCY)],
    )
    # 后备志愿者: kept back for call-ups rather than everyday activities.
    reserve = models.BooleanField(_("reserve volunteer"), default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def skill_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.skills.split(",") if s.strip())

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone)

    def home(self) -> tuple[float, float] | None:
        """Where they live: their own recorded point, else their household's building."""
        if self.latitude is not None and self.longitude is not None:
            return float(self.latitude), float(self.longitude)
        building = (
            self.resident.household.building if self.resident_id and self.resident.household_id else None
        )
        if building is not None and building.lat is not None and building.lng is not None:
            return building.lat, building.lng
        return None

    def contact_phone(self) -> str:
        """The volunteer's own phone, else the registry's phone of the resident they are."""
        if self.phone:
            return self.phone
        return self.resident.phone if self.resident_id else ""


class VolunteerTeam(models.Model):
    """志愿者团队 / 公益团队, led by a volunteer team chief (志愿者团队长)."""

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="volunteer_teams")
    name = models.CharField(_("name"), max_length=64)
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_volunteer_teams",
        verbose_name=_("team chief"),
    )

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [
            models.UniqueConstraint(fields=["neighborhood", "name"], name="volunteer_team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A published volunteer activity with a capacity; sign-ups beyond it wait in line."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="activities")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("title"), max_length=128)
    place = models.CharField(_("place"), max_length=128)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    skills_wanted = models.CharField(_("skills wanted"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # Printed as a QR code at the site; scanning it checks the volunteer in or out.
    check_in_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    signed_up_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hours_confirmed_at = models.DateTimeField(null=True, blank=True)

    scope_paths = _through("activity__")
    data_class = "volunteer"

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.activity}"


class PointRule(models.Model):
    """积分制: how many points an hour of confirmed service earns, set by the subdistrict."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="point_rules")
    name = models.CharField(_("name"), max_length=64)
    points_per_hour = models.PositiveIntegerField(_("points per hour"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "subdistrict_id"}
    data_class = "volunteer"

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self) -> str:
        return self.name


class RedemptionItem(models.Model):
    """What points buy: a property-fee discount, parking-fee relief, an honour-roll shop's service."""

    class Kind(models.TextChoices):
        PROPERTY_FEE = "property_fee", _("property-fee discount")
        PARKING_FEE = "parking_fee", _("parking-fee relief")
        SHOP_SERVICE = "shop_service", _("honour-roll shop service")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="redemption_items")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cost_points = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(_("stock left"))
    # A benefit some items unlock: only households rated at least this many stars may redeem them.
    min_stars = models.PositiveSmallIntegerField(_("household stars needed"), default=0)

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "volunteer"

    class Meta:
        verbose_name = _("redemption item")
        verbose_name_plural = _("redemption items")
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="redemption_stock_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(RedemptionItem, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("volunteer__")
    data_class = "volunteer"

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.item}"


class Balance(models.Model):
    """The running total of one volunteer's ledger: the row locked by every entry for them."""

    volunteer = models.OneToOneField(Volunteer, on_delete=models.PROTECT, related_name="balance")
    points = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))

    scope_paths = _through("volunteer__")
    data_class = "volunteer"

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="balance_points_not_negative"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="balance_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.points} / {self.hours}h"


class AppendOnlyError(Exception):
    pass


class LedgerEntry(models.Model):
    """One line of the points and time-bank ledger; never edited, never deleted."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("earned for service")
        REDEEMED = "redeemed", _("redeemed")
        BANK_WITHDRAWAL = "bank_withdrawal", _("time-bank hours used")
        REVERSAL = "reversal", _("reversing correction")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    points = models.IntegerField(_("points"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=Decimal("0"))
    # Exactly one source says why the entry exists (checked by `ledger_entry_has_source`).
    signup = models.OneToOneField(
        SignUp, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    redemption = models.OneToOneField(
        Redemption, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("volunteer__")
    data_class = "volunteer"

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="earned", signup__isnull=False)
                    | models.Q(kind="redeemed", redemption__isnull=False)
                    | models.Q(kind="reversal", reverses__isnull=False)
                    | models.Q(kind="bank_withdrawal", memo__gt="")
                ),
                name="ledger_entry_has_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ledger entries are never edited; post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries are never deleted; post a reversal instead")


# --- emergency call-up (招募令) ---------------------------------------------------------------


class Emergency(models.Model):
    """An emergency mobilisation: posts (点位) and shifts that volunteers are called up to fill."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="emergencies")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="emergencies"
    )
    title = models.CharField(_("title"), max_length=128)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    min_rest_minutes = models.PositiveIntegerField(_("rest between shifts (minutes)"), default=480)
    opened_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "volunteer"

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")

    def __str__(self) -> str:
        return self.title


EMERGENCY_SCOPE = {"subdistrict": "emergency__subdistrict_id", "neighborhood": "emergency__neighborhood_id"}


class EmergencyPost(models.Model):
    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("name"), max_length=128)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    post_lead = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post lead"),
    )

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    def __str__(self) -> str:
        return self.name


class EmergencyShift(models.Model):
    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class PostNeed(models.Model):
    """How many people a post needs in a shift, optionally with one skill."""

    post = models.ForeignKey(EmergencyPost, on_delete=models.PROTECT, related_name="needs")
    shift = models.ForeignKey(EmergencyShift, on_delete=models.PROTECT, related_name="needs")
    skill = models.CharField(_("skill"), max_length=32, blank=True)
    count = models.PositiveIntegerField(_("people needed"))

    scope_paths = {k: "post__" + v for k, v in EMERGENCY_SCOPE.items()}
    data_class = "volunteer"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "shift", "skill"], name="post_need_once")]

    def __str__(self) -> str:
        return f"{self.post} {self.shift} {self.skill} ×{self.count}"


class CallUpAnswer(models.Model):
    """One volunteer called up: they answer yes or no from the link that carries `token`."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("no answer yet")
        YES = "yes", _("yes")
        NO = "no", _("no")
        DROPPED = "dropped", _("dropped out")

    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="answers")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="call_up_answers")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["emergency", "volunteer"], name="call_up_once")]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.answer}"


class PostAssignment(models.Model):
    """A volunteer placed on a post for a shift by the assignment plan."""

    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="assignments")
    post = models.ForeignKey(EmergencyPost, on_delete=models.PROTECT, related_name="assignments")
    shift = models.ForeignKey(EmergencyShift, on_delete=models.PROTECT, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="post_assignments")
    skill = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="one_post_per_shift_per_volunteer")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.post} {self.shift}"


# --- micro-wishes (微心愿) -------------------------------------------------------------------


class MicroWish(models.Model):
    """A small wish of a resident in need, posted by them or by a worker for them; a party member
    or a partner unit claims it (one claimer wins) and the resident or a worker confirms it done.
    The public list shows only the masked name and the building."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a claimer")
        CLAIMED = "claimed", _("claimed")
        FULFILLED = "fulfilled", _("fulfilled")
        WITHDRAWN = "withdrawn", _("withdrawn")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="micro_wishes")
    building = models.ForeignKey(
        "org.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="micro_wishes"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="micro_wishes"
    )
    wisher_name = models.CharField(_("name of the person wishing"), max_length=64)
    title = models.CharField(_("wish"), max_length=128)
    description = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_by_member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_wishes"
    )
    claimed_by_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_wishes"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The resident's confirmation link carries this; it is the credential, so no sign-in.
    confirm_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="claimed")
                | models.Q(claimed_by_member__isnull=False)
                | models.Q(claimed_by_unit__isnull=False),
                name="micro_wish_claimed_has_claimer",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def masked_name(self) -> str:
        return pii.mask_name(self.wisher_name)

    @property
    def claimer(self) -> str:
        return str(self.claimed_by_member or self.claimed_by_unit or "")


# --- rosters (排班): recurring shifts such as the "1+2+1" night patrol ------------------------


class RosterPattern(models.Model):
    """A recurring shift: when it runs and who makes it up, e.g. 1+2+1 night patrol =
    1 party-member lead + 2 volunteers + 1 police or security officer."""

    class Role(models.TextChoices):
        LEAD = "lead", _("party-member lead")
        VOLUNTEER = "volunteer", _("volunteer")
        SECURITY = "security", _("police or security")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="roster_patterns")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="roster_patterns")
    name = models.CharField(_("name"), max_length=64)
    place = models.CharField(_("place"), max_length=128)
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    # ISO weekdays it runs on, e.g. "12345" for Monday to Friday.
    weekdays = models.CharField(_("weekdays"), max_length=7, default="1234567")
    leads = models.PositiveSmallIntegerField(_("party-member leads"), default=1)
    volunteers = models.PositiveSmallIntegerField(_("volunteers"), default=2)
    security = models.PositiveSmallIntegerField(_("police or security"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        constraints = [
            models.UniqueConstraint(fields=["neighborhood", "name"], name="roster_pattern_unique_name"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=1440), name="roster_duration"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def counts(self) -> dict[str, int]:
        return {
            self.Role.LEAD: self.leads,
            self.Role.VOLUNTEER: self.volunteers,
            self.Role.SECURITY: self.security,
        }


class RosterShift(models.Model):
    pattern = models.ForeignKey(RosterPattern, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    scope_paths = _through("pattern__")
    data_class = "volunteer"

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["pattern", "starts_at"], name="roster_shift_once")]

    def __str__(self) -> str:
        return f"{self.pattern} {self.starts_at:%m-%d %H:%M}"


class RosterDuty(models.Model):
    """One person on one roster shift in one role; after the shift it is marked served or no-show."""

    class Attendance(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SERVED = "served", _("served")
        NO_SHOW = "no_show", _("no-show")

    shift = models.ForeignKey(RosterShift, on_delete=models.PROTECT, related_name="duties")
    role = models.CharField(_("role"), max_length=12, choices=RosterPattern.Role.choices)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="roster_duties")
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.SCHEDULED
    )

    scope_paths = _through("shift__pattern__")
    data_class = "volunteer"

    class Meta:
        ordering = ["shift__starts_at", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="roster_duty_once_per_shift")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.shift}"


class SwapRequest(models.Model):
    """One person asks another to take their duty; it changes hands only when the other accepts."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    duty = models.ForeignKey(RosterDuty, on_delete=models.PROTECT, related_name="swap_requests")
    from_volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    to_volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="swap_requests_received"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_paths = _through("duty__shift__pattern__")
    data_class = "volunteer"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["duty"], condition=models.Q(status="requested"), name="one_open_swap_per_duty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_volunteer} → {self.to_volunteer}: {self.duty.shift}"


# --- honour roll (诚信红榜), household stars, temporary branches and squads ------------------


class HouseholdRating(models.Model):
    """The household's star rating (一星户 / 二星户 / 示范户); stars unlock redemption items."""

    class Stars(models.IntegerChoices):
        ONE = 1, _("one-star household")
        TWO = 2, _("two-star household")
        MODEL = 3, _("model household")

    household = models.OneToOneField("org.Household", on_delete=models.PROTECT, related_name="rating")
    stars = models.PositiveSmallIntegerField(_("stars"), choices=Stars.choices)
    reason = models.CharField(_("reason"), max_length=255)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    scope_paths = _through("household__")
    data_class = "volunteer"

    def __str__(self) -> str:
        return f"{self.household}: {self.get_stars_display()}"


class HonourRollEntry(models.Model):
    """One name on the public honour roll (诚信红榜) of a period: a household, a shop or partner
    unit, or a volunteer, with why."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("household")
        SHOP = "shop", _("shop or partner unit")
        VOLUNTEER = "volunteer", _("volunteer")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="honour_roll")
    period = models.CharField(_("period"), max_length=32)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # What the public sees: a household by building and room only, never a resident's name.
    shown_name = models.CharField(_("shown as"), max_length=96)
    reason = models.CharField(_("reason"), max_length=255)
    household = models.ForeignKey(
        "org.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

    class Meta:
        ordering = ["-period", "kind", "shown_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighborhood", "period", "kind", "shown_name"], name="honour_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.shown_name}"


class EmergencySquad(models.Model):
    """A temporary party branch (临时党支部) or a squad (突击队) formed for an emergency;
    dissolved when it stands down, the record kept."""

    class Kind(models.TextChoices):
        TEMPORARY_BRANCH = "temporary_branch", _("temporary party branch")
        SQUAD = "squad", _("squad")

    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="squads")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=96)
    party_org = models.OneToOneField(
        "org.PartyOrg", on_delete=models.PROTECT, null=True, blank=True, related_name="emergency_squad"
    )
    leader = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    members = models.ManyToManyField(Volunteer, related_name="emergency_squads", blank=True)
    formed_at = models.DateTimeField(auto_now_add=True)
    dissolved_at = models.DateTimeField(null=True, blank=True)

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["emergency", "name"], name="squad_unique_name")]

    def __str__(self) -> str:
        return self.name
