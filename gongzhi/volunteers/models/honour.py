"""Honour roll (诚信红榜), household stars, temporary branches and squads."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, PartnerUnit
from gongzhi.volunteers.models.common import NEIGHBORHOOD_SCOPE, scope_through
from gongzhi.volunteers.models.emergencies import EMERGENCY_SCOPE, Emergency
from gongzhi.volunteers.models.people import Volunteer


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

    scope_paths = scope_through("household__")
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
