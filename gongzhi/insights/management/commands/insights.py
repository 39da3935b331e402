"""`gongzhi insights refresh [--subdistrict ID ...]`: recompute the stored hot issues."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.insights import tasks
from gongzhi.org.models import Subdistrict


class Command(BaseCommand):
    help = "Insights: recompute the hot issues of every (or the named) subdistrict from its concerns."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="regroup concerns into hot issues (idempotent)")
        refresh.add_argument("--subdistrict", type=int, action="append", help="subdistrict id (repeatable)")

    def handle(self, *args, **options) -> None:
        wanted = options["subdistrict"]
        subdistricts = Subdistrict.objects.order_by("pk")
        if wanted:
            subdistricts = subdistricts.filter(pk__in=wanted)
            missing = sorted(set(wanted) - set(subdistricts.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"--subdistrict: no subdistrict with id {', '.join(map(str, missing))}")
        for subdistrict in subdistricts:
            result = tasks.refresh_hot_issues.enqueue(subdistrict.pk)
            summary = result.return_value if result.is_finished else f"queued ({result.id})"
            self.stdout.write(f"{subdistrict.pk} {subdistrict.name}: {summary}")
