"""Writes to accounts: disabling, ending sessions."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import totp
from gongzhi.accounts.models import LoginThrottle, RecoveryCode, TotpDevice, User
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


# Second factor (TOTP app plus recovery codes) for staff.
MFA_VERIFIED = "gongzhi_mfa_verified"
RECOVERY_CODES = 10


def mfa_applies(user: User) -> bool:
    return settings.MFA_REQUIRED and user.kind == User.Kind.STAFF


def has_confirmed_device(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def start_enrollment(*, user: User) -> TotpDevice:
    """The secret for the user's app (made once, kept while unconfirmed so the scanned code
    stays valid across page loads); it counts only after `confirm_enrollment`."""
    device, _created = TotpDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"secret": ""}
    )
    if device.confirmed_at is None and not device.secret:
        device.secret = totp.new_secret()
        device.save()
    return device


def _digest(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code.strip().lower()}".encode()).hexdigest()


@transaction.atomic
def confirm_enrollment(*, user: User, code: str) -> list[str]:
    """Confirm the app with a first code; returns recovery codes, shown this once only."""
    device = TotpDevice.objects.select_for_update().get(user=user)
    step = totp.matching_step(device.secret, code, after_step=device.last_used_step)
    if device.confirmed_at is not None or step is None:
        raise ValidationError(
            {"code": _("The code does not match. Check the time on your phone and try again.")}
        )
    device.confirmed_at, device.last_used_step = timezone.now(), step
    device.save()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    end_sessions(user)  # sessions opened before the second factor existed end here
    audit.record("update", user, actor=user, summary=f"{user.username}: second factor enrolled")
    return codes


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> bool:
    """A current TOTP code (each usable once) or an unused recovery code."""
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = totp.matching_step(device.secret, code, after_step=device.last_used_step)
    if step is not None:
        TotpDevice.objects.filter(pk=device.pk).update(last_used_step=step)
        return True
    used = RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used:
        audit.record("login", user, actor=user, summary=f"{user.username}: recovery code used")
    return bool(used)
