"""`gongzhi audit verify`: recompute the audit chain and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the tamper-evident chain of audit records")

    def handle(self, *args, action: str, **options):
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"audit chain broken at record {report.broken_at} ({report.problem}); "
                f"{report.checked} records before it are intact"
            )
        self.stdout.write(f"audit chain intact: {report.checked} records")
