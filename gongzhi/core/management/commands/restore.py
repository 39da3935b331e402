"""`gongzhi restore --from FILE`: bring a backup back into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore an encrypted backup into an empty installation (same database engine)"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="backup file")
        parser.add_argument(
            "--jobs", type=int, default=1, help="PostgreSQL: tables and indexes restored in parallel"
        )

    def handle(self, *args, source: str, jobs: int, **options):
        try:
            restore_backup(Path(source), jobs=jobs)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored from {source}")
