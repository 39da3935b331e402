"""Writes to accounts: disabling, ending sessions."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.accounts.models import LoginThrottle, User
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


# Lockout: 5 failures of one account from one client lock that pair; 20 from anywhere lock the
# account. Both locks lapse after 15 minutes, so nobody can keep a victim locked out for good
# except by failing again and again, which is itself visible in the audit trail.
PAIR_LIMIT, ACCOUNT_LIMIT = 5, 20
LOCK_SECONDS = WINDOW_SECONDS = 15 * 60


def _throttle_keys(username: str, client: str) -> list[tuple[str, int]]:
    name = (username or "").strip().lower()[:150]
    return [(f"pair:{name}|{client}", PAIR_LIMIT), (f"account:{name}", ACCOUNT_LIMIT)]


def locked_until(username: str, client: str):
    """When the sign-in may be tried again, or None when it may be tried now."""
    now = timezone.now()
    keys = [k for k, _limit in _throttle_keys(username, client)]
    until = (
        LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return until


@transaction.atomic
def record_failed_sign_in(username: str, client: str) -> None:
    now = timezone.now()
    for key, limit in _throttle_keys(username, client):
        row = _locked_row(key, now)
        if (now - row.window_started).total_seconds() > WINDOW_SECONDS:
            row.failures, row.window_started = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + timedelta(seconds=LOCK_SECONDS)
            row.failures, row.window_started = 0, now
        row.save()


def _locked_row(key: str, now) -> LoginThrottle:
    row = LoginThrottle.objects.select_for_update().filter(key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(key=key, window_started=now)
    except IntegrityError:
        pass  # a concurrent failure created it first
    return LoginThrottle.objects.select_for_update().get(key=key)


def record_successful_sign_in(*, user: User, username: str, client: str) -> None:
    pair_key = _throttle_keys(username, client)[0][0]
    LoginThrottle.objects.filter(key=pair_key).delete()
    audit.record("login", user, actor=user, summary=user.username)
