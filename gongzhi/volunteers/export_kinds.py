"""Exports of the volunteers app that go through approval (core.exports): an emergency's
assignment plan, which lists volunteers by name per post and shift."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import exports, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.pages import parse_int
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.models import Emergency


def _emergency(actor, params: dict) -> Emergency:
    raw = str(params.get("emergency") or "")
    number = parse_int(raw)
    if number is None:
        raise ValidationError({"emergency": _("Choose an emergency.")})
    found = selectors.emergencies_visible_to(actor).filter(pk=number).first()
    if found is None or not permissions.can(actor, found, permissions.EXPORT):
        raise NotInScope(_("No such emergency in your area."))
    return found


def _area(actor, params: dict) -> tuple[int | None, int | None]:
    emergency = _emergency(actor, params)
    return emergency.subdistrict_id, emergency.neighborhood_id


def _produce(actor, params: dict) -> exports.ExportFile:
    emergency = _emergency(actor, params)
    content = services.export_plan(actor=actor, emergency=emergency)
    return exports.ExportFile(content, f"emergency-plan-{emergency.pk}.xlsx")


exports.register(
    exports.ExportKind(
        code="volunteers.emergency_plan",
        label=gettext_lazy("emergency assignment plan"),
        data_class="volunteer",
        area=_area,
        fields=("emergency",),
        produce=_produce,
        description=gettext_lazy("Who is placed at which post of one call-up, with phones masked."),
        page="volunteers:emergencies",
    )
)
