"""Volunteer pages: the talent search, a volunteer's ledger, registration, teams and point settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.volunteers import selectors, services, skills
from gongzhi.volunteers.forms import (
    BankedHoursForm,
    PointRuleForm,
    RedemptionItemForm,
    RegisterForm,
    ReverseEntryForm,
    TeamForm,
)
from gongzhi.volunteers.models import Volunteer
from gongzhi.volunteers.views.common import errors_to, require_volunteer_reader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The subdistrict's two settings forms, told apart by the posted "form" field: each its form and write.
SETTINGS_FORMS = {
    "rule": (PointRuleForm, services.set_point_rule),
    "item": (RedemptionItemForm, services.add_redemption_item),
}


@staff_page
def volunteer_list(request):
    require_volunteer_reader(request.user)
    skill = request.GET.get("skill", "")
    neighborhoods = selectors.neighborhoods_visible_to(request.user)
    # Only a neighborhood of the caller's area narrows the search; any other id is ignored.
    place = neighborhoods.filter(pk=parse_int(request.GET.get("neighborhood"))).first()
    found = selectors.search_talents(request.user, skill=skill, neighborhood_id=place.pk if place else None)
    return render(
        request,
        "volunteers/list.html",
        {
            "volunteers": found[:200],
            "skill": skill,
            "skill_choices": skills.choices(),
            "neighborhoods": neighborhoods,
            "place": place,
            "may_register": selectors.writable_neighborhoods(request.user).exists(),
            "may_set_points": selectors.settings_subdistricts(request.user).exists(),
        },
    )


def _volunteer_context(request, volunteer, **forms) -> dict:
    rights = selectors.rights_on(request.user, volunteer)
    entries = selectors.reversible_entries(request.user, volunteer)
    return {
        "volunteer": volunteer,
        "entries": selectors.ledger_of(request.user, volunteer),
        "balance": getattr(volunteer, "balance", None),
        "items": selectors.redemption_items_for(request.user, volunteer),
        "may_export": rights.may_export
        or (volunteer.team_id is not None and volunteer.team.chief_id == request.user.pk),
        "may_write": rights.may_write,
        "hours_form": forms.get("hours_form") or BankedHoursForm(),
        "reverse_form": forms.get("reverse_form") or ReverseEntryForm(entries=entries),
        # A refused correction keeps its form on show, with the error, even if nothing is left to reverse.
        "has_reversible": rights.may_write and ("reverse_form" in forms or entries.exists()),
    }


def _visible_volunteer(request, pk: int):
    return get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)


@staff_page
def volunteer_detail(request, pk: int):
    volunteer = _visible_volunteer(request, pk)
    return render(request, "volunteers/volunteer.html", _volunteer_context(request, volunteer))


@require_POST
@staff_page
def use_hours(request, pk: int):
    """Draw on the person's banked hours for a service they received (e.g. elderly care)."""
    volunteer = _visible_volunteer(request, pk)
    form = BankedHoursForm(request.POST)
    if form.is_valid():
        try:
            services.use_banked_hours(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            messages.success(request, _("Banked hours drawn."))
            return redirect("volunteers:volunteer", pk=volunteer.pk)
        except ValidationError as exc:
            errors_to(form, exc)
    context = _volunteer_context(request, volunteer, hours_form=form)
    return render(request, "volunteers/volunteer.html", context, status=400)


@require_POST
@staff_page
def reverse_entry(request, pk: int):
    """Correct a mistaken ledger entry by its reversing entry, with the reason."""
    volunteer = _visible_volunteer(request, pk)
    if not selectors.rights_on(request.user, volunteer).may_write:
        raise PermissionDenied(_("You may not change this record."))
    form = ReverseEntryForm(request.POST, entries=selectors.reversible_entries(request.user, volunteer))
    if form.is_valid():
        try:
            services.reverse_entry(
                actor=request.user, entry=form.cleaned_data["entry"], reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Entry reversed."))
            return redirect("volunteers:volunteer", pk=volunteer.pk)
        except ValidationError as exc:
            errors_to(form, exc)
    context = _volunteer_context(request, volunteer, reverse_form=form)
    return render(request, "volunteers/volunteer.html", context, status=400)


@staff_page
def volunteer_register(request):
    """Staff register a volunteer (a resident of the registry, a party member's or unit's staff)."""
    neighborhoods = selectors.writable_neighborhoods(request.user)
    if not neighborhoods.exists():
        raise PermissionDenied(_("You may not register volunteers."))
    # A roster short of a kind of member links here with the kind and the team chosen (issue 23).
    initial = {}
    if request.GET.get("kind") in Volunteer.Kind.values:
        initial["kind"] = request.GET["kind"]
    team = selectors.writable_teams(request.user).filter(pk=parse_int(request.GET.get("team")) or 0).first()
    if team is not None:
        initial.update(team=team.pk, neighborhood=team.neighborhood_id)
    form = RegisterForm(
        request.POST or None,
        initial=initial,
        neighborhoods=neighborhoods,
        households=selectors.households_visible_to(request.user),
        units=selectors.partner_units_visible_to(request.user),
        teams=selectors.writable_teams(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for field in ("building", "room"):
            data.pop(field)
        try:
            volunteer = services.register_volunteer(actor=request.user, **data)
            messages.success(request, _("Volunteer registered."))
            return redirect("volunteers:volunteer", pk=volunteer.pk)
        except ValidationError as exc:
            errors_to(form, exc)
    return render(request, "volunteers/register.html", {"form": form}, status=400 if form.errors else 200)


@staff_page
def team_list(request):
    """The area's teams, and a new team with its chief for those who may add one."""
    require_volunteer_reader(request.user)
    neighborhoods = selectors.writable_neighborhoods(request.user)
    form = TeamForm(
        request.POST or None, neighborhoods=neighborhoods, volunteers=selectors.chief_candidates(request.user)
    )
    if request.method == "POST":
        if not neighborhoods.exists():
            raise PermissionDenied(_("You may not add teams."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_team(
                    actor=request.user,
                    neighborhood=data["neighborhood"],
                    name=data["name"],
                    chief=data["chief"].user,
                )
                messages.success(request, _("Team created."))
                return redirect("volunteers:teams")
            except ValidationError as exc:
                errors_to(form, exc)
    return render(
        request,
        "volunteers/teams.html",
        {
            "teams": selectors.teams_visible_to(request.user).order_by("neighborhood__name", "name")[:200],
            "form": form,
            "may_create": neighborhoods.exists(),
        },
        status=400 if form.errors else 200,
    )


@staff_page
def points_settings(request):
    """积分规则与兑换: the subdistrict sets the points an hour earns and lists what points buy."""
    subdistrict = selectors.settings_subdistricts(request.user).first()
    if subdistrict is None:
        # Those who keep volunteers (a team chief) read the rules and items; only the subdistrict sets them.
        subdistrict = selectors.points_subdistrict_read(request.user)
        if subdistrict is None or request.method == "POST":
            raise PermissionDenied(_("Only the subdistrict sets point rules and redemption items."))
        return render(
            request,
            "volunteers/points_settings.html",
            {
                "subdistrict": subdistrict,
                "rules": selectors.point_rules_of(subdistrict)[:50],
                "items": selectors.redemption_items_of(subdistrict),
                "read_only": True,
            },
        )
    which = request.POST.get("form") if request.method == "POST" else ""
    forms = {
        key: form_class(request.POST if which == key else None)
        for key, (form_class, _w) in SETTINGS_FORMS.items()
    }
    form = forms.get(which)
    if form is not None and form.is_valid():
        try:
            SETTINGS_FORMS[which][1](actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("volunteers:points_settings")
        except ValidationError as exc:
            errors_to(form, exc)
    return render(
        request,
        "volunteers/points_settings.html",
        {
            "subdistrict": subdistrict,
            "rules": selectors.point_rules_of(subdistrict)[:50],
            "items": selectors.redemption_items_of(subdistrict),
            "rule_form": forms["rule"],
            "item_form": forms["item"],
        },
        status=400 if which else 200,
    )


@staff_page
def statement_export(request, pk: int):
    volunteer = _visible_volunteer(request, pk)
    data = services.export_statement(actor=request.user, volunteer=volunteer)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="statement-{volunteer.pk}.xlsx"'
    return response


@require_POST
@staff_page
def redeem(request, pk: int):
    volunteer = _visible_volunteer(request, pk)
    items = selectors.redemption_items_for(request.user, volunteer)
    item = get_object_or_404(items, pk=parse_int(request.POST.get("item")) or 0)
    try:
        services.redeem(actor=request.user, volunteer=volunteer, item=item)
        messages.success(request, _("Redeemed."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:volunteer", pk=volunteer.pk)
