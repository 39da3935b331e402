"""Rules and stars: village and stairwell rules with versions, star households' reviews and the
year's rewards, the honour roll's benefits redeemed against the points ledger, the owners'
committee's reports (duties) and the joint committees' meetings.

Each reuses what exists: household stars, the honour roll, redemption items and the ledger live in
`volunteers`; duties and meetings in `deliberation`. These models only link to them and add what
property governance needs (history, reasons, who honours a benefit, request keys).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Household, Neighborhood, PartnerUnit, Stairwell, Subdistrict
from gongzhi.property.models.governance import (
    COMPOUND_SCOPE,
    JointCommittee,
    OwnersCommittee,
    PropertyCompany,
    through,
)

NEIGHBORHOOD_SCOPE = {"subdistrict": "neighborhood__subdistrict_id", "neighborhood": "neighborhood_id"}
STARS = [MinValueValidator(0), MaxValueValidator(3)]  # 0: no stars (removed)


class RuleBook(models.Model):
    """村规民约 of a neighborhood or 楼组公约 of one stairwell; its versions are kept."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("village rules")
        STAIRWELL = "stairwell", _("stairwell covenant")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    stairwell = models.OneToOneField(
        Stairwell, on_delete=models.PROTECT, null=True, blank=True, related_name="rule_book"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=96)

    # Rules are posted on the wall: every property reader inside the neighborhood reads them, the
    # neighborhood's staff and the subdistrict write them.
    scope_paths = NEIGHBORHOOD_SCOPE
    visible_from_below = True
    data_class = "property"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="village", stairwell__isnull=True)
                | Q(kind="stairwell", stairwell__isnull=False),
                name="rule_book_kind_matches_place",
            ),
            models.UniqueConstraint(
                fields=["neighborhood"], condition=Q(kind="village"), name="village_rules_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RuleVersion(models.Model):
    """One adopted version: the full text and its short memorable form (e.g. 楼道是我家，整洁靠大家)."""

    book = models.ForeignKey(RuleBook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    short_form = models.CharField(_("short form"), max_length=64)
    adopted_on = models.DateField(_("adopted on"))
    note = models.CharField(_("what changed"), max_length=255, blank=True)
    # None only for a covenant carried over from before versions were kept (migration 0002).
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through("book", NEIGHBORHOOD_SCOPE)
    visible_from_below = True
    data_class = "property"

    class Meta:
        ordering = ["book", "-number"]
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="rule_version_once")]

    def __str__(self) -> str:
        return f"{self.book} v{self.number}"


HOUSEHOLD_SCOPE = {kind: f"household__{path}" for kind, path in Household.scope_paths.items()}


class StarReview(models.Model):
    """A change of a household's stars (一星户、二星户、示范户) with why: rated, raised, lowered or
    removed (0). The current stars stay in volunteers.HouseholdRating; this is their history."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    stars_before = models.PositiveSmallIntegerField(_("stars before"), validators=STARS)
    stars_after = models.PositiveSmallIntegerField(_("stars after"), validators=STARS)
    reason = models.CharField(_("reason"), max_length=255)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    scope_paths = HOUSEHOLD_SCOPE
    data_class = "property"

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars_before__lte=3, stars_after__lte=3), name="star_review_at_most_three"
            ),
            models.CheckConstraint(
                condition=~Q(stars_before=models.F("stars_after")), name="star_review_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household}: {self.stars_before} → {self.stars_after}"


class StarReward(models.Model):
    """What a star level earns in a year (e.g. 示范户: 物业费减免 200 元), set by the subdistrict."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    reward = models.CharField(_("reward"), max_length=96)
    amount = models.DecimalField(
        _("value (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        ordering = ["year", "stars"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "year", "stars"], name="star_reward_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.stars}: {self.reward}"


class Benefit(models.Model):
    """A benefit of the 诚信红榜 that a partner shop or the property company honours; priced, stocked
    and redeemed as a volunteers.RedemptionItem, so points are spent through the one ledger."""

    item = models.OneToOneField(
        "volunteers.RedemptionItem", on_delete=models.PROTECT, related_name="property_benefit"
    )
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits"
    )
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terms = models.CharField(_("terms"), max_length=255, blank=True)

    scope_paths = {"subdistrict": "item__subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, partner_unit__isnull=True)
                | Q(company__isnull=True, partner_unit__isnull=False),
                name="benefit_one_honourer",
            )
        ]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def honoured_by(self) -> str:
        return str(self.company or self.partner_unit)


class BenefitClaim(models.Model):
    """One redemption of a benefit by someone on the honour roll. The request key makes a retry
    return this claim instead of spending points twice."""

    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="claims")
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="+")
    honour = models.ForeignKey("volunteers.HonourRollEntry", on_delete=models.PROTECT, related_name="+")
    redemption = models.OneToOneField(
        "volunteers.Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=160, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through("volunteer", NEIGHBORHOOD_SCOPE)
    data_class = "property"

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.benefit}"


class CommitteeReport(models.Model):
    """The owners' committee reports to its functional party branch at the branch's half-year review
    and year-end rating; the report is heard when that duty is done."""

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="reports")
    duty = models.ForeignKey("deliberation.Duty", on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"), blank=True)

    scope_paths = through("committee", COMPOUND_SCOPE)
    data_class = "property"

    class Meta:
        ordering = ["duty__due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["committee", "duty"], name="report_once_a_duty")]

    def __str__(self) -> str:
        return f"{self.committee} {self.duty}"


class JointMeeting(models.Model):
    """A meeting of a joint committee, held as a deliberation meeting (联席会商)."""

    committee = models.ForeignKey(JointCommittee, on_delete=models.CASCADE, related_name="meetings")
    meeting = models.OneToOneField("deliberation.Meeting", on_delete=models.PROTECT, related_name="+")

    scope_paths = through("committee", JointCommittee.scope_paths)
    data_class = "property"

    class Meta:
        ordering = ["-meeting__held_at"]

    def __str__(self) -> str:
        return str(self.meeting)
