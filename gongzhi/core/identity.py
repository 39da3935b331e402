"""One spelling per identity: what a person types to say who they are (a user name, a phone, an
API token, an Open311 key) is normalised here once, before anything counts failures, throttles
or authenticates. Without it a full-width or compatibility spelling (ｗａｎｇ, ℌ, ①) reached the
account through Django's NFKC-normalising sign-in form while the failure count keyed on the raw
text, so every spelling got a fresh allowance of guesses.
"""

import unicodedata

MAX_LENGTH = 150  # the user name column; longer input names no account


def normalize(raw: str | None) -> str:
    """NFKC, then surrounding white space removed (full-width spaces included, after NFKC)."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def account_key(raw: str | None) -> str:
    """The name failures and locks are counted under: `normalize`, then case-folded. Django's
    user names compare case-sensitively, so folding can only merge counts (a stricter lock),
    never split one account's failures over several spellings."""
    return normalize(raw).casefold()[:MAX_LENGTH]


def secret(raw: str | None) -> str:
    """A bearer token or key as presented: `normalize` without case folding, since their
    alphabets are case-sensitive (a case variant is simply another, unknown, secret)."""
    return normalize(raw)
