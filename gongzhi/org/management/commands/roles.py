"""`gongzhi roles`: the first setup of an installation, from the server's shell.

    gongzhi roles subdistrict --district 宝山区 --name 杨行镇 --code 310113-YX [--kind town|street]
    gongzhi roles assign --user NAME --role CODE --unit ID

A Django superuser reaches no data (separation of duties), so it cannot make the first subdistrict
or hand out the first role in the admin. Whoever runs the server does, here; each step is audited
with no actor (the system) and the usual checks apply (a duty role stays alone on its account).
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongzhi.core import audit
from gongzhi.core.roles import ROLES
from gongzhi.org import services
from gongzhi.org.models import District, Subdistrict

UNIT_MODELS = {
    "subdistrict": "org.Subdistrict",
    "neighborhood": "org.Neighborhood",
    "micro_grid": "grids.MicroGrid",
    "compound": "org.Compound",
    "building": "org.Building",
    "stairwell": "org.Stairwell",
    "partner_unit": "org.PartnerUnit",
    "department": "org.Department",
}


class Command(BaseCommand):
    help = "First setup: a subdistrict, and roles given by the system"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        town = sub.add_parser("subdistrict", help="create a subdistrict (and its district)")
        town.add_argument("--district", required=True)
        town.add_argument("--name", required=True)
        town.add_argument("--code", required=True)
        town.add_argument("--kind", choices=[k for k, _label in Subdistrict.Kind.choices], default="town")
        assign = sub.add_parser("assign", help="give a staff account a role on a unit")
        assign.add_argument("--user", required=True)
        assign.add_argument("--role", required=True, choices=sorted(ROLES))
        assign.add_argument("--unit", required=True, type=int, help="id of the unit the role sits on")

    def handle(self, *args, action: str, **options):
        try:
            line = self._subdistrict(**options) if action == "subdistrict" else self._assign(**options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(line)

    @transaction.atomic
    def _subdistrict(self, *, district: str, name: str, code: str, kind: str, **_options) -> str:
        if Subdistrict.objects.filter(code=code).exists():
            raise CommandError(f"a subdistrict with code {code!r} exists already")
        parent, _created = District.objects.get_or_create(name=district.strip()[:64])
        town = Subdistrict(district=parent, name=name.strip(), code=code.strip(), kind=kind)
        town.full_clean()
        town.save()
        audit.record("create", town, actor=None, summary=f"{town.name} ({town.code})", area=(town.pk, None))
        return f"subdistrict {town.pk}: {town.name} ({town.code})"

    def _assign(self, *, user: str, role: str, unit: int, **_options) -> str:
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        kind = ROLES[role].unit_kind
        target = apps.get_model(UNIT_MODELS[kind])._default_manager.filter(pk=unit).first()
        if target is None:
            raise CommandError(f"no {kind} with id {unit}")
        assignment = services.assign_role(actor=None, user=account, role=role, unit=target)
        return f"{account.username}: {role} on {target} (assignment {assignment.pk})"
