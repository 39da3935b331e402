"""`gongzhi reports monthly --subdistrict CODE --month 2026-11 --out report.pdf [--format xlsx]`."""

import re
import sys
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core import audit
from gongzhi.core.replica import replica_reads
from gongzhi.insights import figures, report
from gongzhi.insights.reader import SubdistrictReader, area_for

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> date:
    found = MONTH.match(value or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise CommandError(f"--month: {value!r} is not a month; write it as YYYY-MM, e.g. 2026-11")
    return date(int(found.group(1)), int(found.group(2)), 1)


class Command(BaseCommand):
    help = "Reports: the monthly co-governance report of a subdistrict or neighborhood as PDF, xlsx or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser(
            "monthly", help="the month's figures, change, charts, hot issues, overdue matters"
        )
        monthly.add_argument("--subdistrict", required=True, help="subdistrict code")
        monthly.add_argument(
            "--neighborhood", default="", help="neighborhood code (default: the whole subdistrict)"
        )
        monthly.add_argument("--month", required=True, help="YYYY-MM")
        monthly.add_argument("--out", required=True, help="file to write")
        monthly.add_argument(
            "--format", choices=["pdf", "xlsx", "html"], help="default: from --out's suffix, else pdf"
        )

    def handle(self, *args, **options) -> None:
        month = parse_month(options["month"])
        try:
            area = area_for(options["subdistrict"], options["neighborhood"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        fmt = options["format"] or (
            out.suffix.lstrip(".") if out.suffix.lstrip(".") in report.FORMATS else "pdf"
        )
        started = time.monotonic()
        reader = SubdistrictReader(area.subdistrict)
        with replica_reads():
            r = figures.month_report(reader, area, month, progress=self._progress)
            self._say(f"rendering {fmt} …")
            content, _type = report.render(r, fmt)
        # Written beside the target and moved: an interrupted run leaves no half a report behind.
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(content)
        partial.replace(out)
        audit.record(
            "export",
            None,
            summary=f"monthly report {area.label} {month:%Y-%m} ({fmt}, command line)",
            area=(area.subdistrict.pk, area.neighborhood.pk if area.neighborhood else None),
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{out}: {area.label} {month:%Y-%m}, {fmt}, {len(content):,} bytes in {seconds:.1f} s"
        )

    def _progress(self, step: int, total: int, name: str) -> None:
        self._say(f"[{step}/{total}] {name}")

    def _say(self, text: str) -> None:
        # Progress goes to stderr so stdout keeps the one result line a script may read.
        self.stderr.write(text)
        sys.stderr.flush()
