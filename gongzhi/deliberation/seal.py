"""Sealed secret ballots: libsodium sealed boxes (X25519, XSalsa20-Poly1305) to the scrutineers' key.

A secret ballot (its choice, its ticks and the owner's area weight) is sealed at casting to the
vote's public key; the private key lives with the scrutineers (计票人), off the server, and is typed
in only to close the vote. Everything sealed is padded to whole blocks, so a box's length does not
tell "yes" from "abstain" or one area from another. The private key may be split into shares held
by several scrutineers (all of them needed: shares are XORed together).

No Django here: the casting and closing services and the `gongzhi votes keypair` command use it.
"""

from __future__ import annotations

import json
import secrets

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

BLOCK = 256  # plaintexts padded with spaces (JSON ignores them) to a multiple of this
KEY_HEX = 64  # 32 bytes


class SealError(ValueError):
    """A key that is malformed, does not match the vote's, or a box that does not open."""


def new_keypair(shares: int = 1) -> tuple[str, list[str]]:
    """The public key (hex) and the private key as `shares` hex shares that XOR to it."""
    if not 1 <= shares <= 9:
        raise SealError("shares: from 1 to 9")
    private = PrivateKey.generate()
    parts = [secrets.token_bytes(32) for _ in range(shares - 1)]
    last = bytes(private.encode())
    for part in parts:
        last = bytes(a ^ b for a, b in zip(last, part, strict=True))
    return public_of(private), [p.hex() for p in [*parts, last]]


def public_of(private: PrivateKey) -> str:
    return bytes(private.public_key.encode()).hex()


def check_public(text: str) -> str:
    text = (text or "").strip().lower()
    if len(text) != KEY_HEX or any(c not in "0123456789abcdef" for c in text):
        raise SealError("a public key is 64 hexadecimal characters")
    return text


def private_key(text: str, public_hex: str) -> PrivateKey:
    """The private key from what the scrutineers type: one hex key, or shares joined by '+'."""
    shares = [s.strip().lower() for s in (text or "").replace(" ", "").split("+") if s.strip()]
    if not shares or any(len(s) != KEY_HEX or any(c not in "0123456789abcdef" for c in s) for s in shares):
        raise SealError("a key (or each share) is 64 hexadecimal characters; shares are joined by '+'")
    key = bytes(32)
    for share in shares:
        key = bytes(a ^ b for a, b in zip(key, bytes.fromhex(share), strict=True))
    private = PrivateKey(key)
    if public_of(private) != public_hex:
        raise SealError("this key does not belong to the vote")
    return private


def seal(public_hex: str, payload: dict) -> bytes:
    data = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    data += b" " * (-len(data) % BLOCK)
    return SealedBox(PublicKey(bytes.fromhex(public_hex))).encrypt(data)


def unseal(private: PrivateKey, box: bytes) -> dict:
    try:
        return json.loads(SealedBox(private).decrypt(bytes(box)))
    except (CryptoError, ValueError) as exc:
        raise SealError("a sealed ballot does not open with this key") from exc
