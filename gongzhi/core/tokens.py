"""API bearer tokens: shown once at creation, stored only as a hash, valid for a limited time.

Each server process remembers a token's owner for `REMEMBER_SECONDS` after looking it up, so a
busy client costs one token query per process every few seconds instead of one per request.
Deleting a token, or saving or deactivating its user, forgets every remembered token in the
process where it happens at once, and in the other processes within `REMEMBER_SECONDS`: that is
how quickly a revocation takes effect everywhere. Unknown tokens are never remembered, and a
remembered token is forgotten at its expiry at the latest.

A token may be narrower than its user (finding 12 of issue 19): a read-only token makes only safe
requests (GET, HEAD, OPTIONS), and a scoped token reaches only the API sections it names (the
first path segment under /api/v1/, e.g. `concerns`, `visits`, `volunteers`). `Grant.refusal`
says why a request is beyond the token; gongzhi/api.py answers it with 403.
"""

import copy
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, identity
from gongzhi.core.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)
# A stolen token works until it expires: 90 days unless asked otherwise, a year at most.
DEFAULT_DAYS, MAX_DAYS = 90, 366
REMEMBER_SECONDS = 5.0
# The API's sections a token can be scoped to: the first path segment under /api/v1/.
SCOPES = (
    "accounts",
    "concerns",
    "deliberation",
    "households",
    "insights",
    "me",
    "neighborhoods",
    "notifications",
    "projects",
    "residents",
    "summary",
    "surveys",
    "visits",
    "volunteers",
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Grant:
    """What a token allows beyond its user's own rights: everything, or less."""

    read_only: bool = False
    scopes: tuple[str, ...] = ()

    def refusal(self, method: str, section: str) -> str:
        """Why a `method` request to the API section `section` is beyond this token ("" if it is not)."""
        if self.read_only and method.upper() not in SAFE_METHODS:
            return _("This API token is read-only: it may only read (GET, HEAD, OPTIONS).")
        if self.scopes and section not in self.scopes:
            return _("This API token does not reach /%(section)s; its scopes are: %(scopes)s.") % {
                "section": section,
                "scopes": ", ".join(self.scopes),
            }
        return ""


_remembered: dict[str, tuple[float, object, Grant]] = {}  # digest → (forget at, user as loaded, grant)
_lock = threading.Lock()


def _digest(token: str) -> str:
    # One spelling per token (core/identity.py), so a look-alike is the same (unknown) secret.
    return hashlib.sha256(identity.secret(token).encode()).hexdigest()


def _clean_scopes(scopes) -> tuple[str, ...]:
    cleaned = tuple(sorted({identity.account_key(s) for s in scopes or ()}))
    unknown = [s for s in cleaned if s not in SCOPES]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope %(unknown)s; known scopes: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(SCOPES)}
            }
        )
    return cleaned


@transaction.atomic
def create_token(
    *, actor, user, name: str, days: int = DEFAULT_DAYS, read_only: bool = False, scopes=()
) -> tuple[ApiToken, str]:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("A token lasts 1 to %(max)s days.") % {"max": MAX_DAYS}})
    scopes = _clean_scopes(scopes)
    token = "gz_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days)
    item = ApiToken.objects.create(
        user=user,
        name=name[:64],
        digest=_digest(token),
        expires_at=expires_at,
        read_only=read_only,
        scopes=list(scopes),
    )
    audit.record(
        "create",
        item,
        actor=actor,
        summary=f"API token {item.name} for {user}",
        changes={"expires_at": expires_at.isoformat(), "read_only": read_only, "scopes": list(scopes)},
    )
    return item, token


def user_for_token(token: str):
    """The active account a live token acts as, or None (unknown, expired or disabled)."""
    found = grant_for_token(token)
    return found[0] if found else None


def grant_for_token(token: str):
    """(account, Grant) of a live token, or None (unknown, expired or disabled)."""
    digest = _digest(token or "")
    hit = _remembered.get(digest)
    if hit is not None and hit[0] > time.monotonic():
        # A copy per request: what a request caches on its user (role assignments) stays its own.
        return copy.copy(hit[1]), hit[2]
    item = _look_up(digest)
    if item is None:
        return None
    grant = Grant(read_only=item.read_only, scopes=tuple(item.scopes or ()))
    left = (item.expires_at - timezone.now()).total_seconds()
    with _lock:
        if len(_remembered) > 10_000:  # bounded: one entry per token in use
            _remembered.clear()
        _remembered[digest] = (time.monotonic() + min(REMEMBER_SECONDS, left), item.user, grant)
    return copy.copy(item.user), grant


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
