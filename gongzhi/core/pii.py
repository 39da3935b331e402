"""Personal data at rest: validation, field encryption, keyed-hash lookup and masking.

ID numbers and phones are stored as authenticated ciphertext: AES-256-GCM by default, or SM4-GCM
(GB/T 32907) for deployments assessed under 商用密码 rules (GONGZHI_FIELD_CIPHER=sm4). Each value
carries the cipher and the id of the key that sealed it, so keys can be rotated: the new key
goes into GONGZHI_FIELD_KEY, the old ones into GONGZHI_FIELD_OLD_KEYS until `gongzhi keys
rotate` has re-encrypted everything. Exact lookup goes through an HMAC "blind index", so the
database never holds plaintext and an equality search never decrypts.
"""

import base64
import hashlib
import hmac
import os
import re
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import identity

# GB 11643-1999 (ISO 7064 MOD 11-2): weights of the first 17 digits, check character by sum % 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits: \d takes any script's
CIPHER_CODES = {"aes": "a1", "sm4": "s1"}


def derived_key(master: str, label: bytes) -> bytes:
    """One independent key per purpose from the one configured secret."""
    return hmac.new(hashlib.sha256(master.encode()).digest(), label, hashlib.sha256).digest()


@lru_cache(maxsize=16)
def _keys(master: str) -> tuple[bytes, bytes, bytes]:
    """The keys to encrypt, to build blind indexes and to chain the audit trail."""
    labels = (b"gongzhi/field-encryption", b"gongzhi/blind-index", b"gongzhi/audit-chain")
    return tuple(derived_key(master, label) for label in labels)


def key_id(master: str) -> str:
    return hashlib.sha256(b"gongzhi/key-id:" + master.encode()).hexdigest()[:8]


def masters() -> list[str]:
    """The current key first, then old keys still needed to read what they sealed."""
    return [settings.FIELD_ENCRYPTION_KEY, *getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", [])]


def _index_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[1]


def audit_chain_keys() -> list[bytes]:
    return [_keys(m)[2] for m in masters()]


def audit_chain_key() -> bytes:
    return audit_chain_keys()[0]


def _seal(cipher: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if cipher == "a1":
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == "a1":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    decryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def current_header() -> str:
    cipher = getattr(settings, "FIELD_CIPHER", "aes")
    if cipher not in CIPHER_CODES:
        raise ImproperlyConfigured("GONGZHI_FIELD_CIPHER must be aes or sm4")
    return f"{CIPHER_CODES[cipher]}.{key_id(settings.FIELD_ENCRYPTION_KEY)}"


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    header, nonce = current_header(), os.urandom(12)
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[0]
    sealed = _seal(header[:2], key, nonce, plaintext.encode(), header.encode())
    return f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    header, _sep, body = token.partition(":")
    cipher, _dot, kid = header.partition(".")
    raw = base64.urlsafe_b64decode(body)
    for master in masters():
        if key_id(master) == kid:
            try:
                return _open(cipher, _keys(master)[0], raw[:12], raw[12:], header.encode()).decode()
            except InvalidTag:
                break
    raise ImproperlyConfigured(f"no configured key opens a value sealed with key {kid}")


def needs_rotation(token: str) -> bool:
    return bool(token) and not token.startswith(current_header() + ":")


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
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def birth_date_from_id(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def normalize_phone(value: str) -> str:
    # One spelling per phone (core/identity.py): full-width digits are the same number.
    digits = re.sub(r"[\s-]", "", identity.normalize(value))
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
