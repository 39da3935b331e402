"""Password profiles: `asvs` (default, OWASP ASVS 5.0 §6.2) and `dengbao` (等保 2.0 level 3)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")

COMMON = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    # Django's list of 20,000 common passwords, shipped with the installed package.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "gongzhi.accounts.passwords.MaximumLengthValidator"},
]
PROFILES = {
    "asvs": COMMON,
    "dengbao": [*COMMON, {"NAME": "gongzhi.accounts.passwords.CharacterClassesValidator"}],
}
ROTATION_DAYS = {"asvs": None, "dengbao": 90}


class MaximumLengthValidator:
    """Long passphrases are welcome; only absurd lengths (hashing cost) are refused."""

    def validate(self, password, user=None):
        if len(password) > 256:
            raise ValidationError(_("Password may have at most 256 characters."), code="password_too_long")

    def get_help_text(self):
        return _("Long passphrases are welcome (up to 256 characters).")


class CharacterClassesValidator:
    """等保: at least three of lower case, upper case, digits and symbols."""

    def validate(self, password, user=None):
        if sum(bool(re.search(c, password)) for c in CLASSES) < 3:
            raise ValidationError(
                _("Password must mix at least three of: lower case, upper case, digits, symbols."),
                code="password_classes",
            )

    def get_help_text(self):
        return _("Use at least three of: lower case, upper case, digits, symbols.")
