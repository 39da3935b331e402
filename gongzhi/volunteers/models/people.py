"""Volunteers, teams, activities and sign-ups."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.fields import EncryptedTextField
from gongzhi.org.models import Neighborhood, PartnerUnit, PartyMember, Resident
from gongzhi.volunteers.models.common import (
    MAX_SHIFTS_PER_EMERGENCY,
    NEIGHBORHOOD_SCOPE,
    new_token,
    scope_through,
)


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
    # Staff found the number dead (空号, 停机) or a drill's SMS to it failed: no SMS goes to it.
    phone_unreachable = models.BooleanField(_("phone unreachable"), default=False)
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
    # Asked not to be called up by message: a call-up lists them as not reached, and why.
    call_ups_opt_out = models.BooleanField(_("no call-up messages"), default=False)
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
        CANCELLED = "cancelled", _("cancelled")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="activities")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("title"), max_length=128)
    place = models.CharField(_("place"), max_length=128)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    skills_wanted = models.CharField(_("skills wanted"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
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
    # Hours above the scanned time (or the activity's length) wait for a second person's approval.
    hours_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hours_reason = models.CharField(_("reason for more hours"), max_length=255, blank=True)

    scope_paths = scope_through("activity__")
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
