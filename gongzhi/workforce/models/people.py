"""Social workers (profiles, post history, 1+1 pairs, 微项目 designs) and the three chiefs."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, PartyOrg, Subdistrict
from gongzhi.workforce.models.common import AREA_SCOPE, LEVEL_CHOICES, through


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

    scope_paths = through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["profile_id", "effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.get_post_level_display()} ({self.effective_on})"


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

    scope_paths = through("mentorship__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "author", "month"], name="one_log_a_month_each")
        ]

    def __str__(self) -> str:
        return f"{self.mentorship} {self.month:%Y-%m}"


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

    scope_paths = through("chief__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["chief_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.chief} {self.get_action_display()} {self.on}"


class MeetingAttendance(models.Model):
    """A chief signed in at a meeting held on the platform (议事会, 联席会商, 圆桌会议): the sign-in
    sheet the neighborhood enters, counted among the chief's duties."""

    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="meetings_attended")
    meeting = models.ForeignKey("deliberation.Meeting", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through("chief__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chief", "meeting"], name="chief_signs_in_once")]

    def __str__(self) -> str:
        return f"{self.chief} @ {self.meeting_id}"


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

    scope_paths = through("profile__", AREA_SCOPE)
    data_class = "workforce"

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
