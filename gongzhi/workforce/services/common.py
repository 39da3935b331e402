"""What the workforce services share: the create check and number parsing with field-named errors."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope


def require_create(actor, model, path: dict, *, refusal: str) -> None:
    """Refuse creating a `model` record at `path`: 403 inside the actor's area, 404 outside it."""
    if permissions.can_create(actor, model, path):
        return
    if any(path.get(kind) == unit for kind, unit in _units(actor)):
        raise PermissionDenied(refusal)
    raise NotInScope(_("No such record in your area."))


def _units(actor) -> list[tuple[str, int | None]]:
    return [(a.unit_kind, a.unit_id) for a in permissions.assignments_of(actor)]


def area_path(neighborhood) -> dict:
    return {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}


def decimal(value, *, field: str, low: Decimal, high: Decimal, places: int = 2) -> Decimal:
    """A number within [low, high] with at most `places` decimals, else an error on `field`."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError(
            {field: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: _("Use at most %(places)d decimals.") % {"places": places}})
    return number


def text(value, *, field: str, required: bool = True, max_length: int = 255) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: _("This field is required.")})
    if len(cleaned) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}})
    return cleaned
