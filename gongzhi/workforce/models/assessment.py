"""多头打分: rounds, rater groups, neighborhood ratings, personal scores, bonuses, promotions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.workforce.models.common import LEVEL_CHOICES, SCORE, SUBDISTRICT_SCOPE, through
from gongzhi.workforce.models.people import WorkerProfile


class AssessmentRound(models.Model):
    """多头打分: a round of rater groups scoring neighborhoods; adopted once, immutable afterwards."""

    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("year-end")
        QUARTERLY = "quarterly", _("quarterly")

    class Status(models.TextChoices):
        OPEN = "open", _("open for scoring")
        ADOPTED = "adopted", _("adopted")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=128)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=16)
    pool = models.DecimalField(_("bonus pool (yuan)"), max_digits=14, decimal_places=2)
    # Level → factor, as data: the rule's defaults unless the round says otherwise.
    level_factors = models.JSONField(_("level factors"), default=dict)
    # Criteria beside the entered personal score, as data: [{"code": "red_property", "level":
    # "secretary", "weight": "30"}] blends a secretary's personal score with the red-property score
    # of their neighborhood (weight in percent of the personal score). Fixed when the round opens.
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = SUBDISTRICT_SCOPE
    data_class = "personnel"

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title


class RaterGroup(models.Model):
    """One scoring body of a round (社区党委, 机关科室, 社建办, 微社区组长) with its weight."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    raters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="rater_groups", blank=True)

    scope_paths = through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="group_code_once_per_round")]

    def __str__(self) -> str:
        return self.name


class NeighborhoodRating(models.Model):
    """One rater's score of one neighborhood for their group; changeable until the round is adopted."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="ratings")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE)
    scored_at = models.DateTimeField(auto_now=True)

    scope_paths = through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "rater", "neighborhood"], name="one_score_per_rater_and_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.neighborhood}: {self.score}"


class PersonalScore(models.Model):
    """A worker's personal score in a round (0–100), set by the personnel roles."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="personal_scores")
    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="personal_scores")
    score = models.DecimalField(_("personal score"), max_digits=5, decimal_places=2, validators=SCORE)

    scope_paths = through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "profile"], name="one_personal_score")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.score}"


class Bonus(models.Model):
    """A worker's result of an adopted round, written once at adoption."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="bonuses")
    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="bonuses")
    post_level = models.CharField(_("post level"), max_length=16, choices=LEVEL_CHOICES)
    personal_score = models.DecimalField(max_digits=5, decimal_places=2)
    neighborhood_score = models.DecimalField(max_digits=5, decimal_places=2)
    points = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("bonus (yuan)"), max_digits=14, decimal_places=2)

    scope_paths = through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        ordering = ["-amount", "profile__name"]
        constraints = [models.UniqueConstraint(fields=["round", "profile"], name="one_bonus_per_round")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.amount}"


class Promotion(models.Model):
    """An entry on an adopted round's promotion list, with the reason it is there."""

    class Reason(models.TextChoices):
        TOP_SCORE = "top_score", _("top personal score at this level")
        EMERGENCY = "emergency", _("early: service in emergencies")

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="promotions")
    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="+")
    to_level = models.CharField(_("to level"), max_length=16, choices=LEVEL_CHOICES)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=255)

    scope_paths = through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        ordering = ["round_id", "reason", "profile__name"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.get_to_level_display()}"
