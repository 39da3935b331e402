"""Social workers and the three chiefs: profiles, training, mentoring, forums, assessment.

Two data classes: `workforce` (plans, sessions, pairs, forums, chiefs: the neighborhood's staff
work with them) and `personnel` (assessment rounds, scores, bonuses: the subdistrict's personnel
roles only; a worker reads their own through the selectors, never through area scope).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, PartyOrg, Subdistrict
from gongzhi.org.roles import POST_LEVELS

AREA_SCOPE = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
SUBDISTRICT_SCOPE = {"subdistrict": "subdistrict_id"}
LEVEL_CHOICES = list(POST_LEVELS.items())
SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _through(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: prefix + path for kind, path in paths.items()}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Line(models.TextChoices):
    """The four training lines (四条线)."""

    THEORY = "theory", _("theory (理论素养)")
    MUST_KNOW = "must_know", _("must-know (应知应会)")
    PRACTICE = "practice", _("practice (实战实训)")
    CAPABILITY = "capability", _("capability (能力提升)")


class WorkerProfile(models.Model):
    """One social worker: post level, qualification, topics mastered and the second posts (一岗双员)."""

    class Qualification(models.TextChoices):
        NONE = "", _("none")
        ASSISTANT = "assistant", _("assistant social worker (助理社会工作师)")
        SOCIAL_WORKER = "social_worker", _("social worker (社会工作师)")
        SENIOR = "senior", _("senior social worker (高级社会工作师)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="worker_profile"
    )
    name = models.CharField(_("name"), max_length=64)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    post_level = models.CharField(_("post level"), max_length=16, choices=LEVEL_CHOICES)
    qualification = models.CharField(
        _("qualification"), max_length=16, choices=Qualification.choices, blank=True
    )
    # 全能社工: the fields a worker can handle (党建, 民政, 卫计, 综治, 物业管理).
    topics = models.JSONField(_("topics mastered"), default=list, blank=True)
    outpost_branch = models.ForeignKey(
        PartyOrg, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("started on"))

    scope_paths = AREA_SCOPE
    data_class = "workforce"

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        ordering = ["neighborhood_id", "name"]

    def __str__(self) -> str:
        return self.name


class PostChange(models.Model):
    """One step in a worker's history of posts and levels; appended, never edited."""

    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="post_changes")
    post_level = models.CharField(_("post level"), max_length=16, choices=LEVEL_CHOICES)
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["profile_id", "effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.get_post_level_display()} ({self.effective_on})"


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

    scope_paths = _through("plan__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("plan__", SUBDISTRICT_SCOPE)
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
        return f"{self.course} {self.starts_at:%Y-%m-%d}"


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

    scope_paths = _through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "session"], condition=models.Q(session__isnull=False), name="credited_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} +{self.hours} ({self.get_line_display()})"


class Mentorship(models.Model):
    """结对帮带 (1+1): a head or deputy mentors a young worker towards goals (缺什么、补什么)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("ongoing")
        REVIEWED = "reviewed", _("reviewed")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="mentees")
    mentee = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="mentors")
    goals = models.TextField(_("goals"))
    started_on = models.DateField(_("started on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    review = models.TextField(_("review"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)

    scope_paths = AREA_SCOPE
    data_class = "workforce"

    class Meta:
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("mentee")), name="mentor_is_not_mentee"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("started_on")), name="pair_ends_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class MentorLog(models.Model):
    """A monthly log of a pair, written by the mentor or the mentee."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="logs")
    author = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    text = models.TextField(_("log"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("mentorship__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "author", "month"], name="one_log_a_month_each")
        ]

    def __str__(self) -> str:
        return f"{self.mentorship} {self.month:%Y-%m}"


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

    scope_paths = _through("forum__", SUBDISTRICT_SCOPE)
    visible_from_below = True
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forum", "rater"], name="one_rating_per_attendee")]

    def __str__(self) -> str:
        return f"{self.forum} · {self.rater}"


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

    scope_paths = _through("round__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("round__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("round__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("round__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("round__", SUBDISTRICT_SCOPE)
    data_class = "personnel"

    class Meta:
        ordering = ["round_id", "reason", "profile__name"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.get_to_level_display()}"


class Chief(models.Model):
    """One of the three chiefs (三长): nominated, vetted, appointed for a term, then exited."""

    class Kind(models.TextChoices):
        STAIRWELL = "stairwell_chief", _("stairwell chief (楼组长)")
        PARTY_GROUP = "party_group_chief", _("party group chief (党小组长)")
        VOLUNTEER_TEAM = "volunteer_team_chief", _("volunteer team chief (志愿者团队长)")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated")
        VETTED = "vetted", _("vetted")
        APPOINTED = "appointed", _("appointed")
        EXITED = "exited", _("exited")
        REJECTED = "rejected", _("not approved")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chief_posts")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    unit_label = models.CharField(_("stairwell, group or team"), max_length=128)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED)
    term_starts = models.DateField(_("term starts"), null=True, blank=True)
    term_ends = models.DateField(_("term ends"), null=True, blank=True)
    monthly_allowance = models.DecimalField(
        _("monthly allowance (yuan)"), max_digits=9, decimal_places=2, default=Decimal("0.00")
    )

    scope_paths = AREA_SCOPE
    data_class = "workforce"

    class Meta:
        ordering = ["neighborhood_id", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_kind_display()}"


class ChiefEvent(models.Model):
    """One step in a chief's history: nomination, vetting, appointment, training, reward, exit."""

    class Action(models.TextChoices):
        NOMINATED = "nominated", _("nominated")
        VETTED = "vetted", _("vetted")
        REJECTED = "rejected", _("not approved")
        APPOINTED = "appointed", _("appointed")
        TRAINED = "trained", _("trained")
        REWARDED = "rewarded", _("rewarded")
        ALLOWANCE = "allowance", _("allowance paid")
        EXITED = "exited", _("exited")

    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_paths = _through("chief__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["chief_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.chief} {self.get_action_display()} {self.on}"


class LeadGooseClass(models.Model):
    """头雁班: a small class of secretaries (A or B) following one course of the plan to graduation."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="lead_goose_classes")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=32)

    scope_paths = _through("plan__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("klass__plan__", SUBDISTRICT_SCOPE)
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

    scope_paths = _through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "profile"], name="one_contest_score")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.score}"


class MicroProjectDesign(models.Model):
    """微项目 design by a mid-level worker (regular or team lead), reviewed by the neighborhood and,
    once it runs, linked to the project that carries it (gongzhi.projects)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned for rework")

    profile = models.ForeignKey(WorkerProfile, on_delete=models.PROTECT, related_name="designs")
    title = models.CharField(_("title"), max_length=128)
    design = models.TextField(_("design"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review = models.CharField(_("review"), max_length=255, blank=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
