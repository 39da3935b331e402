"""Emergency call-up (招募令): emergencies, posts, shifts, needs, answers and the assignment plan."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.volunteers.models.common import new_token
from gongzhi.volunteers.models.people import Volunteer, VolunteerTeam

# Why a call-up sent a volunteer no message (services.emergencies.call_up), as staff read it.
UNREACHED_REASONS = {
    "opted_out": _("asked for no call-up messages"),
    "no_contact": _("no phone and no account"),
    "phone_unreachable": _("phone marked unreachable and no account"),
}

# Every message of a drill starts with this mark, whatever the language of the page that sent it.
DRILL_MARK = "【演练】"


class KindFixed(Exception):
    """An emergency's kind was changed after it was saved: a drill never becomes a real call-up."""


class Emergency(models.Model):
    """An emergency mobilisation: posts (点位) and shifts that volunteers are called up to fill."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Kind(models.TextChoices):
        REAL = "real", _("real call-up")
        TABLETOP = "tabletop", _("tabletop drill")
        LIVE = "live", _("live drill")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="emergencies")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="emergencies"
    )
    title = models.CharField(_("title"), max_length=128)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    min_rest_minutes = models.PositiveIntegerField(_("rest between shifts (minutes)"), default=480)
    opened_at = models.DateTimeField(auto_now_add=True)
    # Set once at creation; a database trigger refuses any later change (migration 0012), so no
    # path turns a drill into a real call-up or back.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REAL)
    # A drill calls up (live) or predicts (tabletop) only the members of these teams.
    drill_teams = models.ManyToManyField(
        VolunteerTeam, blank=True, related_name="drills", verbose_name=_("teams in the drill")
    )
    # When the call-up went out (live, real) or the prediction ran (tabletop); when it stood down.
    ran_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A drill's figures as they stood when it ran (tabletop: the prediction) and finished (both):
    # the report of a past drill does not move when the roster changes later.
    drill_result = models.JSONField(default=dict, blank=True)
    # The creating request's key (core.idempotency): a retried "create drill" finds the first one.
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "volunteer"

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["real", "tabletop", "live"]), name="emergency_kind_known"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("kind", flat=True).first()
            if stored is not None and stored != self.kind:
                raise KindFixed(f"emergency {self.pk} is a {stored}; its kind cannot change")
        super().save(*args, **kwargs)

    @property
    def is_drill(self) -> bool:
        return self.kind != self.Kind.REAL


EMERGENCY_SCOPE = {"subdistrict": "emergency__subdistrict_id", "neighborhood": "emergency__neighborhood_id"}


class EmergencyPost(models.Model):
    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("name"), max_length=128)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    post_lead = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post lead"),
    )

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    def __str__(self) -> str:
        return self.name


class EmergencyShift(models.Model):
    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class PostNeed(models.Model):
    """How many people a post needs in a shift, optionally with one skill."""

    post = models.ForeignKey(EmergencyPost, on_delete=models.PROTECT, related_name="needs")
    shift = models.ForeignKey(EmergencyShift, on_delete=models.PROTECT, related_name="needs")
    skill = models.CharField(_("skill"), max_length=32, blank=True)
    count = models.PositiveIntegerField(_("people needed"))

    scope_paths = {k: "post__" + v for k, v in EMERGENCY_SCOPE.items()}
    data_class = "volunteer"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "shift", "skill"], name="post_need_once")]

    def __str__(self) -> str:
        return f"{self.post} {self.shift} {self.skill} ×{self.count}"


class CallUpAnswer(models.Model):
    """One volunteer called up: they answer yes or no from the link that carries `token`."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("no answer yet")
        YES = "yes", _("yes")
        NO = "no", _("no")
        DROPPED = "dropped", _("dropped out")

    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="answers")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="call_up_answers")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the call-up reached them (blank on answers from before it was kept: the emergency's
    # opening then stands in); the answer delay of drills and predictions counts from here.
    called_at = models.DateTimeField(null=True, blank=True)

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["emergency", "volunteer"], name="call_up_once")]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.answer}"


class PostAssignment(models.Model):
    """A volunteer placed on a post for a shift by the assignment plan."""

    emergency = models.ForeignKey(Emergency, on_delete=models.PROTECT, related_name="assignments")
    post = models.ForeignKey(EmergencyPost, on_delete=models.PROTECT, related_name="assignments")
    shift = models.ForeignKey(EmergencyShift, on_delete=models.PROTECT, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="post_assignments")
    skill = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = EMERGENCY_SCOPE
    data_class = "volunteer"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="one_post_per_shift_per_volunteer")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.post} {self.shift}"
