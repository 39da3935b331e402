"""Pages of the visit plan: rules, coverage (with xlsx ledgers), the grid map's layer of due and
overdue households, and the printable contact cards (连心卡). Thin: parse, call, render."""

import re

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongzhi.core.pages import form_errors, parse_int, parse_month, require_concern_reader, staff_page
from gongzhi.org import selectors as org_selectors
from gongzhi.org.models import SensitiveTag
from gongzhi.visits import cards as card_selectors
from gongzhi.visits import selectors as vs
from gongzhi.visits import services
from gongzhi.visits.models import VisitRule

# ---- rules ------------------------------------------------------------------------------------


@staff_page
def rules(request):
    """The subdistrict's visit plan: everyone who visits reads it, its admin changes it."""
    require_concern_reader(request.user)
    subdistrict = vs.home_subdistrict(request.user)
    sub_id = subdistrict.pk if subdistrict else None
    may_edit = vs.may_edit_rules(request.user, sub_id)
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        if not may_edit or subdistrict is None:
            raise PermissionDenied(_("Only the subdistrict's admin changes the visit plan."))
        try:
            _apply_rules_form(request, subdistrict)
        except ValidationError as exc:
            errors, values, status = form_errors(exc), request.POST, 400
        else:
            return redirect("visits:rules")
    return render(
        request,
        "visits/visit_rules.html",
        {
            "subdistrict": subdistrict,
            "rules": vs.rules_visible_to(request.user).filter(subdistrict_id=sub_id),
            "plan": vs.plan_of(sub_id),
            "may_edit": may_edit,
            "kinds": VisitRule.Kind.choices,
            "tags": SensitiveTag.choices,
            "roles": [(r, vs.role_label(r)) for r in vs.VISITING_ROLES],
            "hotlines": vs.hotlines_visible_to(request.user, sub_id),
            "errors": errors,
            "values": values,
        },
        status=status,
    )


def _apply_rules_form(request, subdistrict) -> None:
    action = request.POST.get("action", "save")
    if action == "delete":
        rule = vs.rule_of(subdistrict, parse_int(request.POST.get("rule")))
        if rule is None:
            raise Http404
        services.delete_visit_rule(actor=request.user, rule=rule)
        messages.success(request, _("Visit rule removed."))
    elif action == "hotline":
        services.save_hotline(
            actor=request.user,
            subdistrict=subdistrict,
            name=request.POST.get("name", ""),
            number=request.POST.get("number", ""),
            position=parse_int(request.POST.get("position")) or 0,
        )
        messages.success(request, _("Hotline added."))
    elif action == "hotline_delete":
        line = get_object_or_404(
            vs.hotlines_visible_to(request.user, subdistrict.pk), pk=parse_int(request.POST.get("hotline"))
        )
        services.delete_hotline(actor=request.user, hotline=line)
        messages.success(request, _("Hotline removed."))
    else:
        services.save_visit_rule(
            actor=request.user,
            subdistrict=subdistrict,
            kind=request.POST.get("kind", ""),
            every=request.POST.get("every", ""),
            tag=request.POST.get("tag", "") if request.POST.get("kind") == VisitRule.Kind.TAGGED else "",
            role=request.POST.get("role", "") if request.POST.get("kind") == VisitRule.Kind.STAFF else "",
            active=request.POST.get("active", "on") == "on",
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Visit rule saved."))


# ---- coverage ---------------------------------------------------------------------------------


def _coverage_params(request) -> dict:
    by = "neighborhood" if request.GET.get("by") == "neighborhood" else "micro_grid"
    return {
        "month": parse_month(request.GET.get("month")),
        "by": by,
        "grid": parse_int(request.GET.get("grid")),
    }


@staff_page
def coverage(request):
    require_concern_reader(request.user)
    p = _coverage_params(request)
    plan = vs.plan_of(vs.home_subdistrict_id(request.user))
    month, months = p["month"], plan.household_months
    rows = vs.coverage_rows(request.user, month=month, months=months, by=p["by"])
    trend = vs.coverage_trend(request.user, month=month, months=months)
    overdue_only = request.GET.get("overdue") == "1"
    due = vs.due_households(
        request.user, month=month, months=months, grid_id=p["grid"], overdue_only=overdue_only
    )
    page = Paginator(due, 50).get_page(request.GET.get("page"))
    page.object_list = vs.with_masked_names(page.object_list)
    return render(
        request,
        "visits/coverage.html",
        {
            **p,
            "plan": plan,
            "months": months,
            "overdue_only": overdue_only,
            "rows": rows,
            "total": vs.coverage_total(rows),
            "workers": vs.worker_rows(request.user, month=month, plan=plan),
            "due": page,
            "tagged": vs.tagged_rows(request.user, plan=plan),
            "trend": trend,
            "trend_chart": {
                "labels": [f"{t['month']:%Y-%m}" for t in trend],
                "values": [None if t["rate"] is None else round(100 * t["rate"], 1) for t in trend],
                "unit": "%",
            },
            "grid_label": dict((r["key"], r["label"]) for r in rows).get(p["grid"])
            if p["by"] == "micro_grid"
            else None,
            "may_export": vs.may_export(request.user),
            "map_url": _map_url(request.user),
        },
    )


def _map_url(user) -> str:
    """The grid map of the user's neighborhood (or subdistrict), where the due layer is drawn."""
    area = vs.map_area(user)
    return reverse(f"grids:{area[0]}_map", args=[area[1]]) if area else ""


@staff_page
def coverage_export(request):
    """Coverage per group and per worker, or the households not yet visited, as xlsx: asked for
    here, approved by a second person and downloaded through core.exports."""
    require_concern_reader(request.user)
    if not vs.may_export(request.user):
        raise PermissionDenied(_("You may not export ledgers."))
    p = _coverage_params(request)
    if request.GET.get("what") == "unvisited":
        params = {"kind": "concerns.visit_unvisited", "month": f"{p['month']:%Y-%m}", "grid": p["grid"] or ""}
    else:
        params = {"kind": "concerns.visit_coverage", "month": f"{p['month']:%Y-%m}", "by": p["by"]}
    return redirect(reverse("core:export_new") + "?" + urlencode(params))


# ---- the grid map's layer ---------------------------------------------------------------------


def _area(user, kind: str, pk: int):
    if kind == "neighborhood":
        return get_object_or_404(org_selectors.neighborhoods_visible_to(user), pk=pk)
    if kind == "subdistrict":
        return get_object_or_404(org_selectors.subdistricts_visible_to(user), pk=pk)
    raise Http404


@staff_page
def map_layer(request, kind: str, pk: int):
    """Buildings of the area with their due and overdue households: counts only, as GeoJSON."""
    require_concern_reader(request.user)
    area = _area(request.user, kind, pk)
    plan = vs.plan_of(vs.home_subdistrict_id(request.user))
    month = parse_month(request.GET.get("month"))
    data = vs.building_layer(request.user, area=area, month=month, plan=plan)
    data["legend"] = {"months": plan.household_months, "month": f"{month:%Y-%m}"}
    return JsonResponse(data)


@staff_page
def map_building(request, pk: int):
    """The popup of one building: its due and overdue households, names masked (HTML fragment)."""
    require_concern_reader(request.user)
    building = get_object_or_404(org_selectors.buildings_visible_to(request.user), pk=pk)
    plan = vs.plan_of(vs.home_subdistrict_id(request.user))
    month = parse_month(request.GET.get("month"))
    households = vs.building_due(request.user, building_id=building.pk, month=month, plan=plan)
    return render(
        request,
        "visits/_building_due.html",
        {"building": building, "households": households, "months": plan.household_months},
    )


# ---- contact cards (连心卡) ---------------------------------------------------------------------


def _qr_symbol(request, path: str, symbol_id: str) -> tuple[str, int]:
    """The QR code of the resident page as an SVG <symbol> (inline, no external call), drawn once
    per building and referenced by every card of it; and its size in modules."""
    code = segno.make(request.build_absolute_uri(path), error="m")
    size = code.symbol_size(scale=1, border=1)[0]
    inner = re.search(r"<path[^>]*/>", code.svg_inline(scale=1, border=1)).group(0)
    return f'<symbol id="{symbol_id}" viewBox="0 0 {size} {size}">{inner}</symbol>', size


def _render_cards(request, households, title: str, back: str):
    cards = card_selectors.cards_for(list(households))
    symbols: dict[str, tuple[str, str, int]] = {}
    for card in cards:
        if card.report_path not in symbols:
            symbol_id = f"qr-{len(symbols)}"
            symbols[card.report_path] = (symbol_id, *_qr_symbol(request, card.report_path, symbol_id))
        card.qr_id, _svg, card.qr_size = symbols[card.report_path]
    return render(
        request,
        "visits/cards.html",
        {"cards": cards, "title": title, "back": back, "qr_symbols": [svg for _, svg, _ in symbols.values()]},
    )


@staff_page
def cards(request):
    """The grids whose cards the user may print."""
    require_concern_reader(request.user)
    return render(request, "visits/card_grids.html", {"grids": card_selectors.grids_for_cards(request.user)})


@staff_page
def grid_cards(request, pk: int):
    require_concern_reader(request.user)
    grid = card_selectors.grid_visible(request.user, pk)
    if grid is None:
        raise Http404
    households = card_selectors.card_households(request.user, grid_id=grid.pk)
    if households.count() > card_selectors.MAX_CARDS:
        messages.warning(
            request, _("Only the first %(n)s cards are shown.") % {"n": card_selectors.MAX_CARDS}
        )
    return _render_cards(request, households[: card_selectors.MAX_CARDS], grid.name, "visits:cards")


@staff_page
def household_card(request, pk: int):
    require_concern_reader(request.user)
    households = card_selectors.card_households(request.user, household_id=pk)
    if not households.exists():
        raise Http404
    h = households.first()
    return _render_cards(
        request,
        households,
        f"{h.building.compound.name} {h.building.number} {h.room}",
        "visits:cards",
    )
