"""Exports of the org app that go through approval (core.exports): the household ledger."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import exports, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.pages import parse_int
from gongzhi.org import ledger
from gongzhi.org.models import Household, Neighborhood, Resident


def _neighborhood(actor, params: dict) -> Neighborhood | None:
    raw = str(params.get("neighborhood") or "")
    if not raw:
        return None
    number = parse_int(raw)
    if number is None:
        raise ValidationError({"neighborhood": _("Choose a neighborhood from the list.")})
    found = permissions.scoped(actor, Neighborhood.objects.filter(pk=number), permissions.EXPORT).first()
    if found is None:
        raise NotInScope(_("No such neighborhood in your area."))
    return found


def _area(actor, params: dict) -> tuple[int | None, int | None]:
    neighborhood = _neighborhood(actor, params)
    if neighborhood is not None:
        return neighborhood.subdistrict_id, neighborhood.pk
    return exports.area_of_exporter(actor, "resident")


def _count(actor, params: dict) -> int:
    """Rows of the ledger: one per resident (a household without residents has one of its own)."""
    households = permissions.scoped(actor, Household.objects.all(), permissions.EXPORT)
    if (neighborhood := _neighborhood(actor, params)) is not None:
        households = households.filter(neighborhood=neighborhood)
    residents = Resident.objects.filter(household__in=households).count()
    return residents + households.filter(residents__isnull=True).count()


def _produce(actor, params: dict) -> exports.ExportFile:
    neighborhood = _neighborhood(actor, params)
    content = ledger.export_households_xlsx(actor=actor, neighborhood=neighborhood)
    label = neighborhood.name if neighborhood else _("all")
    return exports.ExportFile(content, _("ledger") + f"-{label}-{timezone.localdate():%Y%m%d}.xlsx")


exports.register(
    exports.ExportKind(
        code="org.households",
        label=gettext_lazy("household and resident ledger"),
        data_class="resident",
        area=_area,
        fields=("neighborhood",),
        produce=_produce,
        description=gettext_lazy(
            "Households and their residents of one neighborhood (or your whole area), in the import layout, ID numbers and phones masked."
        ),
        page="org:ledger_import",
        count=_count,
    )
)
