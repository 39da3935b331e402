"""API bearer tokens: shown once at creation, stored only as a hash."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor, user, name: str) -> tuple[ApiToken, str]:
    token = "gz_" + secrets.token_urlsafe(32)
    item = ApiToken.objects.create(user=user, name=name[:64], digest=_digest(token))
    audit.record("create", item, actor=actor, summary=f"API token {item.name} for {user}")
    return item, token


def user_for_token(token: str):
    item = ApiToken.objects.select_related("user").filter(digest=_digest(token or "")).first()
    if item is None or not item.user.is_active:
        return None
    now = timezone.now()
    # Minute precision is enough to see which tokens are in use; a write per request is not.
    if item.last_used_at is None or now - item.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=item.pk).update(last_used_at=now)
    return item.user
