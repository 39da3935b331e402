"""`gongzhi opendata export --subdistrict CODE --out DIR [--month YYYY-MM] [--months 12] [--no-publish]`."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongzhi.core.replica import replica_reads
from gongzhi.insights import figures, opendata, services
from gongzhi.insights.management.commands.reports import parse_month
from gongzhi.insights.reader import SubdistrictReader, area_for


class Command(BaseCommand):
    help = "Open data: a subdistrict's de-identified figures as CSV with a Frictionless datapackage.json."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="write the package to DIR and publish it on the open-data page"
        )
        export.add_argument("--subdistrict", required=True, help="subdistrict code")
        export.add_argument("--out", required=True, help="folder to write (made if missing)")
        export.add_argument("--month", default="", help="last month covered, YYYY-MM (default: last month)")
        export.add_argument("--months", type=int, default=12, help="months covered (1–60, default 12)")
        export.add_argument("--no-publish", action="store_true", help="write the files only")

    def handle(self, *args, **options) -> None:
        try:
            area = area_for(options["subdistrict"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not 1 <= options["months"] <= 60:
            raise CommandError(f"--months: {options['months']} is not between 1 and 60")
        last = (
            parse_month(options["month"])
            if options["month"]
            else figures.add_months(timezone.localdate(), -1)
        )
        out = Path(options["out"])
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"--out: {out} exists and is not an empty folder")
        started = time.monotonic()
        reader = SubdistrictReader(area.subdistrict)
        with replica_reads():
            package = opendata.export(
                reader, area, out, last=last, months=options["months"], progress=self._progress
            )
        first = figures.add_months(last, -(options["months"] - 1))
        published = ""
        if not options["no_publish"]:
            release = services.publish_open_data(area.subdistrict, opendata.zipped(out), package, first, last)
            published = f", published as release {release.pk}"
        seconds = time.monotonic() - started
        files = len(package["resources"]) + 1
        self.stdout.write(
            f"{out}: {area.subdistrict.name} {first:%Y-%m}–{last:%Y-%m}, {files} files in {seconds:.1f} s{published}"
        )

    def _progress(self, step: int, total: int, name: str) -> None:
        self.stderr.write(f"[{step}/{total}] {name}")
        sys.stderr.flush()
