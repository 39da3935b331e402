"""`gongzhi concerns_escalate`: put overdue concerns on the 督办 list; a scheduler runs it.

Prints `escalated: N` as its last line.
"""

from django.core.management.base import BaseCommand

from gongzhi.concerns.tasks import escalate_overdue


class Command(BaseCommand):
    help = "Escalate concerns whose response or resolution deadline has passed (run every few minutes)"

    def handle(self, *args, **options):
        result = escalate_overdue.enqueue()
        self.stdout.write(f"escalated: {result.return_value if result.is_finished else 'queued'}")
