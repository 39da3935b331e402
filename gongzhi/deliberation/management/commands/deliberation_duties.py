"""`gongzhi deliberation_duties`: create the weekly and monthly meeting duties; a scheduler runs it daily.

Prints `created: N` as its last line.
"""

from django.core.management.base import BaseCommand

from gongzhi.deliberation.tasks import schedule_meeting_duties


class Command(BaseCommand):
    help = "Create every neighborhood's weekly and monthly meeting duties for the year (run daily)"

    def handle(self, *args, **options):
        result = schedule_meeting_duties.enqueue()
        self.stdout.write(f"created: {result.return_value if result.is_finished else 'queued'}")
