"""API of visits at /api/v1/visits: same scope and services as the pages.

A retry with the same `idempotency_key` returns the first visit instead of a second one.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from gongzhi.concerns import selectors as concern_selectors
from gongzhi.core.errors import ValidationError
from gongzhi.org import selectors as org_selectors
from gongzhi.visits import services

# Bearer token first, then the session: the API-wide authentication (gongzhi/api.py).
router = Router(tags=["concerns"])


class VisitIn(Schema):
    household_id: int
    channel: str = "door"
    raised: str = ""
    handled: str = ""
    suggestions: str = ""
    category: str = ""
    idempotency_key: str = ""


class VisitOut(Schema):
    id: int
    household_id: int
    channel: str
    visited_at: datetime
    concern_id: int | None


def _category(user, code: str):
    found = concern_selectors.category_for_user(user, code)
    if found is None:
        raise ValidationError({"category": "Unknown category code."})
    return found


@router.post("/visits", response={201: VisitOut})
def create_visit(request, payload: VisitIn):
    household = get_object_or_404(org_selectors.households_visible_to(request.user), pk=payload.household_id)
    visit = services.record_visit(
        actor=request.user,
        household=household,
        channel=payload.channel,
        raised=payload.raised,
        handled=payload.handled,
        suggestions=payload.suggestions,
        category=_category(request.user, payload.category) if payload.category else None,
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, visit)
