"""`gongzhi backup --out FILE`: a consistent, encrypted backup of the database and uploads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from gongzhi.core.backup import create_backup


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and uploaded files"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="file to write, e.g. gongzhi-2026-11-23.backup")

    def handle(self, *args, out: str, **options):
        made = create_backup(Path(out))
        self.stdout.write(f"backup written: {out} ({made['bytes']:,} bytes, {made['database']})")
