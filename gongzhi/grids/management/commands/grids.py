"""`gongzhi grids draw`: draw micro-grids from a GeoJSON of buildings, write CSV and report.

Thin on purpose: it parses, calls the engine, writes. All rules live in gongzhi.grids.engine.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.grids.engine import (
    GridInputError,
    draw_grids,
    load_barriers,
    load_geojson,
    read_assignment,
    report,
    write_assignment,
    write_report,
)


class Command(BaseCommand):
    help = "Micro-grids (微网格): draw grids of 300–500 households from building footprints."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{draw}")
        draw = actions.add_parser("draw", help="draw or redraw grids from a GeoJSON of buildings")
        draw.add_argument("--input", required=True, help="GeoJSON FeatureCollection of buildings (WGS84)")
        draw.add_argument("--out", required=True, help="assignment CSV to write (id,grid,stairwells)")
        draw.add_argument(
            "--min", type=int, default=300, dest="min_households", help="households per grid, floor"
        )
        draw.add_argument(
            "--max", type=int, default=500, dest="max_households", help="households per grid, ceiling"
        )
        draw.add_argument("--gap", type=float, default=30, help="metres within which buildings are adjacent")
        draw.add_argument(
            "--previous", help="previous assignment CSV: keep what still holds, report stability"
        )
        draw.add_argument("--full", action="store_true", help="with --previous: redraw everything")
        draw.add_argument("--barriers", help="GeoJSON of roads/rivers that cut adjacency")

    def handle(self, *args, **options) -> None:
        if options["action"] == "draw":
            self.draw(options)

    def draw(self, options: dict) -> None:
        out = Path(options["out"])
        report_path = out.with_name(f"{out.stem}.report.json")
        try:
            if not out.parent.is_dir():
                raise GridInputError(f"输出目录不存在：{out.parent}")
            buildings = load_geojson(options["input"])
            barriers = load_barriers(options["barriers"]) if options["barriers"] else None
            previous = read_assignment(options["previous"]) if options["previous"] else None
            result = draw_grids(
                buildings,
                min_households=options["min_households"],
                max_households=options["max_households"],
                gap_m=options["gap"],
                barriers=barriers,
                previous=previous,
                full_redraw=options["full"],
            )
        except GridInputError as error:
            raise CommandError(str(error)) from error
        write_assignment(result, buildings, out)
        write_report(result, report_path)
        self.stdout.write(self._summary(result, out, report_path))

    def _summary(self, result, out: Path, report_path: Path) -> str:
        totals = report(result)["totals"]
        lines = [
            f"{totals['buildings']} buildings, {totals['households']} households -> {totals['grids']} grids "
            f"in {result.seconds:.2f} s",
            f"within {result.min_households}-{result.max_households}: {totals['grids_within_bounds']} "
            f"({totals['share_within_bounds']:.1%}); out of bounds and unavoidable: "
            f"{totals['grids_out_of_bounds_unavoidable']}; mean compactness {totals['mean_compactness']}",
        ]
        if result.stability:
            s = result.stability
            lines.append(
                f"stability: {s.households_moved} of {s.households_compared} households changed grid; "
                f"{s.grids_unchanged} grids unchanged, {s.grids_changed} changed"
            )
        lines.append(f"wrote {out} and {report_path}")
        return "\n".join(lines)
