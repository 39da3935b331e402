"""Shared pieces of the volunteer services: the hours' precision, creation checks, skill lists."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.org.models import Neighborhood
from gongzhi.volunteers import skills

HOURS = Decimal("0.01")
MAX_SIGNUP_HOURS = Decimal("24")


def require_create(actor, model, neighborhood: Neighborhood) -> None:
    """Refuse adding a `model` record in a neighborhood the actor may not add to (403), or cannot see (404)."""
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    if permissions.can_create(actor, model, path):
        return
    if permissions.scoped(actor, Neighborhood.objects.filter(pk=neighborhood.pk)).exists():
        raise PermissionDenied(_("You may not add this here."))
    raise NotInScope(_("No such neighborhood in your area."))


def clean_skills(value: str) -> str:
    """Skills typed with any comma or 、, as one sorted, de-duplicated list of codes: "医疗" is stored
    as "medical" like the English, so one search finds both (volunteers.skills)."""
    typed = (value or "").replace("，", ",").replace("、", ",").split(",")
    return ",".join(sorted({skills.code_for(w) for w in typed if w.strip()}))


def parse_hours(value) -> Decimal:
    """Hours typed for one sign-up or draw: a number above 0 and at most 24, to the hundredth."""
    try:
        hours = Decimal(str(value).strip()).quantize(HOURS, ROUND_DOWN)
    except InvalidOperation:
        raise ValidationError({"hours": _("Hours must be a number.")}) from None
    if hours <= 0 or hours > MAX_SIGNUP_HOURS:
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    return hours
