"""Per-client rate limit of public intake, counted in the database so every server process and
every machine shares one count (a per-process cache would multiply the limit by the workers)."""

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from gongzhi.concerns.models import IntakeCounter


def hit(key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one request of `key`; False when the client is over `limit` in the current window."""
    window = int(time.time()) // window_seconds
    key = key[:128]
    updated = IntakeCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                IntakeCounter.objects.create(key=key, window=window, count=1)
        except IntegrityError:  # another process opened the window first
            IntakeCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
    count = IntakeCounter.objects.filter(key=key, window=window).values_list("count", flat=True).first()
    return (count or 0) <= limit


def over(key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Whether `key` already used up `limit` in the current window (counts nothing)."""
    window = int(time.time()) // window_seconds
    count = IntakeCounter.objects.filter(key=key[:128], window=window).values_list("count", flat=True).first()
    return (count or 0) >= limit


def sweep(*, older_than_seconds: int = 86400) -> int:
    """Drop counters of windows long past (the escalation command calls it)."""
    cutoff = int(time.time()) - older_than_seconds
    deleted, _ = IntakeCounter.objects.filter(window__lt=cutoff // 60).delete()
    return deleted
