"""Idempotency keys as stored: scoped to their sender, so one client's key never finds another's
record (a retried concern intake or visit returns the first one)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The stored column's length (Concern.idempotency_key, Visit.idempotency_key).
MAX_LENGTH = 160


def sender_key(principal: str, key: str) -> str | None:
    """`principal:key`; None when the client sent no key. A key too long for the column is
    refused, never cut: two long keys with the same beginning would find each other's record."""
    if not key:
        return None
    stored = f"{principal}:{key}"
    if len(stored) > MAX_LENGTH:
        room = MAX_LENGTH - len(principal) - 1
        raise ValidationError(
            {
                "idempotency_key": _("An idempotency key may be at most %(limit)s characters long.")
                % {"limit": room}
            }
        )
    return stored
