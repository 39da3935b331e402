"""`gongzhi keys rotate`: re-encrypt personal data under the current key and cipher."""

from django.core.management.base import BaseCommand

from gongzhi.core import audit
from gongzhi.core.keys import rotate_all


class Command(BaseCommand):
    help = "Field-encryption keys"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="re-encrypt every encrypted field with GONGZHI_FIELD_KEY")

    def handle(self, *args, action: str, **options):
        counts = rotate_all()
        audit.record("update", summary="field keys rotated", changes={k: v for k, v in counts.items() if v})
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        self.stdout.write("done: old keys may now be removed from GONGZHI_FIELD_OLD_KEYS")
