"""``gongzhi notify deliver``: deliver every due message (run it from cron or a task worker)."""

from django.core.management.base import BaseCommand

from gongzhi.notifications import selectors, services


class Command(BaseCommand):
    help = "Deliver queued notifications."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "status"])
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--workers", type=int, default=16)

    def handle(self, *args, action, batch, workers, **options):
        if action == "deliver":
            report = services.fan_out(batch=batch, workers=workers)
            self.stdout.write(f"delivered {report.sent} of {report.handled} in {report.seconds:.1f} s")
        counts = selectors.queue_counts()
        self.stdout.write(" ".join(f"{k} {v}" for k, v in counts.items()))
