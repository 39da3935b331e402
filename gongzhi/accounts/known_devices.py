"""Known devices: a signed cookie naming the accounts that signed in successfully from this browser.

The account-wide lockout (failures from any client) and the per-phone limit on sign-in codes can
be set off by anyone who knows a username or a phone number. A browser that has signed in to the
account before is not blocked by them, so an attacker repeating failures cannot keep the owner
out for good; it still meets the per-account-and-client limit (OWASP ASVS 6.3.1, "device
cookies"). The cookie holds keyed digests of the account names, never the names themselves.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from gongzhi.core import identity

COOKIE = "gongzhi_known_device"
SALT = "gongzhi.accounts.known_devices"
MAX_AGE = 180 * 24 * 3600
MAX_ACCOUNTS = 5  # a family's shared phone; the oldest name drops out first


def _tag(name: str) -> str:
    return salted_hmac(SALT, identity.account_key(name), algorithm="sha256").hexdigest()[:24]


def _tags(request) -> list[str]:
    raw = request.COOKIES.get(COOKIE, "")
    if not raw:
        return []
    try:
        tags = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def is_known(request, name: str) -> bool:
    """Whether this browser signed in to the account `name` (a username or a phone's name)."""
    return request is not None and _tag(name) in _tags(request)


def remember(request, response, name: str) -> None:
    """Mark the browser as a known device of `name` after a successful sign-in."""
    tag = _tag(name)
    tags = [t for t in _tags(request) if t != tag][-(MAX_ACCOUNTS - 1) :] + [tag]
    response.set_cookie(
        COOKIE,
        signing.dumps(tags, salt=SALT),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
