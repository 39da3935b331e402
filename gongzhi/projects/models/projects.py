"""Projects and what belongs to one: budget lines, milestones, tasks, the subdistrict's
checklist, check-ins and the lifecycle steps; and the scope and money conventions every projects
model shares."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import StoredFile
from gongzhi.org.models import Compound, Department, Neighborhood, PartnerUnit, PartyOrg, Subdistrict

MONEY = {"max_digits": 14, "decimal_places": 2}

PROJECT_SCOPE = {
    "subdistrict": "neighborhood__subdistrict_id",
    "neighborhood": "neighborhood_id",
    # The compound's property company and owners' committee read the projects of their compound.
    "compound": "compound_id",
    "partner_unit": "partners__id",
    "department": "departments__id",
}
SUBDISTRICT_SCOPE = {"subdistrict": "subdistrict_id"}


def through_project(prefix: str) -> dict[str, str]:
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
    # What the proposer asked for, kept when the funder approved a different total and the lines
    # were apportioned to it: the lines always add up to the approved budget (the notice shows both).
    requested_amount = models.DecimalField(_("requested (yuan)"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_paths = through_project("project__")
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

    scope_paths = through_project("project__")
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

    scope_paths = through_project("project__")
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

    scope_paths = through_project("project__")
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

    scope_paths = through_project("project__")
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

    scope_paths = through_project("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("lifecycle step")
        verbose_name_plural = _("lifecycle steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_state} → {self.to_state}"
