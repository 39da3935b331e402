"""Questionnaires (问卷): questions, the people asked (respondents with a personal link) and answers.

A survey belongs to one neighborhood, which owns it; its target group is a compound's households,
a custom list (e.g. 120 couriers imported from a spreadsheet), the elderly residents of the
neighborhood, or only an open link. Each respondent answers once through an unguessable token;
an open link takes anonymous answers, limited per client.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.fields import EncryptedTextField

SURVEY_PATHS = {"subdistrict": "neighborhood__subdistrict_id", "neighborhood": "neighborhood_id"}


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _below(prefix: str) -> dict[str, str]:
    return {k: prefix + v for k, v in SURVEY_PATHS.items()}


class Survey(models.Model):
    class Target(models.TextChoices):
        COMPOUND = "compound", _("households of a compound")
        CUSTOM = "custom", _("custom list")
        ELDERLY = "elderly", _("elderly residents")
        OPEN = "open", _("open link only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("open for answers")
        CLOSED = "closed", _("closed")

    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("neighborhood")
    )
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    target = models.CharField(_("target group"), max_length=12, choices=Target.choices)
    compound = models.ForeignKey(
        "org.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("compound"),
    )
    # The project this survey is the needs study of (e.g. the couriers' rest station).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("project"),
    )
    elderly_age = models.PositiveSmallIntegerField(_("elderly from age"), default=60)
    open_link = models.BooleanField(_("open link"), default=False)
    open_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    open_limit_per_hour = models.PositiveSmallIntegerField(_("open answers per client per hour"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    scope_paths = SURVEY_PATHS
    data_class = "survey"

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="survey_window"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_accepting(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        TEXT = "text", _("text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)

    scope_paths = _below("survey__")
    data_class = "survey"

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_unique_position"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class Respondent(models.Model):
    """One person asked; `token` is their personal link and their only credential."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    name = models.CharField(_("name"), max_length=64, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    household = models.ForeignKey(
        "org.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "org.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=64, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _below("survey__")
    data_class = "survey"

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "phone_digest"],
                condition=~models.Q(phone_digest=""),
                name="respondent_unique_phone",
            ),
            models.UniqueConstraint(
                fields=["survey", "household"],
                condition=models.Q(household__isnull=False),
                name="respondent_unique_household",
            ),
            models.UniqueConstraint(
                fields=["survey", "resident"],
                condition=models.Q(resident__isnull=False),
                name="respondent_unique_resident",
            ),
        ]

    def __str__(self) -> str:
        if self.household_id:
            return self.name  # a household's building and room, no one's name
        return pii.mask_name(self.name) if self.name else f"#{self.pk}"

    def set_phone(self, value: str) -> None:
        self.phone = pii.validate_phone(value) if value else ""
        self.phone_digest = self.digest_of(self.phone)

    @staticmethod
    def digest_of(phone: str) -> str:
        return pii.blind_index("survey-phone", phone)

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone)


class Response(models.Model):
    """One filled questionnaire: from a respondent's token, or anonymous through the open link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.OneToOneField(
        Respondent, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    # The open-link form carries a one-time key, so a retried submission finds its first answer.
    submission_key = models.CharField(max_length=64, blank=True)
    # Keyed hash of the client address: enough to rate-limit the open link, never the address.
    client_digest = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    scope_paths = _below("survey__")
    data_class = "survey"

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="response_unique_submission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)  # option indexes (single/multiple)
    number = models.SmallIntegerField(null=True, blank=True)  # scale
    text = models.TextField(blank=True)

    scope_paths = _below("response__survey__")
    data_class = "survey"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
