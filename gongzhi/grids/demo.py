"""Cut lines of the demo subdistrict (`gongzhi demo load` calls `load_demo`): in a few
neighborhoods of two or more compounds, the lane between the two largest compounds becomes a
road, as a GIS import would bring it, so a redraw shows grids stopping at the road.

Safe to run again: a subdistrict that already has cut lines is left as it is.
"""

from __future__ import annotations

import shapely
from django.db.models import Count
from shapely.geometry import LineString, mapping, shape

from gongzhi.grids.models import CutLine
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Building, Compound, Subdistrict

ROADS = ("杨鑫路支路", "富联路东段", "友谊支路", "宝杨路辅路")


def load_demo() -> str:
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if subdistrict is None:
        return "grids: no demo subdistrict (run `gongzhi demo load` first)"
    if CutLine.objects.filter(subdistrict=subdistrict).exists():
        return "grids: demo cut lines already loaded"
    lines = []
    for neighborhood_id in _neighborhoods_with_compounds(subdistrict)[: len(ROADS)]:
        road = _road_between_largest(neighborhood_id)
        if road is not None:
            name = ROADS[len(lines)]
            lines.append(
                CutLine(subdistrict=subdistrict, neighborhood_id=neighborhood_id, name=name, geometry=road)
            )
    CutLine.objects.bulk_create(lines)
    return f"grids: {len(lines)} demo roads as cut lines"


def _neighborhoods_with_compounds(subdistrict) -> list[int]:
    rows = (
        Compound.objects.filter(neighborhood__subdistrict=subdistrict)
        .values("neighborhood_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("neighborhood__code")
    )
    return [r["neighborhood_id"] for r in rows]


def _road_between_largest(neighborhood_id: int) -> dict | None:
    """The perpendicular bisector of the two largest compounds' centres, as long as the
    neighborhood is wide: a road between them."""
    compounds = (
        Compound.objects.filter(neighborhood_id=neighborhood_id)
        .annotate(n=Count("buildings"))
        .order_by("-n", "id")[:2]
    )
    centres, extent = [], []
    for compound in compounds:
        footprints = [
            shape(f)
            for f in Building.objects.filter(compound=compound, footprint__isnull=False).values_list(
                "footprint", flat=True
            )
        ]
        if not footprints:
            return None
        union = shapely.union_all(footprints)
        centres.append(union.centroid)
        extent.append(union.envelope)
    if len(centres) < 2:
        return None
    (a, b) = centres
    x0, y0, x1, y1 = shapely.union_all(extent).bounds
    span = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5  # the two compounds' diagonal
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = -dy / norm * span / 2, dx / norm * span / 2
    return mapping(shapely.set_precision(LineString([(mx - ux, my - uy), (mx + ux, my + uy)]), 1e-7))
