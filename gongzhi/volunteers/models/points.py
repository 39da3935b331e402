"""The points and time-bank ledger: rules, redemption items and redemptions, balances and entries.

The ledger is append-only: `LedgerEntry` rows are never updated or deleted; a mistake is undone
by a reversing entry. `Balance` is the per-person running total, locked and changed in the same
transaction as each entry, and a check constraint keeps it from ever going below zero.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Subdistrict
from gongzhi.volunteers.models.common import scope_through
from gongzhi.volunteers.models.people import SignUp, Volunteer


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

    scope_paths = scope_through("volunteer__")
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

    scope_paths = scope_through("volunteer__")
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
    # A patrol duty marked served (issue 23): its hours, once.
    duty = models.OneToOneField(
        "volunteers.RosterDuty", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = scope_through("volunteer__")
    data_class = "volunteer"

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="earned", signup__isnull=False)
                    | models.Q(kind="earned", duty__isnull=False)
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
