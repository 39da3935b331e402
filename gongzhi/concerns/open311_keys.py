"""Open311 api_keys: shown once at creation, stored only as a hash."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from gongzhi.concerns.models import Open311Key
from gongzhi.core import audit, identity


def _digest(key: str) -> str:
    # One spelling per key (core/identity.py): a look-alike is the same (unknown) key.
    return hashlib.sha256(identity.secret(key).encode()).hexdigest()


@transaction.atomic
def create_key(*, actor, subdistrict, name: str) -> tuple[Open311Key, str]:
    raw = "o311_" + secrets.token_urlsafe(24)
    item = Open311Key.objects.create(subdistrict=subdistrict, name=name[:64], digest=_digest(raw))
    area = (subdistrict.pk if subdistrict else None, None)
    audit.record("create", item, actor=actor, summary=f"Open311 key {item.name}", area=area)
    return item, raw


def key_for(raw: str) -> Open311Key | None:
    item = (
        Open311Key.objects.select_related("subdistrict")
        .filter(digest=_digest(raw or ""), active=True)
        .first()
    )
    if item is not None:
        Open311Key.objects.filter(pk=item.pk).update(last_used_at=timezone.now())
    return item
