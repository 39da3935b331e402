"""Idempotency keys as stored: scoped to their sender, so one client's key never finds another's
record (a retried concern intake or visit returns the first one)."""

# The stored column's length (Concern.idempotency_key, Visit.idempotency_key).
MAX_LENGTH = 160


def sender_key(principal: str, key: str) -> str | None:
    """`principal:key`, cut to the column; None when the client sent no key."""
    return f"{principal}:{key}"[:MAX_LENGTH] if key else None
