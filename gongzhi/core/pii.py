"""Personal data at rest: validation, field encryption, keyed-hash lookup and masking.

ID numbers and phones are stored as AES-GCM ciphertext (a key-version prefix leaves room for
rotation and for an SM4 cipher later); exact lookup goes through an HMAC "blind index", so the
database never holds plaintext and an equality search never needs to decrypt.
"""

import base64
import hashlib
import hmac
import os
import re
from datetime import date
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KEY_VERSION = "v1"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes, bytes]:
    """Independent keys from the one configured secret: encrypt, blind index, audit chain."""
    root = hashlib.sha256(master.encode()).digest()
    return tuple(
        hmac.new(root, label, hashlib.sha256).digest()
        for label in (b"gongzhi/field-encryption", b"gongzhi/blind-index", b"gongzhi/audit-chain")
    )


def _enc_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def _index_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[1]


def audit_chain_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[2]


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(_enc_key()).encrypt(nonce, plaintext.encode(), KEY_VERSION.encode())
    return f"{KEY_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _sep, body = token.partition(":")
    raw = base64.urlsafe_b64decode(body)
    return AESGCM(_enc_key()).decrypt(raw[:12], raw[12:], version.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    """Keyed hash for exact lookup; `kind` keeps equal strings of different fields apart."""
    if not value:
        return ""
    return hmac.new(_index_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> str:
    """GB 11643-1999 citizen ID: 18 characters, valid birth date, ISO 7064 MOD 11-2 check digit."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(_("ID number must be 17 digits followed by a digit or X."), code="format")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("ID number holds an impossible birth date."), code="birth_date") from None
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("ID number check digit is wrong."), code="check_digit")
    return value


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def birth_date_from_id(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


def validate_phone(value: str) -> str:
    value = normalize_phone(value)
    if not _PHONE_RE.match(value):
        raise ValidationError(_("Phone must be an 11-digit mainland mobile number."), code="format")
    return value


def mask_id_number(value: str) -> str:
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "*" * len(value)


def mask_name(value: str) -> str:
    """For public notices: 张三 → 张*, 欧阳娜娜 → 欧***."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""
