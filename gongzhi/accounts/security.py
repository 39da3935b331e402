"""What the security admin sees: the settings in force, current lockouts, key status, sessions.
No resident data: lock keys name accounts and client addresses, phones appear only as hashes."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from gongzhi.accounts.models import LoginThrottle, TotpDevice, User
from gongzhi.core import pii


def overview() -> dict:
    now = timezone.now()
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    return {
        "settings_in_force": [
            ("PASSWORD_PROFILE", settings.PASSWORD_PROFILE),
            ("MFA_REQUIRED", settings.MFA_REQUIRED),
            ("SESSION_COOKIE_AGE", settings.SESSION_COOKIE_AGE),
            ("SESSION_ABSOLUTE_SECONDS", settings.SESSION_ABSOLUTE_SECONDS),
            ("SESSION_COOKIE_SECURE", settings.SESSION_COOKIE_SECURE),
            ("GONGZHI_FIELD_CIPHER", getattr(settings, "FIELD_CIPHER", "aes")),
        ],
        "locks": LoginThrottle.objects.filter(locked_until__gt=now).order_by("-locked_until")[:200],
        "key_id": pii.key_id(pii.masters()[0]),
        "old_keys": len(pii.masters()) - 1,
        "open_sessions": Session.objects.filter(expire_date__gt=now).count(),
        "staff_total": staff.count(),
        "staff_with_mfa": TotpDevice.objects.filter(user__in=staff, confirmed_at__isnull=False).count(),
    }
