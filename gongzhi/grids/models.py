from django.conf import settings
from django.db import models
from django.utils import timezone
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
    # The dissolved footprints of the grid's buildings, written when a plan is adopted, so the
    # map of a whole subdistrict needs no geometry work per request.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    # Set when an adopted plan held a secretary's hand edit of this grid: the next redraw keeps
    # the grid as it is unless told to redraw hand edits too.
    # db_default too: the demo loader writes grids with raw multi-row inserts
    hand_edited = models.BooleanField(_("edited by hand"), default=False, db_default=False)

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


class GridPlan(models.Model):
    """A proposed drawing of the micro-grids of a neighborhood or a whole subdistrict.

    Everything the review page and the adoption need is stored with the plan when it is drawn
    (the engine's report, the assignment before and after, households per building, the grids'
    outlines), so reviewing a plan of a whole subdistrict reads one row.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ADOPTED = "adopted", _("adopted")
        DISCARDED = "discarded", _("discarded")

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.PROTECT, related_name="grid_plans")
    # None: the plan covers the whole subdistrict.
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.PROTECT, null=True, blank=True, related_name="grid_plans"
    )
    min_households = models.PositiveIntegerField(_("minimum households"))
    max_households = models.PositiveIntegerField(_("maximum households"))
    gap_m = models.FloatField(_("adjacency gap (m)"))
    full_redraw = models.BooleanField(_("full redraw"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    seconds = models.FloatField(_("drawing time (s)"), default=0)
    report = models.JSONField(_("engine report"), default=dict)
    # Stability against the grids current when the plan was drawn.
    households_moved = models.PositiveIntegerField(_("households changing grid"), default=0)
    households_compared = models.PositiveIntegerField(default=0)
    grids_unchanged = models.PositiveIntegerField(default=0)
    grids_changed = models.PositiveIntegerField(default=0)
    # building id (as a string, JSON keys are strings) → grid code; "" for no grid.
    previous = models.JSONField(default=dict)
    proposed = models.JSONField(default=dict)
    households = models.JSONField(default=dict)  # building id → households when drawn
    grid_names = models.JSONField(default=dict)  # proposed grid code → display name
    boundaries = models.JSONField(default=dict)  # proposed grid code → GeoJSON geometry
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    visible_from_below = True  # grid staff may look at a proposal for their neighborhood
    data_class = "place"

    class Meta:
        verbose_name = _("grid plan")
        verbose_name_plural = _("grid plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        area = self.neighborhood or self.subdistrict
        return (
            f"{area} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}" if self.created_at else str(area)
        )


class GridAssignmentHistory(models.Model):
    """One building whose micro-grid changed when a plan was adopted: what it was, what it became.

    Codes and names are copied, not linked, so the history survives a grid that is later removed.
    """

    plan = models.ForeignKey(GridPlan, on_delete=models.PROTECT, related_name="history")
    building = models.ForeignKey("org.Building", on_delete=models.CASCADE, related_name="grid_history")
    from_code = models.CharField(_("grid before"), max_length=32, blank=True)
    from_name = models.CharField(max_length=64, blank=True)
    to_code = models.CharField(_("grid after"), max_length=32)
    to_name = models.CharField(max_length=64)
    households = models.PositiveIntegerField(_("households"), default=0)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    scope_paths = {
        "subdistrict": "building__neighborhood__subdistrict_id",
        "neighborhood": "building__neighborhood_id",
        "micro_grid": "building__micro_grid_id",
    }
    data_class = "place"

    class Meta:
        verbose_name = _("grid assignment history")
        verbose_name_plural = _("grid assignment history")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.building_id}: {self.from_code or '—'} → {self.to_code}"


class CutLine(models.Model):
    """A road, river or wall that cuts a neighborhood: buildings on its two sides are never
    neighbours when grids are drawn. Imported from the district's GIS (see services.import_map)."""

    class Kind(models.TextChoices):
        ROAD = "road", _("road")
        RIVER = "river", _("river")
        WALL = "wall", _("wall")
        OTHER = "other", _("other line")

    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.CASCADE, related_name="cut_lines")
    # None: imported for the whole subdistrict.
    neighborhood = models.ForeignKey(
        "org.Neighborhood", on_delete=models.CASCADE, null=True, blank=True, related_name="cut_lines"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ROAD)
    name = models.CharField(_("name"), max_length=64, blank=True)
    geometry = models.JSONField(_("line (GeoJSON, WGS84)"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("cut line")
        verbose_name_plural = _("cut lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
