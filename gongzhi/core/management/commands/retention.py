"""`gongzhi retention rules | purge [--dry-run]`: what is kept how long, and enforcing it."""

from django.core.management.base import BaseCommand

from gongzhi.core import retention


class Command(BaseCommand):
    help = "Retention rules and the purge that anonymises what has expired"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rules", help="list the retention rules and their periods")
        purging = sub.add_parser("purge", help="anonymise or delete what has outlived its rule")
        purging.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args, action: str, **options):
        if action == "rules":
            for rule in retention.RULES:
                self.stdout.write(
                    f"{rule.code:18} {rule.action:9} {retention.days_of(rule):5} days  {rule.label}"
                )
            self.stdout.write(
                f"{'audit':18} {'archive':9} {retention.audit_retention_days():5} days  audit trail"
            )
            return
        dry_run = options["dry_run"]
        outcomes = retention.purge(dry_run=dry_run)
        totals = {"anonymise": 0, "delete": 0}
        for o in outcomes:
            state = "skipped (not installed)" if o.skipped else f"{o.count} records"
            self.stdout.write(f"{o.rule.code:18} {o.rule.action:9} after {o.days:5} days: {state}")
            totals[o.rule.action] += o.count
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"retention: {totals['anonymise']} records {verb} anonymised, {totals['delete']} {verb} deleted"
            + (" (dry run)" if dry_run else "")
        )
