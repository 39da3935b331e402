"""Residents' concerns in a closed loop: categories, routing, the concern and its history, time
limits on a working calendar, supervision (督办), Open311 keys and intake counters. Visits (走访)
live in gongzhi.visits.

Concerns and their events declare `scope_paths` like every record in an area; the
handler a concern is routed to (department, partner unit, compound's property company or owners'
committee) reaches it through the same paths, so a handler's queue is just its scope.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.concerns import lifecycle, tiering
from gongzhi.core import actors, pii
from gongzhi.core.fields import EncryptedTextField


class Tier(models.TextChoices):
    MINOR = tiering.MINOR, _("minor (小事简议)")
    MAJOR = tiering.MAJOR, _("major (大事细议)")
    KEY = tiering.KEY, _("key (要事议妥)")
    URGENT = tiering.URGENT, _("urgent (急事议决)")


class HandlerKind(models.TextChoices):
    RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
    PROPERTY_COMPANY = "property_company", _("property company")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
    DEPARTMENT = "department", _("department")
    PARTNER_UNIT = "partner_unit", _("partner unit")
    JOINT_TEAM = "joint_team", _("block joint team")


class DataCategory(models.TextChoices):
    """The first-level categories the shipped classifier predicts (names as in the data)."""

    URBAN = "城乡建设", "城乡建设"
    ENVIRONMENT = "环境保护", "环境保护"
    TRANSPORT = "交通运输", "交通运输"
    COMMERCE = "商贸旅游", "商贸旅游"
    HEALTH = "卫生计生", "卫生计生"
    LABOUR = "劳动和社会保障", "劳动和社会保障"
    EDUCATION = "教育文体", "教育文体"


class Category(models.Model):
    """A kind of concern. Rows without a subdistrict are the seeded taxonomy every town shares."""

    subdistrict = models.ForeignKey(
        "org.Subdistrict", on_delete=models.CASCADE, null=True, blank=True, related_name="concern_categories"
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=32)
    description = models.CharField(_("description"), max_length=255, blank=True)
    tier = models.CharField(_("least tier"), max_length=8, choices=Tier.choices, default=Tier.MINOR)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    # The classifier's first-level category (the 7 of the citizen-message data) this one belongs
    # to: the intake suggestion maps the classifier's answer onto the subdistrict's taxonomy.
    data_category = models.CharField(
        _("first-level category (classifier)"), max_length=16, choices=DataCategory.choices, blank=True
    )

    scope_paths = {"subdistrict": "subdistrict_id"}
    visible_from_below = True
    data_class = "concern"

    class Meta:
        verbose_name = _("concern category")
        verbose_name_plural = _("concern categories")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="category_unique_code")]

    def __str__(self) -> str:
        return self.name


class TimeLimit(models.Model):
    """Working days to first response and to resolution for a tier, optionally one category's."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    response_days = models.PositiveSmallIntegerField(_("working days to respond"))
    resolution_days = models.PositiveSmallIntegerField(_("working days to resolve"))

    scope_paths = {"subdistrict": "category__subdistrict_id"}
    data_class = "concern"

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [models.UniqueConstraint(fields=["category", "tier"], name="time_limit_unique")]

    def __str__(self) -> str:
        return f"{self.category or '*'} {self.tier}: {self.response_days}/{self.resolution_days}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday, or a weekend make-up day (调休)."""

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=32, blank=True)
    # False: entered ahead of the State Council's notice, for the subdistrict admin to confirm.
    confirmed = models.BooleanField(_("confirmed"), default=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class RoutingRule(models.Model):
    """category × area → handling party. The most specific matching rule wins; none: the committee."""

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True)
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    handler_kind = models.CharField(_("handling party"), max_length=24, choices=HandlerKind.choices)
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, null=True, blank=True)
    partner_unit = models.ForeignKey("org.PartnerUnit", on_delete=models.CASCADE, null=True, blank=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "concern"

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict", "category", "neighborhood"],
                name="routing_rule_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} × {self.neighborhood or '*'} → {self.get_handler_kind_display()}"

    def clean(self) -> None:
        # A joint team takes concerns one case at a time, with each department's part (concerns.joint).
        if self.handler_kind == HandlerKind.JOINT_TEAM:
            raise ValidationError(
                {"handler_kind": _("Concerns are not routed to a joint team; open a joint case.")}
            )


class Channel(models.TextChoices):
    VISIT = "visit", _("visit")
    HOTLINE = "hotline", _("hotline")
    RESIDENT = "resident", _("resident page")
    PARTNER = "partner", _("partner unit")
    OPEN311 = "open311", _("Open311")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class State(models.TextChoices):
    ACCEPTED = lifecycle.ACCEPTED, _("accepted (受理)")
    DISPATCHED = lifecycle.DISPATCHED, _("dispatched (派遣)")
    HANDLING = lifecycle.HANDLING, _("handling (处置)")
    VERIFYING = lifecycle.VERIFYING, _("verifying (核查)")
    CLOSED = lifecycle.CLOSED, _("closed (办结)")
    RETURNED = lifecycle.RETURNED, _("returned (退回)")
    REOPENED = lifecycle.REOPENED, _("reopened (重办)")


def _public_token() -> str:
    return secrets.token_urlsafe(18)


class Concern(models.Model):
    # No single-column indexes on the three area keys: concern_sub_month, concern_nb_month and
    # concern_grid_month lead with them, and every index costs each intake's insert.
    subdistrict = models.ForeignKey(
        "org.Subdistrict", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    building = models.ForeignKey(
        "org.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "org.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="concerns"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    place = models.CharField(_("place"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    households_affected = models.PositiveIntegerField(
        _("households affected"), default=1, validators=[MinValueValidator(1)]
    )
    estimated_cost = models.DecimalField(
        _("estimated cost (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    tier_by_rule = models.CharField(_("tier by rule"), max_length=8, choices=Tier.choices)
    tier_reason = models.CharField(_("reason for tier override"), max_length=255, blank=True)

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=lifecycle.ACCEPTED)
    version = models.PositiveIntegerField(default=1)
    handler_kind = models.CharField(_("handling party"), max_length=24, choices=HandlerKind.choices)
    handler_department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handler_partner_unit = models.ForeignKey(
        "org.PartnerUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The compound whose property company or owners' committee handles it.
    handler_compound = models.ForeignKey(
        "org.Compound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    accepted_at = models.DateTimeField(_("accepted at"), db_index=True)
    response_due = models.DateTimeField(_("respond by"))
    resolution_due = models.DateTimeField(_("resolve by"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_on_time = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_hours = models.FloatField(null=True, blank=True)  # kept so KPIs need no date arithmetic in SQL
    overdue = models.BooleanField(_("overdue"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # 楼内事、群内议: staff may show the progress, de-identified, on the building's notice page.
    published = models.BooleanField(_("on the building notice"), default=False)
    # What the classifier proposed at intake (staff confirmed it when it equals `category`).
    suggested_category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    suggestion_confidence = models.FloatField(null=True, blank=True, editable=False)
    # A report joined to a similar open concern follows it and closes with it.
    joined_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="joined", editable=False
    )
    supporters = models.PositiveIntegerField(_("joined reports"), default=0, editable=False)

    reporter_name = models.CharField(_("reporter"), max_length=64, blank=True)
    reporter_phone = EncryptedTextField(_("reporter phone"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)
    public_token = models.CharField(max_length=32, unique=True, default=_public_token, editable=False)

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "micro_grid_id",
        "building": "building_id",
        "compound": "handler_compound_id",
        "department": "handler_department_id",
        "partner_unit": "handler_partner_unit_id",
    }
    data_class = "concern"

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-accepted_at", "-id"]
        indexes = [
            models.Index(fields=["subdistrict", "accepted_at"], name="concern_sub_month"),
            models.Index(fields=["neighborhood", "accepted_at"], name="concern_nb_month"),
            models.Index(fields=["micro_grid", "accepted_at"], name="concern_grid_month"),
            models.Index(fields=["state", "resolution_due"], name="concern_open_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in lifecycle.OPEN_STATES

    @property
    def reporter_phone_masked(self) -> str:
        return pii.mask_phone(self.reporter_phone)

    @property
    def handler_label(self) -> str:
        unit = self.handler_department or self.handler_partner_unit or self.handler_compound
        kind = self.get_handler_kind_display()
        return f"{kind} · {unit}" if unit else kind


ACTION_LABELS = {
    "accept": _("accepted"),
    "dispatch": _("dispatched"),
    "start": _("handling started"),
    "return": _("returned"),
    "resolve": _("submitted for verification"),
    "reject": _("sent back to handling"),
    "close": _("verified and closed"),
    "reopen": _("reopened"),
    "rate": _("rated by the resident"),
    "tier": _("tier changed"),
    "escalate": _("escalated"),
    "category": _("category changed"),
    "join": _("joined to a similar concern"),
    "joined": _("a similar report joined"),
    "unjoin": _("worked on its own again"),
    "deliberate": _("put on the deliberation agenda"),
}
LEVEL_LABELS = {"neighborhood": _("neighborhood"), "subdistrict": _("subdistrict"), "district": _("district")}


class ConcernEvent(models.Model):
    """One step of a concern's history: who moved it, when, from where to where, and why."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    scope_paths = {k: f"concern__{v}" for k, v in Concern.scope_paths.items()}
    data_class = "concern"

    class Meta:
        verbose_name = _("concern event")
        verbose_name_plural = _("concern events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def actor_name(self) -> str:
        """The actor as people read it: "system" reads 系统 (core.actors)."""
        return actors.actor_name(self.actor_label)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class Supervision(models.Model):
    """督办: a concern escalated one level up because a deadline passed or it is urgent."""

    class Reason(models.TextChoices):
        RESPONSE_OVERDUE = "response", _("response overdue")
        RESOLUTION_OVERDUE = "resolution", _("resolution overdue")
        URGENT = "urgent", _("urgent matter")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="supervisions")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    level = models.CharField(_("escalated to"), max_length=16)  # an org unit kind
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    scope_paths = {k: f"concern__{v}" for k, v in Concern.scope_paths.items()}
    data_class = "concern"

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision list")
        constraints = [models.UniqueConstraint(fields=["concern", "reason"], name="supervision_once")]

    def __str__(self) -> str:
        return f"{self.concern} · {self.get_reason_display()}"

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.level, self.level))


# What a joint case's records are reached by: the concern's area (and so the block of its
# neighborhood), not its single handler: each department reaches its own part only.
_AREA_PATHS = {
    k: v
    for k, v in Concern.scope_paths.items()
    if k in ("subdistrict", "neighborhood", "micro_grid", "building")
}


class JointCase(models.Model):
    """联合执法: a concern that needs several departments, handed to its block's joint team as one
    case with one part per department and a joint deadline (working days, like every SLA)."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="joint_case")
    block = models.ForeignKey("org.Block", on_delete=models.PROTECT, related_name="joint_cases")
    due_at = models.DateTimeField(_("joint deadline"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("all parts done at"), null=True, blank=True)

    scope_paths = {k: f"concern__{v}" for k, v in _AREA_PATHS.items()}
    data_class = "concern"

    class Meta:
        verbose_name = _("joint case")
        verbose_name_plural = _("joint cases")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.block} · {self.concern}"


class JointPart(models.Model):
    """One department's part of a joint case: what it must do, its state and its reply."""

    class State(models.TextChoices):
        OPEN = "open", _("to do")
        DONE = "done", _("done")

    case = models.ForeignKey(JointCase, on_delete=models.CASCADE, related_name="parts")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("what the department must do"), max_length=500)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = {k: f"case__concern__{v}" for k, v in _AREA_PATHS.items()} | {"department": "department_id"}
    data_class = "concern"

    class Meta:
        verbose_name = _("joint case part")
        verbose_name_plural = _("joint case parts")
        ordering = ["case_id", "department__code", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="joint_part_once")]

    def __str__(self) -> str:
        return f"{self.case} · {self.department}"


def _photo_path(instance, filename: str) -> str:
    return f"concerns/{instance.concern_id}/{secrets.token_hex(8)}.{instance.extension}"


class ConcernPhoto(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {k: f"concern__{v}" for k, v in Concern.scope_paths.items()}
    data_class = "concern"

    class Meta:
        verbose_name = _("concern photo")
        verbose_name_plural = _("concern photos")

    def __str__(self) -> str:
        return self.file.name

    @property
    def extension(self) -> str:
        return self.content_type.split("/")[-1].replace("jpeg", "jpg")


class Open311Key(models.Model):
    """An Open311 client's api_key, for one subdistrict (jurisdiction) or, without one, for any
    jurisdiction the client names; only the hash is kept."""

    subdistrict = models.ForeignKey(
        "org.Subdistrict", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return self.name


class IntakeCounter(models.Model):
    """Requests of one client in one time window, shared by every server process (rate limit)."""

    key = models.CharField(max_length=128)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="intake_counter_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.window}: {self.count}"
