"""Writes to accounts: disabling, ending sessions."""

from django.db import transaction
from django.db.models import F

from gongzhi.accounts.models import User
from gongzhi.core import audit


def end_sessions(user: User) -> None:
    """Every session of the account stops being valid on its next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


@transaction.atomic
def disable_account(*, actor, user: User, reason: str) -> User:
    User.objects.filter(pk=user.pk).update(is_active=False)
    end_sessions(user)
    audit.record("update", user, actor=actor, reason=reason, changes={"is_active": [True, False]})
    user.refresh_from_db()
    return user
