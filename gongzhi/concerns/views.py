"""Pages of concerns. Thin: parse, call one service or selector, render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.accounts import selectors as account_selectors
from gongzhi.concerns import assist, coordination, lifecycle, page_context, selectors, services, throttle
from gongzhi.concerns.models import Channel, HandlerKind, Rating, State, Tier
from gongzhi.concerns.services import Conflict
from gongzhi.core.errors import NotInScope
from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import form_errors, parse_int, parse_month, require_concern_reader, staff_page
from gongzhi.org import selectors as org_selectors

# Public intake per client address: enough for a family, too few for a script.
RESIDENT_REPORTS_PER_HOUR = 10


def failed(request, pk: int, exc: Exception):
    """The concern page again, saying why the step was refused (409 for a stale version)."""
    if isinstance(exc, Conflict):
        return detail(request, pk, error=str(exc), status=409)
    errors = form_errors(exc)
    return detail(request, pk, error=" ".join(m for ms in errors.values() for m in ms), status=400)


@staff_page
def queue(request):
    require_concern_reader(request.user)
    filters = selectors.QueueFilter.from_query(request.GET)
    concerns = selectors.concern_queue(request.user, filters=filters)
    page = Paginator(concerns, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/queue.html",
        {
            "page": page,
            "f": filters,
            "query": urlencode(filters.params()),
            "states": [*State.choices, (selectors.AWAITING_RATING, _("closed, awaiting rating"))],
            "categories": selectors.categories_for(selectors.home_subdistrict_id(request.user)),
            "grids": selectors.queue_grids(request.user),
            "dues": [("overdue", _("overdue")), ("today", _("due today")), ("week", _("due within 7 days"))],
            "may_export": selectors.may_export(request.user),
            "now": timezone.now(),
        },
    )


@staff_page
def queue_export(request):
    """The filtered queue as xlsx, through the export approval like every ledger (core.exports)."""
    require_concern_reader(request.user)
    if not selectors.may_export(request.user):
        raise PermissionDenied(_("You may not export ledgers."))
    query = urlencode({"kind": "concerns.queue", **selectors.QueueFilter.from_query(request.GET).params()})
    return redirect(reverse("core:export_new") + "?" + query)


def _handler_choices(user) -> dict:
    departments, partner_units = selectors.handler_options(selectors.home_subdistrict_id(user))
    # A joint team takes a concern as a joint case (its own form), not through a plain dispatch.
    kinds = [(v, label) for v, label in HandlerKind.choices if v != HandlerKind.JOINT_TEAM]
    return {"handler_kinds": kinds, "departments": departments, "partner_units": partner_units}


@staff_page
def detail(request, pk: int, *, error: str = "", status: int = 200):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    parties = services.parties_of(request.user, concern)
    coordination.ensure_suggestion(concern)
    return render(
        request,
        "concerns/detail.html",
        {
            **page_context.detail_context(request.user, concern, parties),
            **page_context.joint_context(request.user, concern, parties),
            "concern": concern,
            "events": selectors.events_of(concern),
            "actions": services.actions_open(concern, parties),
            "may_retier": lifecycle.AREA in parties,
            "tiers": Tier.choices,
            "photos": concern.photos.all(),
            "supervisions": concern.supervisions.all(),
            "map_data": selectors.concern_map(concern),
            "error": error,
            "now": timezone.now(),
            **_handler_choices(request.user),
        },
        status=status,
    )


def _handler_from(post) -> services.Handler | None:
    kind = post.get("handler_kind", "")
    if kind not in HandlerKind.values:
        return None
    ids = {}
    for name in ("department", "partner_unit"):
        value = post.get(name, "")
        ids[f"{name}_id"] = parse_int(value)
    return services.Handler(kind, **ids)


@require_POST
@login_required
def transition(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    version = request.POST.get("version", "")
    handler = _handler_from(request.POST)
    if handler and handler.kind in (HandlerKind.PROPERTY_COMPANY, HandlerKind.OWNERS_COMMITTEE):
        handler = services.Handler(
            handler.kind, compound_id=concern.building.compound_id if concern.building else None
        )
    try:
        services.transition(
            actor=request.user,
            concern=concern,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            expected_version=parse_int(version),
            handler=handler,
            reply_override=request.POST.get("reply_override", ""),
        )
    except (Conflict, ValidationError) as exc:
        return failed(request, pk, exc)
    messages.success(request, _("Saved."))
    return redirect("concerns:detail", pk=pk)


@require_POST
@login_required
def retier(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    version = request.POST.get("version", "")
    try:
        concern = services.override_tier(
            actor=request.user,
            concern=concern,
            tier=request.POST.get("tier", ""),
            reason=request.POST.get("reason", ""),
            expected_version=parse_int(version),
        )
    except (Conflict, ValidationError) as exc:
        return failed(request, pk, exc)
    messages.success(request, _("Tier changed."))
    _say_agenda(request, concern)
    return redirect("concerns:detail", pk=pk)


def _say_agenda(request, concern) -> None:
    """The service put a major or key concern on the agenda (or on the waiting list): say where."""
    item = getattr(concern, "agenda_item", None)
    if item is None:
        return
    if item.meeting_id:
        messages.success(request, _("On the agenda of %(meeting)s.") % {"meeting": item.meeting})
    else:
        messages.info(request, _("Waiting for the neighborhood's staff to put it on a meeting's agenda."))


@require_POST
@login_required
def publish(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    try:
        services.publish_concern(
            actor=request.user, concern=concern, published=request.POST.get("published") == "1"
        )
    except ValidationError as exc:
        return failed(request, pk, exc)
    messages.success(request, _("Saved."))
    return redirect("concerns:detail", pk=pk)


def building_notice(request, building_id: int):
    """Public: the building's notice of concerns staff chose to publish (楼内事、群内议)."""
    building = selectors.building_for_notice(building_id)
    if building is None:
        raise Http404
    return render(
        request,
        "concerns/building_notice.html",
        {"building": building, "items": selectors.building_notice(building_id)},
    )


@staff_page
def intake(request):
    """Staff entry: a hotline call, a partner unit's report, a walk-in."""
    require_concern_reader(request.user)
    sub = selectors.home_subdistrict_id(request.user)
    query = request.GET.get("q", "").strip()
    found = org_selectors.find_households(request.user, query)
    context = {
        "categories": selectors.categories_for(sub),
        "channels": [c for c in Channel.choices if c[0] in ("hotline", "partner", "visit")],
        "households": found.households,
        "hint": found.hint,
        "neighborhoods": org_selectors.neighborhoods_visible_to(request.user),
        "q": query,
        "key": uuid.uuid4().hex,
        "values": {},
        "errors": {},
        "suggestion": None,
        "similar": [],
    }
    if request.method == "POST":
        text = page_context.typed_text(request.POST)
        context["suggestion"] = assist.suggest(text, context["categories"]) if text else None
        replay = selectors.already_taken(str(request.user.pk), request.POST.get("key", ""))
        if "dup_checked" not in request.POST and text and not replay:
            context["similar"] = page_context.staff_similar(request.user, request.POST, text)
            if context["similar"]:  # offer to join before opening another
                context.update(values=request.POST, key=request.POST.get("key", ""))
                return render(request, "concerns/intake.html", context)
        try:
            concern = services.submit_concern(
                actor=request.user,
                channel=request.POST.get("channel", "hotline"),
                category=_category(sub, request.POST.get("category")),
                place=_staff_place(request),
                idempotency_key=request.POST.get("key", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                households_affected=request.POST.get("households_affected") or 1,
                estimated_cost=request.POST.get("estimated_cost", ""),
                urgent=request.POST.get("urgent") == "on",
                reporter_name=request.POST.get("reporter_name", ""),
                reporter_phone=request.POST.get("reporter_phone", ""),
                photos=request.FILES.getlist("photo"),
            )
            coordination.store_suggestion(concern, context["suggestion"])
            into = parse_int(request.POST.get("join"))
            if into:
                main = selectors.visible_concern(request.user, into)
                if main is None:
                    raise ValidationError({"join": _("Choose the open concern to join.")})
                coordination.join_concern(actor=request.user, concern=concern, into=main)
                messages.success(
                    request,
                    _("Concern #%(id)s accepted and joined to #%(main)s.")
                    % {"id": concern.pk, "main": main.pk},
                )
                return redirect("concerns:detail", pk=main.pk)
        except ValidationError as exc:
            context.update(errors=form_errors(exc), values=request.POST, key=request.POST.get("key", ""))
            return render(request, "concerns/intake.html", context, status=400)
        messages.success(request, _("Concern #%(id)s accepted.") % {"id": concern.pk})
        _say_agenda(request, concern)
        return redirect("concerns:detail", pk=concern.pk)
    return render(request, "concerns/intake.html", context)


def _category(subdistrict_id, value):
    category = selectors.category_by_id(subdistrict_id, parse_int(value))
    if category is None:
        raise ValidationError({"category": _("Choose a category.")})
    return category


def _staff_place(request) -> services.Place:
    household_id = request.POST.get("household", "")
    if household_id.strip():
        household = org_selectors.household_in_area(request.user, parse_int(household_id) or 0)
        if household is None:
            raise NotInScope(_("No such household in your area."))
        return services.place_of(household=household)
    neighborhood_id = request.POST.get("neighborhood", "")
    if neighborhood_id.strip():
        neighborhood = selectors.neighborhood_in_area(request.user, parse_int(neighborhood_id) or 0)
        if neighborhood is None:
            raise NotInScope(_("No such neighborhood in your area."))
        return services.place_of(neighborhood=neighborhood)
    return services.place_of()


@staff_page
def supervision(request):
    require_concern_reader(request.user)
    month = parse_month(request.GET["month"]) if request.GET.get("month") else None
    items = selectors.overdue_concerns(request.user, month=month)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/supervision.html",
        {
            "page": page,
            "month": month,
            "urgent": selectors.urgent_supervisions(request.user)[:50] if month is None else [],
            "now": timezone.now(),
        },
    )


@staff_page
def kpi(request):
    require_concern_reader(request.user)
    month = parse_month(request.GET.get("month"))
    by = request.GET.get("by", "neighborhood")
    by = by if by in selectors.KPI_GROUPS else "neighborhood"
    rows, total = selectors.kpi_report(request.user, month=month, by=by)
    return render(
        request,
        "concerns/kpi.html",
        {
            "rows": rows,
            "total": total,
            "month": month,
            "by": by,
            "groups": [(g, selectors.kpi_group_label(g)) for g in selectors.KPI_GROUPS],
            "collected_chart": {
                "labels": [r.label for r in rows],
                "values": [r.collected for r in rows],
                "unit": _("concerns"),
            },
            "rates_chart": {
                "labels": [r.label for r in rows],
                "values": [r.resolution_pct or 0 for r in rows],
                "unit": "%",
            },
            "may_export": selectors.may_export(request.user),
            "overdue_link": reverse("concerns:supervision") + f"?month={month:%Y-%m}",
        },
    )


@staff_page
def kpi_export(request):
    require_concern_reader(request.user)
    if not selectors.may_export(request.user):
        raise PermissionDenied(_("You may not export ledgers."))
    month = parse_month(request.GET.get("month"))
    by = request.GET.get("by", "neighborhood")
    by = by if by in selectors.KPI_GROUPS else "neighborhood"
    # Exports go through a second person's approval and carry a watermark (core.exports).
    query = urlencode({"kind": "concerns.kpi", "month": f"{month:%Y-%m}", "by": by})
    return redirect(reverse("core:export_new") + "?" + query)


@staff_page
def photo(request, pk: int):
    """Shown inline (thumbnails on the concern page) but never sniffed, never cached, and under a
    name that says nothing about the reporter."""
    item = get_object_or_404(selectors.photos_visible_to(request.user), pk=pk)
    try:
        stream = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        content_type=item.content_type,
        filename=f"concern-{item.concern_id}-photo-{item.pk}.{item.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---- residents (public, no account: works inside WeChat's browser) ------------------------------


def _own_record(request) -> dict:
    """A signed-in resident's own register entry: their neighborhood, building, name and phone,
    so the form is filled in for them (they may still change the name and phone)."""
    user = request.user
    if not user.is_authenticated or user.kind != user.Kind.RESIDENT:
        return {}
    resident = account_selectors.resident_of(user)
    household = resident.household if resident is not None else None
    return {
        "neighborhood": household.neighborhood if household else None,
        "building": household.building if household else None,
        "values": {"name": resident.name if resident else "", "phone": user.phone or ""},
    }


def _remember_report(request, concern) -> None:
    """The browser that reported it finds it on the resident home (signed in or not yet)."""
    tokens = [t for t in request.session.get(selectors.REPORTED_TOKENS, []) if t != concern.public_token]
    request.session[selectors.REPORTED_TOKENS] = [concern.public_token, *tokens][: selectors.MINE_SHOWN]


@never_cache
def resident_report(request):
    code = request.GET.get("n", "") or request.POST.get("n", "")
    own = _own_record(request)
    neighborhood = selectors.neighborhood_by_code(code) or own.get("neighborhood")
    building = selectors.card_building(neighborhood, request.GET.get("b", "") or request.POST.get("b", ""))
    if (
        building is None
        and own.get("building") is not None
        and own["building"].neighborhood_id == getattr(neighborhood, "pk", None)
    ):
        building = own["building"]
    values = dict(own.get("values", {}))
    if building:
        values["place"] = str(building)
    context = {
        "neighborhood": neighborhood,
        "building": building,
        "neighborhoods": [] if neighborhood else selectors.public_neighborhoods(),
        "categories": selectors.categories_for(neighborhood.subdistrict_id if neighborhood else None),
        "key": uuid.uuid4().hex,
        "errors": {},
        "values": values,
        "suggestion": None,
        "similar": [],
    }
    if request.method != "POST":
        return render(request, "concerns/resident_report.html", context)
    if not throttle.hit(
        f"resident:{client_ip(request)}", limit=RESIDENT_REPORTS_PER_HOUR, window_seconds=3600
    ):
        context["errors"] = {"general": [_("Too many reports from this device; please try again later.")]}
        return render(request, "concerns/resident_report.html", context, status=429)
    text = (request.POST.get("description") or "").strip()
    place_nb = neighborhood or selectors.neighborhood_by_id(request.POST.get("neighborhood", ""))
    similar = page_context.resident_similar(place_nb, request.POST, text)
    replay = selectors.already_taken(f"resident:{client_ip(request)}", request.POST.get("key", ""))
    if "dup_checked" not in request.POST and similar and not replay:  # offer to add their voice first
        context.update(similar=similar, values=request.POST, key=request.POST.get("key", ""))
        context["suggestion"] = assist.suggest(text, context["categories"])
        return render(request, "concerns/resident_report.html", context)
    try:
        concern = _resident_submit(request, neighborhood, building)
        coordination.store_suggestion(concern, assist.suggest(text, context["categories"]) if text else None)
        into = parse_int(request.POST.get("join"))
        if into:
            # Only a concern the page offered for this text and neighborhood may be joined.
            main = next((s.concern for s in similar if s.concern.pk == into), None)
            if main is None:
                raise ValidationError(
                    {"join": _("That report is no longer open; yours was sent on its own.")}
                )
            coordination.join_concern(actor=None, concern=concern, into=main)
    except ValidationError as exc:
        if "join" in getattr(exc, "error_dict", {}):
            _remember_report(request, concern)
            return redirect("concerns:resident_progress", token=concern.public_token)
        context.update(errors=form_errors(exc), values=request.POST, key=request.POST.get("key", ""))
        return render(request, "concerns/resident_report.html", context, status=400)
    _remember_report(request, concern)
    return redirect("concerns:resident_progress", token=concern.public_token)


def _resident_submit(request, neighborhood, building=None):
    if neighborhood is None:
        neighborhood = selectors.neighborhood_by_id(request.POST.get("neighborhood", ""))
    if neighborhood is None:
        raise ValidationError({"neighborhood": _("Choose your neighborhood.")})
    location = None
    try:
        lat, lng = float(request.POST.get("lat", "")), float(request.POST.get("lng", ""))
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            location = (lat, lng)
    except ValueError:
        pass
    return services.submit_concern(
        actor=None,
        channel=Channel.RESIDENT,
        category=_category(neighborhood.subdistrict_id, request.POST.get("category")),
        place=services.place_of(building=building)
        if building
        else services.place_of(neighborhood=neighborhood),
        idempotency_key=request.POST.get("key", ""),
        principal=f"resident:{client_ip(request)}",
        description=request.POST.get("description", ""),
        address=request.POST.get("place", ""),
        location=location,
        reporter_name=request.POST.get("name", ""),
        reporter_phone=request.POST.get("phone", ""),
        photos=request.FILES.getlist("photo"),
    )


@never_cache
def resident_progress(request, token: str):
    concern = selectors.concern_by_token(token)
    if concern is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        try:
            services.rate_concern(
                public_token=token,
                rating=request.POST.get("rating", ""),
                note=request.POST.get("note", ""),
                reopen=request.POST.get("reopen") == "on",
            )
            return redirect("concerns:resident_progress", token=token)
        except (ValidationError, Conflict) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            status = 400 if isinstance(exc, ValidationError) else 409
    return render(
        request,
        "concerns/resident_progress.html",
        {
            "concern": concern,
            "reply": selectors.resolution_notes([concern.pk]).get(concern.pk, ""),
            "steps": selectors.public_progress(concern),
            "ratings": Rating.choices,
            "may_rate": concern.state == lifecycle.CLOSED and not concern.rating,
            "may_reopen": concern.reopen_count == 0,
            "error": error,
        },
        status=status,
    )
