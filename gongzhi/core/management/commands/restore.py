"""`gongzhi restore --from FILE`: bring a backup back into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore an encrypted backup into an empty installation (same database engine)"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="backup file")

    def handle(self, *args, source: str, **options):
        try:
            restore_backup(Path(source))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored from {source}")
