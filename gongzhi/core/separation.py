"""Four eyes (双人复核): the account that checks a piece of work is never the one that did it.

Every step that exists to check someone else's work calls `require_second_person` with the
account that did the first half: a micro-wish's claimer and whoever confirms it fulfilled, the
volunteer and the chief confirming their hours, the chief entering hours beyond the scanned time
and the person approving them, an export's requester and approver, a data-subject request's
resident and the staff member deciding it. `core/tests/test_separation.py` lists these steps
and fails when a service that confirms, approves or decides is neither among them nor exempted
with a reason.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class SamePerson(PermissionDenied):
    """Refused: the second half of a check by the account that did the first."""


def same_account(first, second) -> bool:
    """Whether two users (or user ids) are one account; nobody (None) is nobody's second person."""
    first_id = getattr(first, "pk", first)
    second_id = getattr(second, "pk", second)
    return first_id is not None and first_id == second_id


def require_second_person(first, second, *, step: str) -> None:
    """Refuse `second` doing `step` when they are `first`, who did the work being checked."""
    if same_account(first, second):
        raise SamePerson(
            _("%(step)s needs a second person: the same account did the work being checked.") % {"step": step}
        )
