"""Visit intake: a visit that raises a problem with a category opens a concern (channel "visit")
in the same step. Taking in a concern is concerns' work, and concerns sits above visits, so the
orchestration lives here and `visits.services.record_visit` only writes the visit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.concerns.models import Category, Channel
from gongzhi.concerns.services import place_of, submit_concern
from gongzhi.org.models import Household
from gongzhi.visits import selectors as visit_selectors
from gongzhi.visits import services as visit_services
from gongzhi.visits.models import Visit


def record_visit(
    *,
    actor,
    household: Household,
    channel: str = Visit.Channel.DOOR,
    raised: str = "",
    handled: str = "",
    suggestions: str = "",
    category: Category | None = None,
    idempotency_key: str = "",
    visited_at=None,
) -> Visit:
    """One 民情日志 line; with a category, the concern it opens too, both or neither. A retry with
    the same idempotency key returns the first visit and opens no second concern."""
    if (found := visit_selectors.visit_by_key(actor, idempotency_key)) is not None:
        return found
    # The visit's refusals (area, right to record, channel) come before a concern is taken in.
    visit_services.check_visit(actor=actor, household=household, channel=channel)
    raised = (raised or "").strip()
    if category is not None and not raised:
        raise ValidationError({"raised": _("Write what the household raised to make it a concern.")})
    with transaction.atomic():
        concern = None
        if category is not None:
            # The same key as the visit's: two tabs sending the form at once open one concern.
            concern = submit_concern(
                actor=actor,
                channel=Channel.VISIT,
                category=category,
                place=place_of(household=household),
                description=raised,
                idempotency_key=idempotency_key,
            )
        return visit_services.record_visit(
            actor=actor,
            household=household,
            channel=channel,
            raised=raised,
            handled=handled,
            suggestions=suggestions,
            concern=concern,
            idempotency_key=idempotency_key,
            visited_at=visited_at,
        )
