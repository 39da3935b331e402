from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MicroGrid(models.Model):
    """A grid of one neighborhood. Level 4 is the 300–500-household micro-grid of the seeds.

    The five grid levels (subdistrict grid → neighborhood party-branch grid → branch grid →
    micro-grid → stairwell micro-grid) are expressed by `level` and `parent`.
    """

    class Level(models.IntegerChoices):
        SUBDISTRICT = 1, _("subdistrict grid")
        NEIGHBORHOOD = 2, _("neighborhood party-branch grid")
        BRANCH = 3, _("party-branch grid")
        MICRO = 4, _("micro-grid")
        STAIRWELL = 5, _("stairwell micro-grid")

    neighborhood = models.ForeignKey("org.Neighborhood", on_delete=models.PROTECT, related_name="micro_grids")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.MICRO)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    grid_chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chief_of_grids",
        verbose_name=_("grid chief"),
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "id",
    }
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("micro-grid")
        verbose_name_plural = _("micro-grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
