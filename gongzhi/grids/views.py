"""Grid pages: the map of current grids, the draw form, a plan's review, the list of plans.

Thin: parse, call one selector or service, render. Out of area → 404; may read but not change → 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.grids import selectors, services
from gongzhi.org import selectors as org_selectors


class DrawForm(forms.Form):
    min_households = forms.IntegerField(label=gettext_lazy("Minimum households per grid"), initial=300)
    max_households = forms.IntegerField(label=gettext_lazy("Maximum households per grid"), initial=500)
    gap_m = forms.FloatField(label=gettext_lazy("Buildings within (metres) count as neighbours"), initial=30)
    mode = forms.ChoiceField(
        label=gettext_lazy("How to redraw"),
        choices=[
            ("least", gettext_lazy("Least change: keep grids that still fit")),
            ("full", gettext_lazy("Full redraw")),
        ],
        initial="least",
        widget=forms.RadioSelect,
    )
    redraw_edits = forms.BooleanField(
        label=gettext_lazy("Also redraw grids edited by hand"), required=False, initial=False
    )

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.validate_bounds(data["min_households"], data["max_households"], data["gap_m"])
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field, messages_)
        return data


def _area(request, kind: str, pk: int):
    """The neighborhood or subdistrict, if the user may see it at all (else 404)."""
    if kind == "neighborhood":
        return get_object_or_404(org_selectors.neighborhoods_visible_to(request.user), pk=pk)
    return get_object_or_404(org_selectors.subdistricts_visible_to(request.user), pk=pk)


@never_cache
@login_required
def grid_map(request, kind: str, pk: int):
    area = _area(request, kind, pk)
    grids = selectors.current_grids(request.user, area)
    return render(
        request,
        "grids/map.html",
        {
            "area": area,
            "kind": kind,
            "grids": grids,
            "totals": selectors.grid_totals(grids),
            "bounds": selectors.adopted_bounds(area),
            "map_data": selectors.current_grids_geojson(grids),
            "chart_data": selectors.households_chart(grids),
            "plans": selectors.plans_of_area(request.user, area)[:10],
            "history": selectors.history_of_area(request.user, area, limit=12),
            "may_draw": selectors.may_draw(request.user, area),
            # The layer of households due for a visit (drawn by visits/visit_map.js).
            "visit_layer": permissions.may_read_class(request.user, "concern"),
        },
    )


@never_cache
@login_required
def draw(request, kind: str, pk: int):
    area = _area(request, kind, pk)
    if not selectors.may_draw(request.user, area):
        raise PermissionDenied
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.propose_plan(
                actor=request.user,
                **{kind: area},
                min_households=data["min_households"],
                max_households=data["max_households"],
                gap_m=data["gap_m"],
                full=data["mode"] == "full",
                keep_edits=not data["redraw_edits"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("grids:plan", pk=plan.pk)
    status = 400 if form.errors else 200
    return render(request, "grids/draw.html", {"area": area, "kind": kind, "form": form}, status=status)


class MapImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("GeoJSON file of buildings and cut lines"))
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system of the file"),
        choices=[
            ("wgs84", "WGS84"),
            ("cgcs2000", "CGCS2000"),
            ("gcj02", gettext_lazy("GCJ-02 (Amap, Tencent)")),
            ("bd09", gettext_lazy("BD-09 (Baidu)")),
        ],
        initial="wgs84",
    )


MAP_FILE_MAX_BYTES = 20 * 1024 * 1024


@never_cache
@login_required
def map_import(request, kind: str, pk: int):
    """Upload a GeoJSON of buildings and roads, rivers, walls; show what matched and what did not."""
    area = _area(request, kind, pk)
    if not selectors.may_draw(request.user, area):
        raise PermissionDenied
    form = MapImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAP_FILE_MAX_BYTES:
                raise ValidationError({"file": _("The file is larger than 20 MB.")})
            report = services.import_map(
                actor=request.user, area=area, raw=upload.read(), crs=form.cleaned_data["crs"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    status = 400 if form.errors else 200
    context = {"area": area, "kind": kind, "form": form, "report": report, "may_draw": True}
    return render(request, "grids/import.html", context, status=status)


@never_cache
@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    area = plan.neighborhood or plan.subdistrict
    return render(
        request,
        "grids/plan.html",
        {
            "plan": plan,
            "area": area,
            "may_draw": selectors.may_draw(request.user, area),
            "kind": "neighborhood" if plan.neighborhood_id else "subdistrict",
            "rows": selectors.plan_grids(plan),
            "figures": selectors.plan_figures(plan),
            "map_data": selectors.plan_geojson(plan),
            "changed_data": selectors.changed_buildings_geojson(plan),
            "may_decide": selectors.may_decide(request.user, plan),
            "buildings_data": selectors.plan_buildings_geojson(plan)
            if selectors.may_decide(request.user, plan)
            else None,
            "grid_choices": selectors.plan_grid_choices(plan),
            "edits": selectors.plan_edits(plan),
        },
    )


def _editable_plan(request, pk: int):
    """A plan the user may see (else 404) and edit (else 403)."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    if not selectors.may_decide(request.user, plan):
        raise PermissionDenied
    return plan


@never_cache
@login_required
def plan_move_preview(request, pk: int):
    """Both grids' households, contiguity and bounds if the selection moved (JSON for the map)."""
    plan = _editable_plan(request, pk)
    verdict = services.preview_move(plan, request.GET.getlist("unit"), request.GET.get("to", ""))
    verdict.pop("units", None)
    return JsonResponse(verdict)


@never_cache
@require_POST
@login_required
def plan_move(request, pk: int):
    plan = _editable_plan(request, pk)
    try:
        services.move_units(
            actor=request.user,
            plan=plan,
            selection=request.POST.getlist("unit"),
            to_code=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Moved. Review the plan again before adopting it."))
    return redirect("grids:plan", pk=plan.pk)


def _decide(request, pk: int, service, done: str):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    try:
        service(actor=request.user, plan=plan)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("grids:plan", pk=plan.pk)


@never_cache
@require_POST
@login_required
def plan_adopt(request, pk: int):
    return _decide(request, pk, services.adopt_plan, _("The plan is adopted: these are now the micro-grids."))


@never_cache
@require_POST
@login_required
def plan_discard(request, pk: int):
    return _decide(request, pk, services.discard_plan, _("The plan is discarded."))


@never_cache
@login_required
def grid_print(request, pk: int):
    """A grid's A4 sheet for its notice board: map, buildings, households, grid staff."""
    sheet = selectors.grid_sheet(request.user, pk)
    if sheet is None:
        raise Http404
    return render(request, "grids/print.html", sheet)


@never_cache
@login_required
def plan_list(request):
    plans = selectors.plans_visible_to(request.user)[:100]
    return render(request, "grids/plans.html", {"plans": plans})
