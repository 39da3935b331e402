"""Rosters (排班): recurring shifts such as the "1+2+1" night patrol, duties and swaps."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood
from gongzhi.volunteers.models.common import NEIGHBORHOOD_SCOPE, scope_through
from gongzhi.volunteers.models.people import Volunteer, VolunteerTeam


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
    # Governance loop: a designated roster stands by (待命) while its neighborhood is in emergency mode.
    emergency_standby = models.BooleanField(_("stands by in an emergency"), default=False)
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

    scope_paths = scope_through("pattern__")
    data_class = "volunteer"

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["pattern", "starts_at"], name="roster_shift_once")]

    def __str__(self) -> str:
        return f"{self.pattern} {timezone.localtime(self.starts_at):%m-%d %H:%M}"


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

    scope_paths = scope_through("shift__pattern__")
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

    scope_paths = scope_through("duty__shift__pattern__")
    data_class = "volunteer"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["duty"], condition=models.Q(status="requested"), name="one_open_swap_per_duty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_volunteer} → {self.to_volunteer}: {self.duty.shift}"
