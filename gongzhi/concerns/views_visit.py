"""The visit form on a phone (the 民情日志): find the household, record the visit, and with a
category open a concern in the same save. Here, not in visits, because that is concern intake
(concerns/visit_intake.py). Thin: parse, call, render."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.concerns import selectors, visit_intake
from gongzhi.core.pages import form_errors, parse_int, require_concern_reader, staff_page
from gongzhi.visits import selectors as visit_selectors
from gongzhi.visits.models import Visit


def _search(user, query: str) -> dict:
    found = visit_selectors.households_to_visit(user, query) if query else None
    return {"households": found.households if found else [], "hint": found.hint if found else "", "q": query}


def _visit_context(request, query: str) -> dict:
    return {
        **_search(request.user, query),
        "suggested": [] if query else visit_selectors.due_for_visit(request.user, limit=6),
        "channels": Visit.Channel.choices,
        "categories": selectors.categories_for(selectors.home_subdistrict_id(request.user)),
        "key": uuid.uuid4().hex,
        "errors": {},
        "values": {},
    }


@staff_page
def visit_new(request):
    """Find the household (building and room, compound or name; or tap one that is due), tap the
    channel, type what was raised, save. Choosing a category opens a concern in the same save."""
    require_concern_reader(request.user)
    context = _visit_context(request, request.GET.get("q", "").strip())
    if request.method != "POST":
        return render(request, "concerns/visit.html", context)
    household = visit_selectors.household_to_visit(request.user, parse_int(request.POST.get("household")))
    try:
        if household is None:
            raise ValidationError({"household": _("Choose the household you visited.")})
        visit = visit_intake.record_visit(
            actor=request.user,
            household=household,
            channel=request.POST.get("channel", Visit.Channel.DOOR),
            raised=request.POST.get("raised", ""),
            handled=request.POST.get("handled", ""),
            suggestions=request.POST.get("suggestions", ""),
            category=_category(request.user, request.POST.get("category", "")),
            idempotency_key=request.POST.get("key", ""),
        )
    except ValidationError as exc:
        context.update(errors=form_errors(exc), values=request.POST, key=request.POST.get("key", ""))
        return render(request, "concerns/visit.html", context, status=400)
    if visit.concern_id:
        messages.success(request, _("Visit recorded; concern #%(id)s opened.") % {"id": visit.concern_id})
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("concerns:visit_new")


def _category(user, value: str):
    """The category the form chose, among those of the user's subdistrict (None: no concern)."""
    if not value:
        return None
    found = selectors.category_by_id(selectors.home_subdistrict_id(user), parse_int(value))
    if found is None:
        raise ValidationError({"category": _("Choose a category from the list.")})
    return found


@staff_page
def visit_households(request):
    """The htmx fragment of the household search on the visit and intake forms. The pages ask by
    POST, so a resident's name typed into the search stays out of URLs and logs; GET still answers."""
    require_concern_reader(request.user)
    query = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    return render(request, "concerns/_households.html", _search(request.user, query))
