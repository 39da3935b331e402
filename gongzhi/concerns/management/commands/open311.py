"""`gongzhi open311 key --create --name NAME [--subdistrict CODE]`: a new Open311 api_key, printed
once as the last line; only its hash is stored. Without --subdistrict the key serves every
jurisdiction and a client names one with jurisdiction_id (needed when there are several)."""

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
        key.add_argument("--subdistrict", default="", help="bind the key to this subdistrict code")

    def handle(self, *args, action: str, name: str, subdistrict: str, **options):
        town = None
        if subdistrict:
            town = Subdistrict.objects.filter(code=subdistrict).first()
            if town is None:
                raise CommandError(f"no subdistrict with code {subdistrict!r}")
        _item, raw = create_key(actor=None, subdistrict=town, name=name)
        scope = town.name if town else "every jurisdiction (clients send jurisdiction_id)"
        self.stderr.write(f"Open311 api_key {name!r} for {scope}; it is shown only now:")
        self.stdout.write(raw)
