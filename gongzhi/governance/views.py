"""Pages of the governance loop: the places of one's area with their modes, one place's timeline
and the switch form (staff who may switch it)."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import form_errors, parse_int, require_reader, staff_page
from gongzhi.governance import selectors, services
from gongzhi.governance.models import GovernanceMode


def _reader(user) -> None:
    require_reader(user, "governance", _("You do not work with the governance loop."))


@staff_page
def home(request):
    _reader(request.user)
    return render(request, "governance/home.html", {"places": selectors.places_of(request.user)})


def _place_page(request, place, *, errors=None, values=None, status=200):
    return render(
        request,
        "governance/place.html",
        {
            "place": place,
            "segments": selectors.timeline(place),
            # A neighborhood's page shows the whole subdistrict's modes too: they apply there.
            "whole": selectors.timeline(selectors.subdistrict_place(request.user, place))
            if place.neighborhood
            else None,
            "days": selectors.TIMELINE_DAYS,
            "now": timezone.now(),
            "switches": selectors.switches_of(place),
            "kinds": GovernanceMode.Kind.choices,
            "errors": errors or {},
            "values": values or {"kind": "", "token": uuid.uuid4().hex},
        },
        status=status,
    )


@staff_page
def place(request, key: str):
    _reader(request.user)
    return _place_page(request, selectors.place_of(request.user, key))


def parse_local(value: str) -> datetime | None:
    """A datetime-local field as Asia/Shanghai time; None for an empty field."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return timezone.make_aware(datetime.fromisoformat(text))
    except ValueError:
        raise ValidationError(
            {"planned_end": [_("Give the planned end as a date and time, e.g. 2026-12-08 18:00.")]}
        ) from None


@staff_page
@require_POST
def switch(request, key: str):
    _reader(request.user)
    place = selectors.place_of(request.user, key)
    if not place.may_switch:
        raise PermissionDenied(_("You may not switch the mode of this place."))
    values = {
        "kind": request.POST.get("kind", ""),
        "reason": request.POST.get("reason", ""),
        "planned_end": request.POST.get("planned_end", ""),
        "token": request.POST.get("token", "") or uuid.uuid4().hex,
    }
    try:
        mode = services.switch_mode(
            actor=request.user,
            subdistrict=place.subdistrict,
            neighborhood=place.neighborhood,
            kind=values["kind"],
            reason=values["reason"],
            planned_end=parse_local(values["planned_end"]),
            expected_seq=parse_int(request.POST.get("seq"), low=0),
            idempotency_key=values["token"][:64],
        )
    except ValidationError as exc:
        return _place_page(request, place, errors=form_errors(exc), values=values, status=400)
    if not getattr(mode, "replayed", False):
        messages.success(
            request,
            _("%(place)s is now in %(mode)s mode.") % {"place": place.name, "mode": mode.get_kind_display()},
        )
    return redirect("governance:place", key=key)
