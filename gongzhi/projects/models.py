"""Projects and funds: practical-matter and fund projects, their review rounds, money and 公示.

A project belongs to one neighborhood and is owned by that neighborhood's party organisation. It
moves through a fixed lifecycle (`rules.TRANSITIONS`); review rounds score it by panel, rank it and
feed an allocation (`allocation.allocate`), which once adopted is never changed: a new allocation
supersedes it. Money is Decimal with two places (fen) everywhere.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import StoredFile
from gongzhi.org.models import Compound, Department, Neighborhood, PartnerUnit, PartyOrg, Subdistrict

MONEY = {"max_digits": 14, "decimal_places": 2}

PROJECT_SCOPE = {
    "subdistrict": "neighborhood__subdistrict_id",
    "neighborhood": "neighborhood_id",
    "partner_unit": "partners__id",
    "department": "departments__id",
}
SUBDISTRICT_SCOPE = {"subdistrict": "subdistrict_id"}


def _through(prefix: str) -> dict[str, str]:
    return {kind: prefix + path for kind, path in PROJECT_SCOPE.items()}


def new_token() -> str:
    return secrets.token_urlsafe(12)


class ExpenseCategory(models.TextChoices):
    VISIT = "visit", _("visits and condolences (走访慰问)")
    ACTIVITY = "activity", _("activities (活动)")
    MATERIALS = "materials", _("materials (物资)")
    WORKS = "works", _("works and maintenance (工程维修)")
    SERVICES = "services", _("purchased services (购买服务)")
    PUBLICITY = "publicity", _("publicity and printing (宣传印刷)")
    OTHER = "other", _("other (其他)")


class Project(models.Model):
    class Kind(models.TextChoices):
        FUND = "fund", _("fund project (专项经费项目)")
        FLAGSHIP = "flagship", _("flagship project (美好社区先锋行动)")
        PRACTICAL = "practical", _("practical matter (实事项目)")
        MICRO_RENEWAL = "micro_renewal", _("micro-renewal (微更新)")

    class Origin(models.TextChoices):
        HOT_ISSUE = "hot_issue", _("hot issue (问题清单)")
        TICK_LIST = "tick_list", _("tick-list winner (居民打钩)")
        PROPOSAL = "proposal", _("proposal (提案)")
        VOTE = "vote", _("vote (票决)")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_REVIEW = "under_review", _("under review")
        APPROVED = "approved", _("approved")
        RUNNING = "running", _("running")
        MIDTERM = "midterm", _("midterm review")
        FINAL_REPORT = "final_report", _("final report")
        CLOSED = "closed", _("closed (结项)")
        REJECTED = "rejected", _("rejected")
        STOPPED = "stopped", _("stopped")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="projects")
    owner = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="projects", verbose_name=_("owner organisation")
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("compound"),
    )
    title = models.CharField(_("title"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRACTICAL)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.PROPOSAL)
    origin_note = models.CharField(_("origin note"), max_length=255, blank=True)
    # The deliberation result a project was started from: a vote that passed, or the option of a
    # tick-list that residents chose.
    origin_vote = models.ForeignKey(
        "deliberation.Vote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("vote of origin"),
    )
    origin_candidate = models.ForeignKey(
        "deliberation.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("tick-list option of origin"),
    )
    summary = models.TextField(_("summary"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)
    partners = models.ManyToManyField(
        PartnerUnit, blank=True, related_name="projects", verbose_name=_("partner units")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="projects", verbose_name=_("departments")
    )
    university_teams = models.CharField(_("university teams"), max_length=255, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("project leader"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="project_teams", verbose_name=_("team")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    approved_budget = models.DecimalField(_("approved budget"), null=True, blank=True, **MONEY)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = PROJECT_SCOPE
    scope_distinct = True  # reached through partners and departments (many-to-many)
    data_class = "project"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_budget__isnull=True) | models.Q(approved_budget__gte=0),
                name="project_budget_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    item = models.CharField(_("item"), max_length=128)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_not_negative")
        ]

    def __str__(self) -> str:
        return self.item


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=128)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """One piece of work with a person and a due date: it shows in that person's work list."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=128)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_tasks",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class RequiredAction(models.Model):
    """One item of a subdistrict's required-actions checklist, e.g. one of the "九个一"."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="required_actions")
    name = models.CharField(_("name"), max_length=96)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("required action")
        verbose_name_plural = _("required actions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="required_action_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ActionDone(models.Model):
    """A required action ticked off for one project, with evidence."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actions_done")
    action = models.ForeignKey(RequiredAction, on_delete=models.PROTECT, related_name="done")
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    evidence = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("required action done")
        verbose_name_plural = _("required actions done")
        constraints = [models.UniqueConstraint(fields=["project", "action"], name="action_done_once")]

    def __str__(self) -> str:
        return f"{self.project} · {self.action}"


class CheckIn(models.Model):
    """每周一对接、每月一碰头: one held meeting of a recurring cadence, keyed by its period."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("weekly liaison (每周一对接)")
        MONTHLY = "monthly", _("monthly meeting (每月一碰头)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="check_ins")
    cadence = models.CharField(_("cadence"), max_length=8, choices=Cadence.choices)
    period_start = models.DateField(_("period start"))
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("notes"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "cadence", "period_start"], name="check_in_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.held_on}"


class Step(models.Model):
    """One lifecycle transition of a project, with its decision note and document."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(max_length=16, choices=Project.State.choices)
    to_state = models.CharField(max_length=16, choices=Project.State.choices)
    note = models.TextField(_("decision / note"), blank=True)
    document = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("lifecycle step")
        verbose_name_plural = _("lifecycle steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_state} → {self.to_state}"


class AllocationRule(models.Model):
    """Data, not code: the top N get +raise%, the bottom M get −cut% of their budget."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="allocation_rules")
    name = models.CharField(_("name"), max_length=96)
    top = models.PositiveSmallIntegerField(_("top N"), default=3)
    raise_percent = models.DecimalField(_("raise %"), max_digits=6, decimal_places=2, default=10)
    bottom = models.PositiveSmallIntegerField(_("bottom M"), default=5)
    cut_percent = models.DecimalField(_("cut %"), max_digits=6, decimal_places=2, default=10)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cut_percent__gte=0, cut_percent__lte=100, raise_percent__gte=0),
                name="allocation_rule_percent_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReviewRound(models.Model):
    """A review of many projects at one stage (setup, midterm or final) by one or more panels."""

    class Stage(models.TextChoices):
        SETUP = "setup", _("setup review (立项)")
        MIDTERM = "midterm", _("midterm review (中期评估)")
        FINAL = "final", _("final review (终期评估)")

    class State(models.TextChoices):
        OPEN = "open", _("open for scoring")
        CLOSED = "closed", _("closed")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="review_rounds")
    name = models.CharField(_("name"), max_length=96)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.SETUP)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    drop_extremes = models.BooleanField(_("drop the highest and lowest score"), default=False)
    rule = models.ForeignKey(
        AllocationRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("allocation rule"),
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="review_rounds")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=64)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, default=100)
    position = models.PositiveSmallIntegerField(default=0)

    scope_paths = {"subdistrict": "review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review_round", "name"], name="criterion_unique_name"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0, max_score__gt=0), name="criterion_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Panel(models.Model):
    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(_("name"), max_length=96)
    projects = models.ManyToManyField(Project, blank=True, related_name="panels")

    scope_paths = {"subdistrict": "review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        verbose_name = _("review panel")
        verbose_name_plural = _("review panels")

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    is_chair = models.BooleanField(_("chair"), default=False)

    scope_paths = {"subdistrict": "panel__review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="panel_member_once")]

    def __str__(self) -> str:
        return str(self.user)


class Score(models.Model):
    """One member's score of one project on one criterion; members score independently."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {"subdistrict": "criterion__review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["member", "project", "criterion"], name="score_once"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.project} · {self.criterion}: {self.value}"


class AllocationLocked(ValidationError):
    """A write to an adopted (or superseded) allocation: it is never changed, only superseded."""


def _refuse_locked() -> None:
    raise AllocationLocked(_("An adopted allocation is never changed; adopt a new one to supersede it."))


class AllocationQuerySet(models.QuerySet):
    """Bulk writes obey the same guard as save(): only previews change."""

    def update(self, **values):
        superseding = set(values) == {"status"} and values["status"] == Allocation.Status.SUPERSEDED
        locked = self.exclude(status=Allocation.Status.PREVIEW)
        if superseding:
            locked = locked.exclude(status=Allocation.Status.ADOPTED)
        if locked.exists():
            _refuse_locked()
        return super().update(**values)

    def delete(self):
        if self.exclude(status=Allocation.Status.PREVIEW).exists():
            _refuse_locked()
        return super().delete()


class Allocation(models.Model):
    """The budgets a round's ranking gives each owner organisation; a preview until adopted, then
    immutable (the one change allowed: adopted → superseded, when a newer one is adopted)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("preview")
        ADOPTED = "adopted", _("adopted")
        SUPERSEDED = "superseded", _("superseded")

    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="allocations")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PREVIEW)
    # The rule as applied, copied so that editing the rule later changes no allocation.
    rule_name = models.CharField(max_length=96)
    top = models.PositiveSmallIntegerField()
    raise_percent = models.DecimalField(max_digits=6, decimal_places=2)
    bottom = models.PositiveSmallIntegerField()
    cut_percent = models.DecimalField(max_digits=6, decimal_places=2)
    explanation = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    objects = AllocationQuerySet.as_manager()

    scope_paths = {"subdistrict": "review_round__subdistrict_id"}
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.review_round} · {self.get_status_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            superseding = (
                stored == self.Status.ADOPTED
                and self.status == self.Status.SUPERSEDED
                and set(kwargs.get("update_fields") or ()) == {"status"}
            )
            if stored not in (None, self.Status.PREVIEW) and not superseding:
                _refuse_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk).exclude(status=self.Status.PREVIEW).exists():
            _refuse_locked()
        return super().delete(*args, **kwargs)


class AllocationLineQuerySet(models.QuerySet):
    def _refuse_if_locked(self) -> None:
        if self.exclude(allocation__status=Allocation.Status.PREVIEW).exists():
            _refuse_locked()

    def update(self, **values):
        self._refuse_if_locked()
        return super().update(**values)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()


class AllocationLine(models.Model):
    """One owner organisation's next-round budget: its score (the mean of its projects' panel
    results), its old budget (the sum of its projects' baselines in the round) and the new one."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="allocation_lines",
        verbose_name=_("owner organisation"),
    )
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=8, decimal_places=4)
    old = models.DecimalField(**MONEY)
    new = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=255)
    # The projects behind the line as they stood: [{"id", "title", "result", "budget"}].
    projects = models.JSONField(default=list, blank=True)

    objects = AllocationLineQuerySet.as_manager()

    scope_paths = {"subdistrict": "allocation__review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "org"], name="allocation_line_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.org}: {self.old} → {self.new}"

    def save(self, *args, **kwargs) -> None:
        if self._allocation_locked():
            _refuse_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._allocation_locked():
            _refuse_locked()
        return super().delete(*args, **kwargs)

    def _allocation_locked(self) -> bool:
        return (
            Allocation.objects.filter(pk=self.allocation_id)
            .exclude(status=Allocation.Status.PREVIEW)
            .exists()
        )


class RoundBaseline(models.Model):
    """A project's budget as the round's allocation first saw it (its approved budget if it had
    one, else the sum of its budget lines). Pinned once, so that previewing again after approving
    at the allocated amount does not raise or cut the raised amount a second time."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="baselines")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="round_baselines")
    budget = models.DecimalField(**MONEY)
    pinned_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "review_round__subdistrict_id"}
    data_class = "project"

    class Meta:
        verbose_name = _("round baseline budget")
        verbose_name_plural = _("round baseline budgets")
        constraints = [
            models.UniqueConstraint(fields=["review_round", "project"], name="round_baseline_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_round} · {self.project}: {self.budget}"


class SpendingRule(models.Model):
    """The subdistrict's rule for one expense category: caps and forbidden items."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="spending_rules")
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    cap_per_person = models.DecimalField(_("cap per person"), null=True, blank=True, **MONEY)
    cap_per_event = models.DecimalField(_("cap per event"), null=True, blank=True, **MONEY)
    # One forbidden item per line, matched as a substring of the expense description.
    forbidden_items = models.TextField(_("forbidden items"), blank=True)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("spending rule")
        verbose_name_plural = _("spending rules")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "category"], name="spending_rule_per_category")
        ]

    def __str__(self) -> str:
        return self.get_category_display()

    def forbidden_list(self) -> list[str]:
        return [w.strip() for w in self.forbidden_items.replace("，", "\n").splitlines() if w.strip()]


class Expense(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(_("description"), max_length=255)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    persons = models.PositiveIntegerField(_("persons"), null=True, blank=True)
    # Who was paid: a contractor is shown by name on the public accounts, a person masked (张*).
    payee = models.CharField(_("payee / contractor"), max_length=128, blank=True)
    payee_is_person = models.BooleanField(_("the payee is a private person"), default=False)
    spent_on = models.DateField(_("spent on"))
    receipt = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt"),
    )
    breaches = models.JSONField(default=list, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=255, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The form's one-time key: a retried submission finds the expense it already made.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_positive")]

    def __str__(self) -> str:
        return self.description


class Disclosure(models.Model):
    """公示: a public notice of a project's budget and accounts, open for comment for a period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="disclosures")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    title = models.CharField(_("title"), max_length=128)
    body = models.TextField(_("notice text"), blank=True)
    opens_on = models.DateField(_("notice opens on"))
    closes_on = models.DateField(_("notice closes on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="disclosure_period"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    """A resident's comment on or objection to a disclosure, made within its notice period."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        OBJECTION = "objection", _("objection")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("text"))
    # Shown masked (张*); no contact details are kept.
    name = models.CharField(_("name"), max_length=32, blank=True)
    client_digest = models.CharField(max_length=64, db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _through("disclosure__project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.disclosure} · {self.get_kind_display()}"
