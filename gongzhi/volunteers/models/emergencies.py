"""Emergency call-up (招募令): emergencies, posts, shifts, needs, answers and the assignment plan."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.volunteers.models.common import new_token
from gongzhi.volunteers.models.people import Volunteer

# Why a call-up sent a volunteer no message (services.emergencies.call_up), as staff read it.
UNREACHED_REASONS = {
    "opted_out": _("asked for no call-up messages"),
    "no_contact": _("no phone and no account"),
}


class Emergency(models.Model):
    """An emergency mobilisation: posts (点位) and shifts that volunteers are called up to fill."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="emergencies")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="emergencies"
    )
    title = models.CharField(_("title"), max_length=128)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    min_rest_minutes = models.PositiveIntegerField(_("rest between shifts (minutes)"), default=480)
    opened_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "volunteer"

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")

    def __str__(self) -> str:
        return self.title


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
