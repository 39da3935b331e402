"""The micro-grid engine: pure functions, no Django. See docs/grids.md for the algorithm."""

from .check import check_assignment, contiguous_groups
from .draw import draw_grids
from .files import (
    lines_to_geojson,
    load_barriers,
    load_geojson,
    read_assignment,
    report,
    to_geojson,
    write_assignment,
    write_report,
)
from .model import (
    CONSTRAINED,
    OVERSIZE,
    SPLIT,
    UNDERSIZE,
    Building,
    ExactRun,
    Grid,
    GridInputError,
    Result,
    Stability,
    unit_building,
    unit_key,
)
from .town import Town, generate_town

__all__ = [
    "CONSTRAINED",
    "OVERSIZE",
    "SPLIT",
    "UNDERSIZE",
    "Building",
    "ExactRun",
    "Grid",
    "GridInputError",
    "Result",
    "Stability",
    "Town",
    "check_assignment",
    "contiguous_groups",
    "draw_grids",
    "generate_town",
    "lines_to_geojson",
    "load_barriers",
    "load_geojson",
    "read_assignment",
    "report",
    "to_geojson",
    "unit_building",
    "unit_key",
    "write_assignment",
    "write_report",
]
