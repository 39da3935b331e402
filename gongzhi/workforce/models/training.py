"""Training: the yearly plan, courses, sessions, the hours ledger, 头雁 classes, contests and forums."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Subdistrict
from gongzhi.workforce.models.common import (
    AREA_SCOPE,
    LEVEL_CHOICES,
    SCORE,
    SUBDISTRICT_SCOPE,
    Line,
    new_token,
    through,
)
from gongzhi.workforce.models.people import WorkerProfile


class TrainingPlan(models.Model):
    """The subdistrict's yearly training plan (e.g. 燃星计划) with its target of class hours."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=128)
    target_hours = models.DecimalField(_("target class hours"), max_digits=7, decimal_places=1)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subdistrict", "year"], name="one_plan_a_year")]
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class RequiredHours(models.Model):
    """How many hours a worker of one level owes on one line in the plan's year."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="requirements")
    post_level = models.CharField(_("post level"), max_length=16, choices=LEVEL_CHOICES)
    line = models.CharField(_("line"), max_length=12, choices=Line.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)

    scope_paths = through("plan__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "post_level", "line"], name="one_requirement_per_level_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_post_level_display()} · {self.get_line_display()}: {self.hours}"


class Course(models.Model):
    """One course of the plan: its line, audience (a post level, or everyone) and class hours."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")
        CASE_DISCUSSION = "case_discussion", _("case discussion")
        SPEECH_CONTEST = "speech_contest", _("speech contest")
        LEAD_GOOSE_CLASS = "lead_goose", _("lead-goose class (头雁班)")

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("title"), max_length=128)
    line = models.CharField(_("line"), max_length=12, choices=Line.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LECTURE)
    audience = models.CharField(_("audience"), max_length=16, choices=LEVEL_CHOICES, blank=True)
    hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)

    scope_paths = through("plan__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        ordering = ["plan_id", "line", "title"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One sitting of a course; its QR code checks attendees in, as an activity's does."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=128)
    check_in_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.course} {timezone.localtime(self.starts_at):%Y-%m-%d}"


class HoursCredit(models.Model):
    """Class hours credited to a worker on a line: the append-only training-hours ledger."""

    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="hours_credits")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    line = models.CharField(_("line"), max_length=12, choices=Line.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    credited_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "session"], condition=models.Q(session__isnull=False), name="credited_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} +{self.hours} ({self.get_line_display()})"


class LeadGooseClass(models.Model):
    """头雁班: a small class of secretaries (A or B) following one course of the plan to graduation."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="lead_goose_classes")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=32)

    scope_paths = through("plan__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        ordering = ["plan_id", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="class_name_once_per_plan")]

    def __str__(self) -> str:
        return self.name


class LeadGooseMember(models.Model):
    """A secretary selected into a class; graduated once they attended enough of its sessions."""

    klass = models.ForeignKey(LeadGooseClass, on_delete=models.CASCADE, related_name="members")
    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="+")
    graduated_on = models.DateField(_("graduated on"), null=True, blank=True)

    scope_paths = through("klass__plan__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["klass", "profile"], name="member_once_per_class")]

    def __str__(self) -> str:
        return f"{self.klass} · {self.profile}"


class ContestScore(models.Model):
    """A worker's score in a case discussion or speech contest session (0–100)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="contest_scores")
    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="contest_scores")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE)

    scope_paths = through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "profile"], name="one_contest_score")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.score}"


class Forum(models.Model):
    """社工论坛 (a worker speaks, the others rate) or a secretaries' roundtable (minutes in a meeting)."""

    class Kind(models.TextChoices):
        WORKER_FORUM = "worker_forum", _("social workers' forum (社工论坛)")
        ROUNDTABLE = "roundtable", _("secretaries' roundtable (书记圆桌)")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    speaker = models.ForeignKey(
        WorkerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meeting = models.OneToOneField(
        "deliberation.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "kind", "held_on"], name="one_forum_a_day")
        ]

    def __str__(self) -> str:
        return self.topic


class ForumRating(models.Model):
    """An attendee's rating of a forum talk on 学、写、讲、评 (1–5 each)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="+")
    learning = models.PositiveSmallIntegerField(
        _("learning (学)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    writing = models.PositiveSmallIntegerField(
        _("writing (写)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    speaking = models.PositiveSmallIntegerField(
        _("speaking (讲)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    reviewing = models.PositiveSmallIntegerField(
        _("reviewing (评)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    scope_paths = through("forum__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forum", "rater"], name="one_rating_per_attendee")]

    def __str__(self) -> str:
        return f"{self.forum} · {self.rater}"
