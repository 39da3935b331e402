"""Call-up drill pages: the list with the form that creates a drill, the drill's page (run it,
stand it down), its printable report, and marking a dead phone from the report."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import DrillForm
from gongzhi.volunteers.views.common import errors_to, require_volunteer_reader
from gongzhi.volunteers.views.emergencies import subdistrict_for


def _form(user, data=None):
    return DrillForm(
        data,
        neighborhoods=selectors.neighborhoods_visible_to(user),
        teams=selectors.teams_visible_to(user)
        .select_related("neighborhood")
        .order_by("neighborhood__code", "name"),
        call_ups=selectors.real_call_ups_visible_to(user),
        initial={"key": uuid.uuid4().hex},
    )


@staff_page
def drill_list(request):
    """The drills of the caller's area, newest first, and a new drill."""
    require_volunteer_reader(request.user)
    form = _form(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            place = data["neighborhood"]
            subdistrict = subdistrict_for(request.user, place)
            try:
                drill = services.create_drill(
                    actor=request.user,
                    subdistrict=subdistrict,
                    neighborhood=place,
                    title=data["title"],
                    kind=data["kind"],
                    teams=data["teams"],
                    copy_from=data["copy_from"],
                    key=data["key"],
                )
                return redirect("volunteers:drill", pk=drill.pk)
            except ValidationError as exc:
                errors_to(form, exc)
        status = 400
    return render(
        request,
        "volunteers/drills.html",
        {
            "drills": selectors.drill_rows(request.user),
            "form": form,
            "may_create": selectors.may_open_emergency(request.user),
        },
        status=status,
    )


def _visible_drill(request, pk: int):
    return get_object_or_404(selectors.drills_visible_to(request.user), pk=pk)


@staff_page
def drill_detail(request, pk: int):
    drill = _visible_drill(request, pk)
    return render(request, "volunteers/drill.html", selectors.drill_page(request.user, drill))


@require_POST
@staff_page
def drill_run(request, pk: int):
    """Run the drill: a tabletop drill predicts and finishes; a live drill sends its call-up.
    A second press does not call anyone twice (the call-up reaches only those not yet called)."""
    drill = _visible_drill(request, pk)
    try:
        if drill.kind == "tabletop":
            services.run_tabletop(actor=request.user, drill=drill)
            messages.success(
                request, _("Tabletop drill run: nothing was sent; the prediction is in the report.")
            )
            return redirect("volunteers:drill_report", pk=drill.pk)
        result = services.run_live(actor=request.user, drill=drill)
        messages.success(
            request,
            _("Drill call-up sent to %(n)s volunteers: %(m)s messages, each marked 【演练】.")
            % {"n": result.called, "m": result.messages},
        )
    except ValidationError as exc:
        context = selectors.drill_page(request.user, drill)
        context["run_error"] = " ".join(exc.messages)
        return render(request, "volunteers/drill.html", context, status=400)
    return redirect("volunteers:drill", pk=drill.pk)


@require_POST
@staff_page
def drill_finish(request, pk: int):
    """Stand the live drill down: answer links stop working, the figures are kept as the report."""
    drill = _visible_drill(request, pk)
    services.close_emergency(actor=request.user, emergency=drill)
    return redirect("volunteers:drill_report", pk=drill.pk)


@staff_page
def drill_report(request, pk: int):
    drill = _visible_drill(request, pk)
    return render(request, "volunteers/drill_report.html", selectors.drill_report(request.user, drill))


@require_POST
@staff_page
def drill_phone(request, pk: int):
    """Mark a drill member's phone unreachable (or working again) from the report."""
    drill = _visible_drill(request, pk)
    chosen = parse_int(request.POST.get("volunteer"))
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=chosen)
    services.mark_phone(
        actor=request.user, volunteer=volunteer, unreachable=request.POST.get("unreachable") == "1"
    )
    messages.success(request, _("%(name)s's phone is marked.") % {"name": volunteer.name})
    return redirect("volunteers:drill_report", pk=drill.pk)
