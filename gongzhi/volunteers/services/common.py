"""Shared pieces of the volunteer services: the hours' precision, creation checks, skill lists."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.org.models import Neighborhood

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
    """Skills typed with either comma, as one sorted, lower-case, de-duplicated list."""
    words = sorted({w.strip().lower() for w in (value or "").replace("，", ",").split(",") if w.strip()})
    return ",".join(words)


def parse_hours(value) -> Decimal:
    """Hours typed for one sign-up or draw: a number above 0 and at most 24, to the hundredth."""
    try:
        hours = Decimal(str(value).strip()).quantize(HOURS, ROUND_DOWN)
    except InvalidOperation:
        raise ValidationError({"hours": _("Hours must be a number.")}) from None
    if hours <= 0 or hours > MAX_SIGNUP_HOURS:
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    return hours
