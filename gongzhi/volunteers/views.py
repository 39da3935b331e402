"""Pages for volunteers, activities and the points ledger. Thin: parse, call a selector or service, render."""

from datetime import timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import scoped
from gongzhi.org.models import Household, Neighborhood, PartnerUnit, Subdistrict
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import (
    ActivityForm,
    BankedHoursForm,
    CallUpForm,
    EmergencyForm,
    GenerateForm,
    HonourForm,
    NeedForm,
    PointRuleForm,
    PostForm,
    RatingForm,
    RedemptionItemForm,
    RegisterForm,
    ReverseEntryForm,
    RosterForm,
    ShiftForm,
    SquadForm,
    TeamForm,
    WishForm,
)
from gongzhi.volunteers.models import RosterDuty, SignUp, SwapRequest, Volunteer, VolunteerTeam


def answers_scope(view):
    """Out-of-area records answer 404 and refused writes 403, so a page never confirms they exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotInScope:
            raise Http404 from None

    return wrapped


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@never_cache
@login_required
def volunteer_list(request):
    if not permissions.may_read_class(request.user, "volunteer"):
        raise PermissionDenied(_("You may not see volunteers."))
    skill = request.GET.get("skill", "")
    neighborhoods = selectors.neighborhoods_visible_to(request.user)
    # Only a neighborhood of the caller's area narrows the search; any other id is ignored.
    place = neighborhoods.filter(pk=_int_or_none(request.GET.get("neighborhood"))).first()
    found = selectors.search_talents(request.user, skill=skill, neighborhood_id=place.pk if place else None)
    return render(
        request,
        "volunteers/list.html",
        {
            "volunteers": found[:200],
            "skill": skill,
            "neighborhoods": neighborhoods,
            "place": place,
            "may_register": selectors.writable_neighborhoods(request.user).exists(),
            "may_set_points": selectors.settings_subdistricts(request.user).exists(),
        },
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _volunteer_context(request, volunteer, **forms) -> dict:
    may_write = permissions.can(request.user, volunteer, permissions.WRITE)
    entries = selectors.reversible_entries(request.user, volunteer)
    return {
        "volunteer": volunteer,
        "entries": selectors.ledger_of(request.user, volunteer),
        "balance": getattr(volunteer, "balance", None),
        "items": selectors.redemption_items_for(request.user, volunteer),
        "may_export": permissions.can(request.user, volunteer, permissions.EXPORT),
        "may_write": may_write,
        "hours_form": forms.get("hours_form") or BankedHoursForm(),
        "reverse_form": forms.get("reverse_form") or ReverseEntryForm(entries=entries),
        # A refused correction keeps its form on show, with the error, even if nothing is left to reverse.
        "has_reversible": may_write and ("reverse_form" in forms or entries.exists()),
    }


@never_cache
@login_required
def volunteer_detail(request, pk: int):
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    return render(request, "volunteers/volunteer.html", _volunteer_context(request, volunteer))


@require_POST
@login_required
@answers_scope
def use_hours(request, pk: int):
    """Draw on the person's banked hours for a service they received (e.g. elderly care)."""
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    form = BankedHoursForm(request.POST)
    if form.is_valid():
        try:
            services.use_banked_hours(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            messages.success(request, _("Banked hours drawn."))
            return redirect("volunteers:volunteer", pk=volunteer.pk)
        except ValidationError as exc:
            _errors_to(form, exc)
    context = _volunteer_context(request, volunteer, hours_form=form)
    return render(request, "volunteers/volunteer.html", context, status=400)


@require_POST
@login_required
@answers_scope
def reverse_entry(request, pk: int):
    """Correct a mistaken ledger entry by its reversing entry, with the reason."""
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    if not permissions.can(request.user, volunteer, permissions.WRITE):
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
            _errors_to(form, exc)
    context = _volunteer_context(request, volunteer, reverse_form=form)
    return render(request, "volunteers/volunteer.html", context, status=400)


@never_cache
@login_required
@answers_scope
def volunteer_register(request):
    """Staff register a volunteer (a resident of the registry, a party member's or unit's staff)."""
    neighborhoods = selectors.writable_neighborhoods(request.user)
    if not neighborhoods.exists():
        raise PermissionDenied(_("You may not register volunteers."))
    form = RegisterForm(
        request.POST or None,
        neighborhoods=neighborhoods,
        households=selectors.households_visible_to(request.user),
        units=selectors.partner_units_visible_to(request.user),
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
            _errors_to(form, exc)
    return render(request, "volunteers/register.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@login_required
@answers_scope
def team_list(request):
    """The area's teams, and a new team with its chief for those who may add one."""
    if not permissions.may_read_class(request.user, "volunteer"):
        raise PermissionDenied(_("You may not see volunteers."))
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
                _errors_to(form, exc)
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


@never_cache
@login_required
@answers_scope
def points_settings(request):
    """积分规则与兑换: the subdistrict sets the points an hour earns and lists what points buy."""
    subdistrict = selectors.settings_subdistricts(request.user).first()
    if subdistrict is None:
        raise PermissionDenied(_("Only the subdistrict sets point rules and redemption items."))
    which = request.POST.get("form") if request.method == "POST" else ""
    rule_form = PointRuleForm(request.POST if which == "rule" else None)
    item_form = RedemptionItemForm(request.POST if which == "item" else None)
    form = rule_form if which == "rule" else item_form
    if which and form.is_valid():
        try:
            if which == "rule":
                services.set_point_rule(actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
            else:
                services.add_redemption_item(actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("volunteers:points_settings")
        except ValidationError as exc:
            _errors_to(form, exc)
    return render(
        request,
        "volunteers/points_settings.html",
        {
            "subdistrict": subdistrict,
            "rules": selectors.point_rules_of(subdistrict)[:50],
            "items": selectors.redemption_items_of(subdistrict),
            "rule_form": rule_form,
            "item_form": item_form,
        },
        status=400 if which else 200,
    )


@never_cache
@login_required
@answers_scope
def statement_export(request, pk: int):
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    data = services.export_statement(actor=request.user, volunteer=volunteer)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{volunteer.pk}.xlsx"'
    return response


@require_POST
@login_required
@answers_scope
def redeem(request, pk: int):
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    item = get_object_or_404(
        selectors.redemption_items_for(request.user, volunteer), pk=request.POST.get("item") or 0
    )
    try:
        services.redeem(actor=request.user, volunteer=volunteer, item=item)
        messages.success(request, _("Redeemed."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:volunteer", pk=volunteer.pk)


@never_cache
@login_required
def activity_list(request):
    activities = selectors.activities_visible_to(request.user).order_by("-starts_at")[:200]
    may_create = scoped(request.user, VolunteerTeam.objects.all(), permissions.WRITE).exists()
    return render(request, "volunteers/activities.html", {"activities": activities, "may_create": may_create})


@never_cache
@login_required
@answers_scope
def activity_create(request):
    teams = scoped(request.user, VolunteerTeam.objects.all(), permissions.WRITE)
    if not teams.exists():
        raise PermissionDenied(_("You may not publish activities."))
    form = ActivityForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.publish_activity(actor=request.user, **form.cleaned_data)
            return redirect("volunteers:activity", pk=activity.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request, "volunteers/activity_form.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@login_required
def activity_detail(request, pk: int):
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    signups = selectors.signups_of(request.user, activity)
    may_manage = permissions.can(request.user, activity, permissions.WRITE)
    check_in_url = request.build_absolute_uri(reverse("volunteers:check_in", args=[activity.check_in_token]))
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": activity,
            "confirmed": [s for s in signups if s.status == SignUp.Status.CONFIRMED],
            "waitlisted": [s for s in signups if s.status == SignUp.Status.WAITLISTED],
            "mine": selectors.my_signup(request.user, activity),
            "may_manage": may_manage,
            "is_chief": activity.team.chief_id == request.user.pk,
            "check_in_url": check_in_url,
            "qr_svg": segno.make(check_in_url).svg_inline(scale=4) if may_manage else "",
            "volunteers": selectors.volunteers_visible_to(request.user)[:500] if may_manage else [],
        },
    )


@require_POST
@login_required
@answers_scope
def activity_sign_up(request, pk: int):
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    if request.POST.get("volunteer"):
        volunteer = get_object_or_404(
            selectors.volunteers_visible_to(request.user), pk=request.POST["volunteer"]
        )
    else:
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            raise PermissionDenied(_("Only registered volunteers sign up."))
    try:
        signup = services.sign_up(actor=request.user, activity=activity, volunteer=volunteer)
        if signup.status == SignUp.Status.WAITLISTED:
            messages.info(request, _("The activity is full; you are on the waiting list."))
        else:
            messages.success(request, _("Signed up."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:activity", pk=activity.pk)


def _signup_or_404(request, pk: int) -> SignUp:
    signup = SignUp.objects.select_related("activity", "volunteer").filter(pk=pk).first()
    if signup is None:
        raise Http404
    own = signup.volunteer.user_id == request.user.pk
    if not own and not permissions.can(request.user, signup):
        raise Http404
    return signup


@require_POST
@login_required
@answers_scope
def signup_cancel(request, pk: int):
    signup = _signup_or_404(request, pk)
    try:
        services.cancel_signup(actor=request.user, signup=signup)
        messages.success(request, _("Sign-up cancelled."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:activity", pk=signup.activity_id)


@require_POST
@login_required
@answers_scope
def hours_confirm(request, pk: int):
    signup = _signup_or_404(request, pk)
    try:
        services.confirm_hours(actor=request.user, signup=signup, hours=request.POST.get("hours"))
        messages.success(request, _("Hours confirmed."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:activity", pk=signup.activity_id)


@never_cache
@login_required
@answers_scope
def check_in(request, token: str):
    """The page the activity's QR code opens on the volunteer's phone."""
    signup = None
    if request.method == "POST":
        signup = services.scan_check_in(actor=request.user, token=token)
    return render(request, "volunteers/check_in.html", {"signup": signup, "token": token})


@never_cache
@login_required
def emergency_list(request):
    if not permissions.may_read_class(request.user, "volunteer"):
        raise PermissionDenied(_("You may not see volunteers."))
    neighborhoods = permissions.scoped(request.user, Neighborhood.objects.all())
    form = EmergencyForm(request.POST or None, neighborhoods=neighborhoods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subdistrict = (
            data["neighborhood"].subdistrict if data["neighborhood"] else _own_subdistrict(request.user)
        )
        try:
            if subdistrict is None:
                raise PermissionDenied(_("You may not open an emergency here."))
            emergency = services.open_emergency(
                actor=request.user,
                subdistrict=subdistrict,
                neighborhood=data["neighborhood"],
                title=data["title"],
                min_rest_minutes=data["min_rest_minutes"],
            )
            return redirect("volunteers:emergency", pk=emergency.pk)
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
    return render(
        request,
        "volunteers/emergencies.html",
        {
            "emergencies": selectors.emergencies_visible_to(request.user).order_by("-opened_at")[:100],
            "form": form,
        },
    )


def _own_subdistrict(user):
    return permissions.scoped(user, Subdistrict.objects.all()).first()


def _emergency_context(request, emergency, **forms) -> dict:
    may_write = permissions.can(request.user, emergency, permissions.WRITE)
    volunteers = selectors.emergency_volunteers(request.user, emergency)
    return {
        "emergency": emergency,
        "rows": selectors.plan_rows(emergency),
        "people": selectors.person_rows(emergency),
        "summary": selectors.fill_summary(emergency),
        "answers": selectors.answer_counts(emergency),
        "answer_list": selectors.answers_of(emergency)[:500],
        "posts": emergency.posts.select_related("post_lead"),
        "shifts": emergency.shifts.all(),
        "may_plan": may_write,
        "may_export": permissions.can(request.user, emergency, permissions.EXPORT),
        "post_form": forms.get("post_form") or PostForm(volunteers=volunteers),
        "shift_form": forms.get("shift_form") or ShiftForm(),
        "need_form": forms.get("need_form") or NeedForm(emergency=emergency),
        "call_up_form": forms.get("call_up_form") or CallUpForm(units=_units(request.user, emergency)),
        "squad_form": forms.get("squad_form") or SquadForm(called=_called(request.user, emergency)),
        "squads": emergency.squads.select_related("leader").prefetch_related("members"),
    }


def _units(user, emergency):
    return selectors.partner_units_of_subdistrict(user, emergency.subdistrict_id)


def _called(user, emergency):
    return selectors.emergency_volunteers(user, emergency).filter(call_up_answers__emergency=emergency)


@never_cache
@login_required
def emergency_detail(request, pk: int):
    emergency = get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)
    return render(request, "volunteers/emergency.html", _emergency_context(request, emergency))


@never_cache
@login_required
def emergency_fill(request, pk: int):
    """The live fill-rate board, polled by htmx."""
    emergency = get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)
    return render(
        request,
        "volunteers/_fill.html",
        {
            "emergency": emergency,
            "summary": selectors.fill_summary(emergency),
            "answers": selectors.answer_counts(emergency),
        },
    )


@require_POST
@login_required
@answers_scope
def emergency_edit(request, pk: int, part: str):
    """Add a post or a shift, set a need, call up, or stand down; errors come back on the page."""
    emergency = get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)
    forms = {}
    try:
        if part == "post":
            form = forms["post_form"] = PostForm(
                request.POST, volunteers=selectors.emergency_volunteers(request.user, emergency)
            )
            if form.is_valid():
                services.add_post(actor=request.user, emergency=emergency, **form.cleaned_data)
        elif part == "shift":
            form = forms["shift_form"] = ShiftForm(request.POST)
            if form.is_valid():
                services.add_shift(actor=request.user, emergency=emergency, **form.cleaned_data)
        elif part == "need":
            form = forms["need_form"] = NeedForm(request.POST, emergency=emergency)
            if form.is_valid():
                services.set_need(actor=request.user, **form.cleaned_data)
        elif part == "call-up":
            form = forms["call_up_form"] = CallUpForm(request.POST, units=_units(request.user, emergency))
            if form.is_valid():
                n = services.call_up(actor=request.user, emergency=emergency, **form.cleaned_data)
                messages.success(request, _("%(n)s volunteers called up.") % {"n": n})
        elif part == "squad":
            form = forms["squad_form"] = SquadForm(request.POST, called=_called(request.user, emergency))
            if form.is_valid():
                services.form_squad(actor=request.user, emergency=emergency, **form.cleaned_data)
        elif part == "close":
            services.close_emergency(actor=request.user, emergency=emergency)
            return redirect("volunteers:emergency", pk=emergency.pk)
        elif part == "drop-out":
            volunteer = get_object_or_404(
                emergency.answers.all(), volunteer_id=request.POST.get("volunteer")
            ).volunteer
            services.drop_out(actor=request.user, emergency=emergency, volunteer=volunteer)
            messages.success(
                request, _("%(name)s dropped out; only their places were refilled.") % {"name": volunteer}
            )
            return redirect("volunteers:emergency", pk=emergency.pk)
        else:
            raise Http404
    except ValidationError as exc:
        form.add_error(None, _messages_of(exc))
    if form.is_valid() and not form.errors:
        return redirect("volunteers:emergency", pk=emergency.pk)
    return render(
        request, "volunteers/emergency.html", _emergency_context(request, emergency, **forms), status=400
    )


@never_cache
@login_required
@answers_scope
def emergency_export(request, pk: int):
    emergency = get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)
    # The plan names volunteers: a second person approves, the file carries a watermark (core.exports).
    query = urlencode({"kind": "volunteers.emergency_plan", "emergency": emergency.pk})
    return redirect(reverse("core:export_new") + "?" + query)


@require_POST
@login_required
@answers_scope
def emergency_plan(request, pk: int):
    emergency = get_object_or_404(selectors.emergencies_visible_to(request.user), pk=pk)
    filled = services.plan_assignment(actor=request.user, emergency=emergency)
    messages.success(request, _("Assignment planned: %(n)d places filled.") % {"n": filled})
    return redirect("volunteers:emergency", pk=emergency.pk)


@never_cache
@answers_scope
def call_up_answer(request, token: str, choice: str = ""):
    """The link a called-up volunteer opens: the token is their credential, so no sign-in.
    The yes/no links only preselect: the answer is recorded by the POST, so a link previewer
    that fetches the link answers nothing."""
    if choice not in ("", "yes", "no"):
        raise Http404
    answer = None
    if request.method == "POST":
        answer = services.answer_call_up(token=token, accept=request.POST.get("answer") == "yes")
    elif not selectors.call_up_link_valid(token):
        raise Http404
    return render(request, "volunteers/answer.html", {"answer": answer, "choice": choice})


@never_cache
@login_required
def wish_list(request):
    neighborhoods = permissions.scoped(request.user, Neighborhood.objects.all())
    form = WishForm(request.POST or None, neighborhoods=neighborhoods)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_wish(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Wish posted."))
            return redirect("volunteers:wishes")
        except (ValidationError, PermissionDenied, NotInScope) as exc:
            form.add_error(None, _messages_of(exc) if isinstance(exc, ValidationError) else str(exc))
    wishes = list(selectors.wishes_visible_to(request.user)[:200])
    for wish in wishes:
        wish.members, wish.units = (
            selectors.claimers_for(request.user, wish) if wish.status == "open" else ([], [])
        )
    return render(request, "volunteers/wishes.html", {"wishes": wishes, "form": form})


@require_POST
@login_required
@answers_scope
def wish_claim(request, pk: int):
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    members, units = selectors.claimers_for(request.user, wish)
    member = members.filter(pk=request.POST.get("party_member") or 0).first()
    unit = units.filter(pk=request.POST.get("partner_unit") or 0).first()
    try:
        services.claim_wish(actor=request.user, wish=wish, party_member=member, partner_unit=unit)
        messages.success(request, _("Wish claimed."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:wishes")


@require_POST
@login_required
@answers_scope
def wish_confirm(request, pk: int):
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    try:
        services.confirm_wish(actor=request.user, wish=wish)
        messages.success(request, _("Wish fulfilled."))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:wishes")


@never_cache
@answers_scope
def wish_confirm_link(request, token: str):
    """The resident's own link: the token is the credential, so no sign-in."""
    wish = selectors.wish_by_token(token)
    if wish is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            wish = services.confirm_wish(actor=request.user, token=token)
        except ValidationError as exc:
            error = _messages_of(exc)
    return render(request, "volunteers/wish_confirm.html", {"wish": wish, "error": error})


def wish_board(request):
    """The public list: masked names and buildings only."""
    return render(request, "volunteers/wish_board.html", {"wishes": selectors.public_wishes()[:200]})


@never_cache
@login_required
def roster_list(request):
    if not permissions.may_read_class(request.user, "volunteer"):
        raise PermissionDenied(_("You may not see volunteers."))
    teams = permissions.scoped(request.user, VolunteerTeam.objects.all(), permissions.WRITE)
    form = RosterForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            pattern = services.create_roster(actor=request.user, **form.cleaned_data)
            return redirect("volunteers:roster", pk=pattern.pk)
        except ValidationError as exc:
            _errors_to(form, exc)
    return render(
        request,
        "volunteers/rosters.html",
        {"rosters": selectors.rosters_visible_to(request.user), "form": form},
    )


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _messages_of(exc))


@never_cache
@login_required
@answers_scope
def roster_detail(request, pk: int):
    pattern = get_object_or_404(selectors.rosters_visible_to(request.user), pk=pk)
    form = GenerateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.generate_roster(actor=request.user, pattern=pattern, **form.cleaned_data)
                messages.success(request, _("%(n)s shifts generated.") % {"n": n})
                return redirect("volunteers:roster", pk=pattern.pk)
            except ValidationError as exc:
                _errors_to(form, exc)
        status = 400
    now = timezone.now()
    context = {
        "pattern": pattern,
        "form": form,
        "shifts": selectors.roster_shifts(pattern, now - timedelta(days=7), now + timedelta(days=31)),
        "counts": selectors.attendance_counts(pattern),
        "now": now,
        "may_mark": permissions.can(request.user, pattern, permissions.WRITE)
        or pattern.team.chief_id == request.user.pk,
    }
    return render(request, "volunteers/roster.html", context, status=status)


@require_POST
@login_required
@answers_scope
def duty_attendance(request, pk: int):
    duty = get_object_or_404(selectors.duties_markable_by(request.user).select_related("shift"), pk=pk)
    try:
        services.mark_attendance(actor=request.user, duty=duty, attendance=request.POST.get("attendance", ""))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:roster", pk=duty.shift.pattern_id)


@never_cache
@login_required
def my_duties(request):
    """A volunteer's own duties on their phone: ask a teammate to swap, answer swaps asked of them."""
    me = selectors.volunteer_of(request.user)
    if me is None:
        raise Http404
    asked_of_me, asked_by_me = selectors.swaps_for(me)
    teammates = Volunteer.objects.filter(team_id=me.team_id).exclude(pk=me.pk) if me.team_id else []
    duties = selectors.duties_of(me).filter(shift__starts_at__gte=timezone.now())
    return render(
        request,
        "volunteers/my_duties.html",
        {
            "me": me,
            "duties": duties,
            "asked_of_me": asked_of_me,
            "asked_by_me": asked_by_me,
            "teammates": teammates,
        },
    )


@require_POST
@login_required
@answers_scope
def swap_request(request, pk: int):
    me = selectors.volunteer_of(request.user)
    duty = RosterDuty.objects.filter(pk=pk, volunteer=me).first() if me else None
    if duty is None:
        duty = get_object_or_404(scoped(request.user, RosterDuty.objects.all()), pk=pk)
    target = Volunteer.objects.filter(
        pk=request.POST.get("to_volunteer") or 0, team_id=duty.shift.pattern.team_id
    ).first()
    try:
        if target is None:
            raise ValidationError({"to_volunteer": _("Only a teammate who can take this role.")})
        services.request_swap(actor=request.user, duty=duty, to_volunteer=target)
        messages.success(
            request, _("Swap requested; it takes effect when %(name)s accepts.") % {"name": target}
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:my_duties")


@require_POST
@login_required
@answers_scope
def swap_answer(request, pk: int):
    swap = get_object_or_404(SwapRequest.objects.all(), pk=pk)
    try:
        services.answer_swap(actor=request.user, swap=swap, accept=request.POST.get("accept") == "yes")
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("volunteers:my_duties")


def honour_roll(request):
    """诚信红榜, public: households by building and room, volunteers by masked name, shops by name."""
    return render(request, "volunteers/honour_roll.html", {"entries": selectors.honour_roll()[:300]})


@never_cache
@login_required
def honour_manage(request):
    """Workers rate households (stars unlock benefits) and put names on the honour roll."""
    if not permissions.may_read_class(request.user, "volunteer"):
        raise PermissionDenied(_("You may not see volunteers."))
    neighborhoods = permissions.scoped(request.user, Neighborhood.objects.all())
    households = permissions.scoped(request.user, Household.objects.all())
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else ""
    rating_form = RatingForm(
        posted if which == "rating" else None, neighborhoods=neighborhoods, households=households
    )
    honour_form = HonourForm(
        posted if which == "honour" else None,
        neighborhoods=neighborhoods,
        volunteers=selectors.volunteers_visible_to(request.user),
        units=permissions.scoped(request.user, PartnerUnit.objects.all()),
    )
    form = rating_form if which == "rating" else honour_form
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            if which == "rating":
                services.rate_household(
                    actor=request.user,
                    household=data["household"],
                    stars=data["stars"],
                    reason=data["reason"],
                )
            else:
                services.add_to_honour_roll(
                    actor=request.user,
                    neighborhood=data["neighborhood"],
                    period=data["period"],
                    reason=data["reason"],
                    volunteer=data["volunteer"],
                    partner_unit=data["partner_unit"],
                )
            messages.success(request, _("Saved."))
            return redirect("volunteers:honour_manage")
        except ValidationError as exc:
            _errors_to(form, exc)
    return render(
        request,
        "volunteers/honour_manage.html",
        {
            "rating_form": rating_form,
            "honour_form": honour_form,
            "ratings": selectors.ratings_visible_to(request.user)[:200],
        },
        status=400 if posted else 200,
    )
