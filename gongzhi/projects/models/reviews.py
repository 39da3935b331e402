"""Review rounds, their criteria, panels and scores, and the allocations a round feeds: an adopted
allocation is never changed, a new one supersedes it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import PartyOrg, Subdistrict
from gongzhi.projects.models.projects import MONEY, SUBDISTRICT_SCOPE, Project


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
