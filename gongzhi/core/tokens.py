"""API bearer tokens: shown once at creation, stored only as a hash, valid for a limited time."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)
# A stolen token works until it expires: 90 days unless asked otherwise, a year at most.
DEFAULT_DAYS, MAX_DAYS = 90, 366


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
    now = timezone.now()
    item = ApiToken.objects.select_related("user").filter(digest=_digest(token or "")).first()
    if item is None or item.expires_at <= now or not item.user.is_active:
        return None
    # Minute precision is enough to see which tokens are in use; a write per request is not.
    if item.last_used_at is None or now - item.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=item.pk).update(last_used_at=now)
    return item.user
