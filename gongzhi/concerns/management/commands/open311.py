"""`gongzhi open311 key --create --name NAME [--subdistrict CODE]`: a new Open311 api_key, printed
once as the last line; only its hash is stored."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.concerns.open311_keys import create_key
from gongzhi.org.models import Subdistrict


class Command(BaseCommand):
    help = "Manage Open311 GeoReport v2 api_keys"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        key = sub.add_parser("key", help="api_keys of Open311 clients")
        key.add_argument("--create", action="store_true", required=True, help="create a new key")
        key.add_argument("--name", required=True, help="which client the key is for")
        key.add_argument("--subdistrict", default="", help="code of the subdistrict (needed if several)")

    def handle(self, *args, action: str, name: str, subdistrict: str, **options):
        towns = Subdistrict.objects.filter(code=subdistrict) if subdistrict else Subdistrict.objects.all()
        towns = list(towns[:2])
        if not towns:
            raise CommandError(
                f"no subdistrict {subdistrict!r}" if subdistrict else "no subdistrict exists yet"
            )
        if len(towns) > 1:
            raise CommandError("several subdistricts exist: pass --subdistrict CODE")
        _item, raw = create_key(actor=None, subdistrict=towns[0], name=name)
        self.stderr.write(f"Open311 api_key {name!r} for {towns[0].name}; it is shown only now:")
        self.stdout.write(raw)
