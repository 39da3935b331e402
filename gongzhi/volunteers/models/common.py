"""What the volunteer models share: area-scope paths and the token of links that need no sign-in."""

import secrets

MAX_SHIFTS_PER_EMERGENCY = 6
NEIGHBORHOOD_SCOPE = {"subdistrict": "neighborhood__subdistrict_id", "neighborhood": "neighborhood_id"}


def scope_through(prefix: str) -> dict[str, str]:
    """The neighborhood scope paths of a record reached through `prefix` (e.g. "volunteer__")."""
    return {kind: prefix + path for kind, path in NEIGHBORHOOD_SCOPE.items()}


def new_token() -> str:
    """A fresh unguessable token for a link that is its own credential."""
    return secrets.token_urlsafe(16)
