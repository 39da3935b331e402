"""API bearer tokens: shown once at creation, stored only as a hash, valid for a limited time.

Each server process remembers a token's owner for `REMEMBER_SECONDS` after looking it up, so a
busy client costs one token query per process every few seconds instead of one per request.
Deleting a token, or saving or deactivating its user, forgets every remembered token in the
process where it happens at once, and in the other processes within `REMEMBER_SECONDS`: that is
how quickly a revocation takes effect everywhere. Unknown tokens are never remembered, and a
remembered token is forgotten at its expiry at the latest.
"""

import copy
import hashlib
import secrets
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)
# A stolen token works until it expires: 90 days unless asked otherwise, a year at most.
DEFAULT_DAYS, MAX_DAYS = 90, 366
REMEMBER_SECONDS = 5.0
_remembered: dict[str, tuple[float, object]] = {}  # digest → (forget at, user as loaded)
_lock = threading.Lock()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor, user, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("A token lasts 1 to %(max)s days.") % {"max": MAX_DAYS}})
    token = "gz_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days)
    item = ApiToken.objects.create(user=user, name=name[:64], digest=_digest(token), expires_at=expires_at)
    audit.record(
        "create",
        item,
        actor=actor,
        summary=f"API token {item.name} for {user}",
        changes={"expires_at": expires_at.isoformat()},
    )
    return item, token


def user_for_token(token: str):
    """The active account a live token acts as, or None (unknown, expired or disabled)."""
    digest = _digest(token or "")
    hit = _remembered.get(digest)
    if hit is not None and hit[0] > time.monotonic():
        # A copy per request: what a request caches on its user (role assignments) stays its own.
        return copy.copy(hit[1])
    item = _look_up(digest)
    if item is None:
        return None
    left = (item.expires_at - timezone.now()).total_seconds()
    with _lock:
        if len(_remembered) > 10_000:  # bounded: one entry per token in use
            _remembered.clear()
        _remembered[digest] = (time.monotonic() + min(REMEMBER_SECONDS, left), item.user)
    return copy.copy(item.user)


def _look_up(digest: str):
    now = timezone.now()
    item = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if item is None or item.expires_at <= now or not item.user.is_active:
        return None
    # Minute precision is enough to see which tokens are in use; a write per request is not.
    if item.last_used_at is None or now - item.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=item.pk).update(last_used_at=now)
    return item


def forget_remembered(**_kwargs) -> None:
    with _lock:
        _remembered.clear()


post_delete.connect(forget_remembered, sender=ApiToken, weak=False)
post_save.connect(forget_remembered, sender=ApiToken, weak=False)
post_save.connect(forget_remembered, sender=settings.AUTH_USER_MODEL, weak=False)
post_delete.connect(forget_remembered, sender=settings.AUTH_USER_MODEL, weak=False)
