"""Hot issues (热点问题) of a subdistrict or one neighborhood, computed from its concerns; notices
(公告) to a place and who has read them; open-data releases.

`services.refresh_hot_issues` regroups the concerns with the engine in
`gongzhi.concerns.intelligence.hotissues` and replaces the stored list; a hot issue that keeps
most of its members keeps its row (and so its link to a practical-matter project).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HotIssue(models.Model):
    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="hot_issues")
    # Null: a subdistrict-wide hot issue, grouped over every neighborhood's concerns.
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.CASCADE, null=True, blank=True, related_name="hot_issues"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    heat = models.FloatField(_("heat"))
    title = models.CharField(_("title"), max_length=255)
    place = models.CharField(_("place"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("first concern"), null=True, blank=True)
    ended_at = models.DateTimeField(_("latest concern"), null=True, blank=True)
    concerns_count = models.PositiveIntegerField(_("concerns"))
    households_count = models.PositiveIntegerField(_("distinct households"))
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    # Concerns per week over the issue's span, and how many arrived in the last 30 days.
    per_week = models.FloatField(_("concerns per week"), default=0.0)
    recent_count = models.PositiveIntegerField(_("concerns in the last 30 days"), default=0)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # False: no longer among the hot issues, kept because a project was made from it.
    current = models.BooleanField(_("current"), default=True)
    computed_at = models.DateTimeField(_("computed at"))
    # The practical-matter project (实事项目) made from this issue, if any.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="hot_issues"
    )
    members = models.ManyToManyField("concerns.Concern", through="HotIssueMember", related_name="hot_issues")

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "concern"

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-current", "rank", "id"]
        indexes = [
            models.Index(fields=["subdistrict", "neighborhood", "current", "rank"], name="hot_issue_area")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def growth(self) -> float:
        """Share of the members that arrived in the last 30 days."""
        return self.recent_count / self.concerns_count if self.concerns_count else 0.0


class HotIssueMember(models.Model):
    hot_issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE, related_name="memberships")
    concern = models.ForeignKey("concerns.Concern", on_delete=models.CASCADE, related_name="+")

    scope_paths = {k: f"hot_issue__{v}" for k, v in HotIssue.scope_paths.items()}
    data_class = "concern"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hot_issue", "concern"], name="hot_issue_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hot_issue_id}: {self.concern_id}"


class OpenDataRelease(models.Model):
    """One open-data export of a subdistrict (`gongzhi opendata export`), published as a zip on the
    public open-data page; the newest of each subdistrict is the one offered. Holds de-identified
    aggregates only (insights.opendata), so it has no data class and no area scope: it is public."""

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="open_data")
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    archive = models.FileField(_("archive"), upload_to="opendata/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    descriptor = models.JSONField(_("datapackage.json"))

    class Meta:
        verbose_name = _("open-data release")
        verbose_name_plural = _("open-data releases")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subdistrict", "-created_at"], name="opendata_latest")]

    def __str__(self) -> str:
        return f"{self.subdistrict} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


def _notice_token() -> str:
    return secrets.token_urlsafe(12)


class Notice(models.Model):
    """公告: a notice from the area's staff to one place (subdistrict, neighborhood, compound,
    building or stairwell), read by the residents living there, printed for the stairwell's board.

    The addressed place is the deepest unit set; every unit above it is stored too, so an area
    filter needs no join. A notice made from a concern (`concern`) carries its progress,
    de-identified, to the concern's building ("楼内事、群内议")."""

    class Level(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("subdistrict")
        NEIGHBORHOOD = "neighborhood", _("neighborhood")
        COMPOUND = "compound", _("compound")
        BUILDING = "building", _("building")
        STAIRWELL = "stairwell", _("stairwell")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    level = models.CharField(_("addressed to"), max_length=16, choices=Level.choices)
    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="notices")
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    compound = models.ForeignKey(
        "org.Compound", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    building = models.ForeignKey(
        "org.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    stairwell = models.ForeignKey(
        "org.Stairwell", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    concern = models.OneToOneField(
        "concerns.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_notice",
        verbose_name=_("concern"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    token = models.CharField(max_length=24, unique=True, default=_notice_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "neighborhood": "neighborhood_id",
        "compound": "compound_id",
        "building": "building_id",
        "stairwell": "stairwell_id",
    }
    data_class = "notice"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["subdistrict", "state", "level"], name="notice_area_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def place(self):
        return getattr(self, self.level)

    @property
    def is_live(self) -> bool:
        return self.state == self.State.PUBLISHED and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class NoticeRead(models.Model):
    """A resident's first opening of a notice: one row per resident, whatever they reopen."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    resident = models.ForeignKey("org.Resident", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "org.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {k: f"notice__{v}" for k, v in Notice.scope_paths.items()}
    data_class = "notice"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "resident"], name="notice_read_once_per_resident")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.resident_id}"
