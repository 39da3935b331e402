"""Party-led property governance (红色物业): companies and contracts, fee standards, monthly figures,
owners' committees and their vetting, joint committees, score rules, stairwell self-governance.

Everything lives in a compound (or a stairwell of one) and is scoped through it; the monthly
figures have their own data class so the property company may enter them and nothing else.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Compound, Neighborhood, PartyOrg, Resident, Stairwell, Subdistrict

COMPOUND_SCOPE = {
    "subdistrict": "compound__neighborhood__subdistrict_id",
    "neighborhood": "compound__neighborhood_id",
    "compound": "compound_id",
}
MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0"))],
}


def through(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in paths.items()}


class PropertyCompany(models.Model):
    """物业公司: serves one or more compounds of the subdistrict under contracts."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=128)
    contact = models.CharField(_("contact"), max_length=64, blank=True)
    has_party_branch = models.BooleanField(_("has a party branch"), default=False)

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="company_unique_name")]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A property service contract of one compound: who, what, how long."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="contracts")
    service_scope = models.CharField(_("service scope"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    scope_paths = COMPOUND_SCOPE
    data_class = "property"

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="contract_term_order")
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.compound}"


class FeeStandard(models.Model):
    """物业费标准 (元/m²/月) from a date on; a change names the owners' decision (art. 278) adopting it."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(_("fee (yuan/m²/month)"), max_digits=6, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    decision = models.ForeignKey(
        "deliberation.Vote", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = COMPOUND_SCOPE
    data_class = "property"

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "effective_from"], name="fee_once_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rate} / {self.effective_from}"


class MonthlyFigures(models.Model):
    """One month of a compound: fee billed and collected, incidents reported by the police station."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day
    fee_billed = models.DecimalField(_("fee billed (yuan)"), **MONEY)
    fee_collected = models.DecimalField(_("fee collected (yuan)"), **MONEY)
    burglaries = models.PositiveIntegerField(_("burglaries"), default=0)
    battery_thefts = models.PositiveIntegerField(_("battery thefts"), default=0)
    vehicle_thefts = models.PositiveIntegerField(_("vehicle thefts"), default=0)
    fires = models.PositiveIntegerField(_("fires"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = COMPOUND_SCOPE
    data_class = "property_figures"

    class Meta:
        ordering = ["compound_id", "month"]
        constraints = [models.UniqueConstraint(fields=["compound", "month"], name="figures_once_a_month")]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.month:%Y-%m}"

    @property
    def incidents(self) -> int:
        return self.burglaries + self.battery_thefts + self.vehicle_thefts + self.fires


class OwnersCommittee(models.Model):
    """业委会 for one term, elected by an owners' vote, with a functional party branch."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    term_starts = models.DateField(_("term starts"))
    term_ends = models.DateField(_("term ends"))
    election = models.ForeignKey(
        "deliberation.Vote", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    branch = models.ForeignKey(PartyOrg, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_paths = COMPOUND_SCOPE
    data_class = "property"

    class Meta:
        ordering = ["-term_starts"]
        constraints = [
            models.CheckConstraint(condition=Q(term_ends__gt=models.F("term_starts")), name="committee_term")
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.term_starts:%Y}–{self.term_ends:%Y}"


class Post(models.TextChoices):
    CHAIR = "chair", _("committee chair")
    DEPUTY = "deputy", _("deputy chair")
    MEMBER = "member", _("committee member")


# 闵行's monthly allowance by post (元): the default a payment takes when no amount is typed.
DEFAULT_ALLOWANCE = {Post.MEMBER: Decimal("900"), Post.DEPUTY: Decimal("1000"), Post.CHAIR: Decimal("1200")}


class CommitteeMember(models.Model):
    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=64)
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.CharField(_("post"), max_length=8, choices=Post.choices)
    party_member = models.BooleanField(_("party member"), default=False)
    # 双向进入、交叉任职: also sits on the neighborhood's party committee or the company's staff.
    cross_appointment = models.CharField(_("cross-appointment"), max_length=64, blank=True)

    scope_paths = through("committee", COMPOUND_SCOPE)
    data_class = "property"

    class Meta:
        ordering = ["committee", "post", "name"]

    def __str__(self) -> str:
        return self.name


class VettingStep(models.Model):
    """结构建议权、人选建议权、资格审查权: what the party organisation decided, and who."""

    class Kind(models.TextChoices):
        STRUCTURE = "structure", _("structure proposal")
        CANDIDATES = "candidates", _("candidate proposal")
        QUALIFICATION = "qualification", _("qualification review")

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="vetting")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    decision = models.TextField(_("decision"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through("committee", COMPOUND_SCOPE)
    data_class = "property"

    class Meta:
        ordering = ["decided_at"]
        constraints = [models.UniqueConstraint(fields=["committee", "kind"], name="vetting_once_a_step")]

    def __str__(self) -> str:
        return self.get_kind_display()


class AllowancePayment(models.Model):
    """A month's allowance paid to a committee member (900 / 1,000 / 1,200 元 by post in 闵行)."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="allowances")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_paths = through("member__committee", COMPOUND_SCOPE)
    data_class = "property"

    class Meta:
        ordering = ["member", "month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="allowance_once_a_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"


class JointCommittee(models.Model):
    """共治委员会 / 多位一体: party, residents' committee, owners' committee, company and more."""

    class Kind(models.TextChoices):
        CO_GOVERNANCE = "co_governance", _("co-governance committee")
        MULTI_PARTY = "multi_party", _("multi-party body")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        "compound": "compound_id",
    }
    data_class = "property"

    def __str__(self) -> str:
        return self.name


class JointMember(models.Model):
    class Side(models.TextChoices):
        PARTY = "party", _("party organisation")
        RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        PROPERTY_COMPANY = "property_company", _("property company")
        STAIRWELL_CHIEF = "stairwell_chief", _("stairwell chief")
        RESIDENT = "resident", _("residents' representative")

    committee = models.ForeignKey(JointCommittee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=64)
    side = models.CharField(_("side"), max_length=24, choices=Side.choices)

    scope_paths = through("committee", JointCommittee.scope_paths)
    data_class = "property"

    def __str__(self) -> str:
        return self.name


class ScoreRule(models.Model):
    """One line of the subdistrict's red-property rule: metric, weight, direction, worst, best."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("metric"), max_length=32)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=4)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=[("higher", _("higher is better")), ("lower", _("lower is better"))],
    )
    worst = models.DecimalField(_("worst"), max_digits=12, decimal_places=4)
    best = models.DecimalField(_("best"), max_digits=12, decimal_places=4)

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        ordering = ["metric"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "metric"], name="rule_once_a_metric"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rule_weight_positive"),
            models.CheckConstraint(condition=~Q(worst=models.F("best")), name="rule_worst_not_best"),
        ]

    def __str__(self) -> str:
        return self.metric


class StepChoices(models.IntegerChoices):
    """莘庄工业区's five steps of a self-governing stairwell (0: not started)."""

    NONE = 0, _("not started")
    TYPE = 1, _("type chosen")
    TEAM = 2, _("team formed")
    ACTIVITIES = 3, _("activities held")
    FEATURE = 4, _("feature formed")
    CONSOLIDATED = 5, _("results consolidated")


SELF_GOVERNING_STEP = StepChoices.TEAM  # from a formed team on, a stairwell counts as self-governing


class ChecklistItem(models.Model):
    """One item of the subdistrict's 3+4+5+N checklist (editable by the subdistrict)."""

    class Kind(models.TextChoices):
        ACTION = "action", _("required action")
        ELEMENT = "element", _("basic element")
        BRAND = "brand", _("local brand")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    label = models.CharField(_("item"), max_length=64)

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.label


class StairwellGovernance(models.Model):
    """楼组自治: a stairwell's step, its 3-person group, checklist done and brand. Its covenant
    (楼组公约) is a rule book with versions (models.community.RuleBook)."""

    stairwell = models.OneToOneField(Stairwell, on_delete=models.CASCADE, related_name="governance")
    step = models.PositiveSmallIntegerField(_("step"), choices=StepChoices.choices, default=0)
    group = models.CharField(_("self-governance group (3 names)"), max_length=128, blank=True)
    brand = models.CharField(_("brand"), max_length=64, blank=True)
    done = models.ManyToManyField(ChecklistItem, blank=True, related_name="+")
    beautiful_year = models.PositiveSmallIntegerField(_("beautiful stairwell (year)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = through("stairwell", Stairwell.scope_paths)
    data_class = "property"

    def __str__(self) -> str:
        return f"{self.stairwell_id}: {self.step}"

    @property
    def self_governing(self) -> bool:
        return self.step >= SELF_GOVERNING_STEP


class StairwellPlan(models.Model):
    """The year's target of self-governing stairwells in a subdistrict."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.PositiveIntegerField(_("self-governing stairwells by year end"))

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "property"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subdistrict", "year"], name="plan_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.target}"
