"""One row per switch of a place's governance mode (GovernanceMode); the rows of a place, in order,
are its timeline. A row is never edited but to close it (`ended_at`) when the next switch comes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Neighborhood


def _in_neighborhood(neighborhood_id: int) -> Q:
    # The neighborhood's own modes and those of its whole subdistrict (a subquery, not a join, so a
    # row is never repeated).
    return Q(neighborhood_id=neighborhood_id) | Q(
        neighborhood__isnull=True,
        subdistrict_id__in=Neighborhood.objects.filter(pk=neighborhood_id).values("subdistrict_id"),
    )


def _in_grid(grid_id: int) -> Q:
    return Q(neighborhood__micro_grids__id=grid_id) | Q(
        neighborhood__isnull=True,
        subdistrict_id__in=Neighborhood.objects.filter(micro_grids__id=grid_id).values("subdistrict_id"),
    )


class GovernanceMode(models.Model):
    """治理环: the mode a place is in from `started_at` until the next switch (`ended_at`)."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("mode: daily")
        EMERGENCY = "emergency", _("mode: emergency")
        RISK = "risk", _("mode: risk")

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.PROTECT, related_name="+")
    # Empty: the whole subdistrict.
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "s<subdistrict id>" or "n<neighborhood id>": the place, one string, for the constraints below.
    place_key = models.CharField(max_length=24, editable=False)
    # 1, 2, 3 … per place: two switches made from the same state both claim the same number and
    # the unique constraint lets only one in.
    seq = models.PositiveIntegerField(editable=False)
    kind = models.CharField(_("mode"), max_length=12, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    switched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("switched by")
    )
    started_at = models.DateTimeField(_("mode started"))
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("mode ended"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": _in_neighborhood, "micro_grid": _in_grid}
    data_class = "governance"

    class Meta:
        verbose_name = _("governance mode")
        verbose_name_plural = _("governance modes")
        ordering = ["place_key", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["place_key", "seq"], name="governance_mode_one_per_step"),
            models.UniqueConstraint(
                fields=["place_key"], condition=Q(ended_at__isnull=True), name="governance_mode_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_key} #{self.seq} {self.kind}"

    @property
    def place(self):
        return self.neighborhood or self.subdistrict
