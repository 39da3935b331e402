"""Door-to-door visits (走访): the visit log (民情日志), the visit plan's rules, and the hotlines
and staff work phones printed on the contact card (连心卡).

The tables kept the names they had in the concerns app (`Meta.db_table`); the move was a change
of Django state only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import ROLES
from gongzhi.org.models import SensitiveTag


class Visit(models.Model):
    """走访: one contact of a staff member with a household (the 民情日志 line)."""

    class Channel(models.TextChoices):
        DOOR = "door", _("at the door")
        PHONE = "phone", _("by phone")
        WECHAT = "wechat", _("on WeChat")

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey("org.Neighborhood", on_delete=models.PROTECT, related_name="+")
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey("org.Building", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("org.Household", on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.DOOR)
    raised = models.TextField(_("raised"), blank=True, max_length=2000)
    handled = models.TextField(_("handled on the spot"), blank=True, max_length=2000)
    suggestions = models.TextField(_("suggestions"), blank=True, max_length=2000)
    concern = models.OneToOneField(
        "concerns.Concern", on_delete=models.SET_NULL, null=True, blank=True, related_name="visit"
    )
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "micro_grid_id",
        "building": "building_id",
    }
    data_class = "concern"

    class Meta:
        db_table = "concerns_visit"  # the table kept its name when visits left concerns
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["neighborhood", "visited_at"], name="visit_nb_month"),
            # Coverage asks "last visit of each household" and "visits of a worker in a month".
            models.Index(fields=["household", "visited_at"], name="visit_household_at"),
            models.Index(fields=["worker", "visited_at"], name="visit_worker_at"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {timezone.localtime(self.visited_at):%Y-%m-%d}"


class VisitRule(models.Model):
    """A visit plan rule of one subdistrict (走访计划): what coverage is measured against.

    * staff: every staff member of `role` (blank: every role that records visits) visits at least
      `every` households a month;
    * household: every household is visited at least once every `every` months;
    * tagged: every household with a resident tagged `tag` (e.g. elderly living alone) is visited
      at least once every `every` days (7 = weekly).
    """

    class Kind(models.TextChoices):
        STAFF = "staff", _("households per staff member per month")
        HOUSEHOLD = "household", _("every household once in N months")
        TAGGED = "tagged", _("tagged households once in N days")

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="visit_rules")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    every = models.PositiveSmallIntegerField(
        _("N"), validators=[MinValueValidator(1)], help_text=_("households, months or days, by kind")
    )
    tag = models.CharField(_("sensitive tag"), max_length=24, blank=True)
    role = models.CharField(_("staff role"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True  # every worker may read the plan they are measured against
    data_class = "concern"

    class Meta:
        db_table = "concerns_visitrule"  # the table kept its name when visits left concerns
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["subdistrict", "kind", "tag", "role"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "kind", "tag", "role"], name="visit_rule_unique"),
            models.CheckConstraint(condition=models.Q(every__gte=1), name="visit_rule_every_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.every}"

    # Sensible bounds of N per kind: months, days, households a month.
    LIMITS = {"household": (1, 24), "tagged": (1, 366), "staff": (1, 1000)}

    def clean(self) -> None:
        errors = {}
        low, high = self.LIMITS.get(self.kind, (1, 1000))
        if self.every is not None and not low <= self.every <= high:
            errors["every"] = _("Between %(low)s and %(high)s for this kind of rule.") % {
                "low": low,
                "high": high,
            }
        if self.kind == self.Kind.TAGGED and self.tag not in SensitiveTag.values:
            errors["tag"] = _("Choose the sensitive tag this rule is for.")
        if self.kind != self.Kind.TAGGED and self.tag:
            errors["tag"] = _("Only a tagged-households rule names a tag.")
        if self.role and (self.kind != self.Kind.STAFF or self.role not in ROLES):
            errors["role"] = _("Only a staff rule names a role, one of the visiting roles.")
        if errors:
            raise ValidationError(errors)


class Hotline(models.Model):
    """A number printed on the contact card (连心卡): the subdistrict's, or one neighborhood's."""

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="hotlines")
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.CASCADE, null=True, blank=True, related_name="hotlines"
    )
    name = models.CharField(_("name"), max_length=48)
    number = models.CharField(_("number"), max_length=32)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    visible_from_below = True
    data_class = "concern"

    class Meta:
        db_table = "concerns_hotline"  # the table kept its name when visits left concerns
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class StaffContact(models.Model):
    """A staff member's work phone for the contact card. A work number, not a resident's personal
    data: printed in full; the name on the card is masked (张*)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_contact"
    )
    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="+")
    work_phone = models.CharField(_("work phone"), max_length=32)
    on_card = models.BooleanField(_("print on contact cards"), default=True)

    scope_paths = {"subdistrict": "subdistrict_id"}
    data_class = "staff"

    class Meta:
        db_table = "concerns_staffcontact"  # the table kept its name when visits left concerns
        verbose_name = _("staff work phone")
        verbose_name_plural = _("staff work phones")

    def __str__(self) -> str:
        return f"{self.user} {self.work_phone}"
