"""Writes to accounts: disabling, ending sessions, lockout, second factor, phone codes, re-authentication."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import totp
from gongzhi.accounts.models import LoginThrottle, PhoneCode, RecoveryCode, TotpDevice, User
from gongzhi.core import audit, identity, pii


def home_area(user: User) -> tuple[int | None, int | None]:
    """Where an account belongs, so its sign-ins and changes appear in that area's audit trail
    (the area's auditor reads them): a staff member's first role, a resident's household."""
    from gongzhi.org.models import Resident, RoleAssignment

    if user.kind == User.Kind.RESIDENT:
        found = Resident.objects.filter(user=user).values_list(
            "household__neighborhood__subdistrict_id", "household__neighborhood_id"
        )
    else:
        found = (
            RoleAssignment.objects.filter(user=user)
            .order_by("pk")
            .values_list("subdistrict_id", "neighborhood_id")
        )
    return found.first() or (None, None)


def end_sessions(user: User) -> None:
    """Every session of the account stops being valid on its next request."""
    user.end_sessions()


@transaction.atomic
def disable_account(*, actor, user: User, reason: str) -> User:
    User.objects.filter(pk=user.pk).update(is_active=False)
    end_sessions(user)
    audit.record(
        "update", user, actor=actor, reason=reason, changes={"is_active": [True, False]}, area=home_area(user)
    )
    user.refresh_from_db()
    return user


# Lockout: 5 failures of one account from one client lock that pair; 20 from anywhere lock the
# account. Both locks lapse after 15 minutes. The account-wide lock does not block a known device
# (a browser that signed in to the account before, gongzhi.accounts.known_devices): an attacker
# repeating 20 failures every 15 minutes slows strangers down but cannot keep the owner out.
PAIR_LIMIT, ACCOUNT_LIMIT = 5, 20
LOCK_SECONDS = WINDOW_SECONDS = 15 * 60


def _throttle_keys(username: str, client: str) -> list[tuple[str, int]]:
    # Every spelling of one name (full-width, compatibility forms, case, spaces) counts as one.
    name = identity.account_key(username)
    return [(f"pair:{name}|{client}", PAIR_LIMIT), (f"account:{name}", ACCOUNT_LIMIT)]


def locked_until(username: str, client: str, *, known_device: bool = False):
    """When the sign-in may be tried again, or None when it may be tried now. A known device
    meets only the lock of its own pair (account and client)."""
    now = timezone.now()
    keys = [k for k, _limit in _throttle_keys(username, client)]
    if known_device:
        keys = keys[:1]
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
    audit.record("login", user, actor=user, summary=user.username, area=home_area(user))


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
    audit.record(
        "update",
        user,
        actor=user,
        summary=f"{user.username}: {_('second factor enrolled')}",
        area=home_area(user),
    )
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
        audit.record(
            "login",
            user,
            actor=user,
            summary=f"{user.username}: {_('recovery code used')}",
            area=home_area(user),
        )
    return bool(used)


# ---- Residents' sign-in by a one-time code sent to their phone -----------------------------------
CODE_SECONDS = 5 * 60
CODE_ATTEMPTS = 5
# Codes sent per phone and per client in a 15-minute window; over it, the pair waits the window out.
# A known device of the phone's account counts per phone and client instead of per phone, so
# someone requesting codes for a stranger's number cannot keep its owner from signing in.
SENDS_PER_PHONE, SENDS_PER_CLIENT, SEND_WINDOW = 5, 20, 15 * 60


class TooManyCodes(ValidationError):
    """Over the send limit of the phone or the client (pages answer 429)."""


def _code_digest(phone_digest: str, code: str) -> str:
    return pii.blind_index("otp", f"{phone_digest}:{identity.normalize(code)}")


def _spend(key: str, limit: int, window_seconds: int) -> bool:
    """Count one use of `key` in the database (atomic across processes); False when over `limit`."""
    now = timezone.now()
    with transaction.atomic():
        row = _locked_row(key, now)
        if row.locked_until and row.locked_until > now:
            return False
        if (now - row.window_started).total_seconds() > window_seconds:
            row.failures, row.window_started = 0, now
        row.failures += 1
        if row.failures > limit:
            row.locked_until = row.window_started + timedelta(seconds=window_seconds)
        row.save()
        return row.failures <= limit


def phone_account_name(phone: str) -> str:
    """The name a phone's sign-ins are counted and remembered under ("" for an invalid phone)."""
    try:
        phone = pii.validate_phone(phone)
    except ValidationError:
        return ""
    return f"phone:{pii.blind_index('phone', phone)[:32]}"


def request_phone_code(*, phone: str, client: str, known_device: bool = False) -> None:
    """Send a 6-digit code to `phone`. Answers the same whether or not the number is known (an
    unknown number gets a plain resident account on first sign-in), so nothing is enumerable."""
    try:
        phone = pii.validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    digest = pii.blind_index("phone", phone)
    # Both counters move on every request, so cycling numbers from one client is capped too.
    by_client = _spend(f"otp-client:{client}", SENDS_PER_CLIENT, SEND_WINDOW)
    phone_key = f"otp-pair:{digest[:32]}|{client}" if known_device else f"otp-phone:{digest}"
    by_phone = _spend(phone_key, SENDS_PER_PHONE, SEND_WINDOW)
    if not (by_client and by_phone):
        raise TooManyCodes({"phone": _("Too many codes were requested. Please wait 15 minutes.")})
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        # Only the newest code counts: older ones stop working when a new one is sent.
        PhoneCode.objects.filter(phone_digest=digest, used_at__isnull=True).update(used_at=now)
        row = PhoneCode.objects.create(
            phone_digest=digest,
            code_digest=_code_digest(digest, code),
            created_at=now,
            expires_at=now + timedelta(seconds=CODE_SECONDS),
        )
    from gongzhi.notifications.services import send

    send(
        key=f"otp:{row.pk}",
        channel="sms",
        address=phone,
        subject=_("Sign-in code"),
        body=_("Your gongzhi sign-in code is %(code)s. It is valid for 5 minutes; never share it.")
        % {"code": code},
    )


def _check_code(digest: str, code: str) -> bool:
    """One try at the newest live code of the phone; the try is counted even when it fails."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone_digest=digest, used_at__isnull=True, expires_at__gt=now)
            .order_by("-pk")
            .first()
        )
        if row is None or row.attempts >= CODE_ATTEMPTS:
            return False
        if hmac.compare_digest(row.code_digest, _code_digest(digest, code)):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return True
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return False


def sign_in_with_phone_code(*, phone: str, code: str) -> User:
    """The resident account of `phone` (made on first sign-in, linked to the registry's resident
    with that phone when exactly one unlinked resident has it) once `code` matches."""
    try:
        phone = pii.validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    digest = pii.blind_index("phone", phone)
    if not _check_code(digest, code):
        raise ValidationError({"code": _("The code is wrong, expired or already used.")})
    with transaction.atomic():
        user = open_resident_account(phone=phone)
        if not user.is_active or user.kind != User.Kind.RESIDENT:
            raise ValidationError({"code": _("The code is wrong, expired or already used.")})
        audit.record(
            "login", user, actor=user, summary=f"{user.username}: {_('phone code')}", area=home_area(user)
        )
    return user


class SignInLocked(ValidationError):
    """Too many failed password sign-ins for this phone (pages answer 429)."""


def sign_in_with_phone_password(
    *, phone: str, password: str, client: str, known_device: bool = False
) -> User:
    """A resident who set a password signs in with phone and password. Unknown phone and wrong
    password get the same answer; failures count in the same lockout as staff sign-ins."""
    wrong = {"password": _("Wrong phone number or password.")}
    try:
        phone = pii.validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    digest = pii.blind_index("phone", phone)
    name = f"phone:{digest[:32]}"
    if locked_until(name, client, known_device=known_device) is not None:
        raise SignInLocked({"password": _("Too many failed attempts: try again in 15 minutes.")})
    user = User.objects.filter(phone_digest=digest, kind=User.Kind.RESIDENT, is_active=True).first()
    # An unknown phone still pays for one password hash, so timing does not tell it apart.
    known = user is not None and user.has_usable_password()
    if not (user or User(password="!")).check_password(password) or not known:
        record_failed_sign_in(name, client)
        raise ValidationError(wrong)
    record_successful_sign_in(user=user, username=name, client=client)
    return user


@transaction.atomic
def open_resident_account(*, phone: str) -> User:
    """The resident account of a (validated) phone, made once and linked to the register."""
    digest = pii.blind_index("phone", phone)
    user = _resident_account(phone, digest)
    if user.is_active and user.kind == User.Kind.RESIDENT:
        _link_resident(user, digest)
    return user


def _resident_account(phone: str, digest: str) -> User:
    user = User.objects.select_for_update().filter(phone_digest=digest).first()
    if user is not None:
        return user
    user = User(username=f"r-{secrets.token_hex(6)}", kind=User.Kind.RESIDENT, phone=phone)
    user.phone_digest = digest
    user.display_name = pii.mask_phone(phone)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same phone signed in twice at once: one account
        return User.objects.select_for_update().get(phone_digest=digest)
    audit.record(
        "create", user, actor=user, summary=f"{user.username}: {_('resident account')}", area=home_area(user)
    )
    return user


def _link_resident(user: User, digest: str) -> None:
    from gongzhi.org.models import Resident

    if Resident.objects.filter(user=user).exists():
        return
    matches = list(Resident.objects.select_for_update().filter(phone_digest=digest)[:2])
    # A phone shared by two registry entries links to neither: staff must tell them apart.
    if len(matches) == 1 and matches[0].user_id is None:
        resident = matches[0]
        resident.user = user
        resident.save(update_fields=["user"])
        audit.record("update", resident, actor=user, summary=f"{user.username}: {_('account linked')}")
        if resident.name:
            User.objects.filter(pk=user.pk).update(display_name=pii.mask_name(resident.name))


# ---- Re-authentication before sensitive changes ---------------------------------------------------
def reauthenticate(
    *, user: User, password: str = "", code: str = "", client: str = "", known_device: bool = False
) -> bool:
    """The user proves again who they are: password (plus the second factor for staff who have
    one), or for a resident without a password a fresh code sent to their phone. Failures count
    towards the sign-in lockout."""
    if locked_until(user.username, client, known_device=known_device) is not None:
        return False
    if user.kind == User.Kind.RESIDENT and not user.has_usable_password():
        ok = bool(user.phone_digest) and _check_code(user.phone_digest, code)
    else:
        ok = user.check_password(password)
        if ok and has_confirmed_device(user):
            ok = verify_second_factor(user=user, code=code)
    if ok:
        audit.record(
            "login",
            user,
            actor=user,
            summary=f"{user.username}: {_('re-authenticated')}",
            area=home_area(user),
        )
    else:
        record_failed_sign_in(user.username, client)
    return ok


@transaction.atomic
def reset_second_factor(*, user: User) -> None:
    """Drop the authenticator app and recovery codes (after re-authentication); enrolment starts
    over and every other session of the account ends."""
    TotpDevice.objects.filter(user=user).delete()
    user.recovery_codes.all().delete()
    end_sessions(user)
    audit.record(
        "update",
        user,
        actor=user,
        summary=f"{user.username}: {_('second factor reset')}",
        area=home_area(user),
    )


# ---- Security admin: lockouts and sessions --------------------------------------------------------
@transaction.atomic
def lift_lock(*, actor: User, key: str) -> bool:
    from gongzhi.accounts import duties

    duties.require_duty(actor, "security_admin")
    deleted, _rows = LoginThrottle.objects.filter(key=key, locked_until__isnull=False).delete()
    if deleted:
        audit.record(
            "delete", None, actor=actor, summary=f"{_('lock lifted')}: {key[:200]}", area=_duty_area(actor)
        )
    return bool(deleted)


def _duty_area(actor: User) -> tuple[int | None, None]:
    """The security admin's town, so the auditor of that town reads what its security admin did."""
    from gongzhi.core.permissions import assignments_of

    towns = [a.subdistrict_id for a in assignments_of(actor) if a.role == "security_admin"]
    return (towns[0] if towns else None), None


@transaction.atomic
def end_sessions_of(*, actor: User, username: str) -> bool:
    from gongzhi.accounts import duties

    duties.require_duty(actor, "security_admin")
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        return False
    end_sessions(user)
    audit.record(
        "update",
        user,
        actor=actor,
        summary=f"{user.username}: {_('all sessions ended')}",
        area=_duty_area(actor),
    )
    return True
