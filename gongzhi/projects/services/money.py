"""Money in yuan to the fen: parse what a form carries, sum what the database returns."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FEN = Decimal("0.01")


def money(value, field: str) -> Decimal:
    """A yuan amount to the fen; anything else is an error naming the field."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Not an amount: %(value)s") % {"value": value}}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Not an amount: %(value)s") % {"value": value}})
    if amount != amount.quantize(FEN):
        raise ValidationError({field: _("Amounts have at most two decimal places (fen).")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def fen(value) -> Decimal:
    """A database sum as exact fen (SQLite returns sums of decimals with spurious places)."""
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_HALF_UP)
