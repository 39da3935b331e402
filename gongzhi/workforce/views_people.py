"""Pages that keep the workers' profiles: the list of the user's area, a new profile, a profile's
edit page (qualification, topics, second posts) with its change of post and its history.
Kept by the subdistrict's personnel role and the neighborhood secretary; social workers read."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.pages import form_errors, parse_int, require_reader, staff_page
from gongzhi.core.roles import POST_LEVELS
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import WorkerProfile
from gongzhi.workforce.services.designs import MID_LEVELS
from gongzhi.workforce.services.profiles import TOPICS

TOPIC_LABELS = {
    "party_building": gettext_lazy("party building"),
    "civil_affairs": gettext_lazy("civil affairs"),
    "health": gettext_lazy("health and family planning"),
    "public_safety": gettext_lazy("public safety"),
    "property_management": gettext_lazy("property management"),
}


def parse_date(value, field: str) -> date:
    """A typed date (YYYY-MM-DD), else an error on `field`."""
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: _("Enter a date.")}) from None


def _choices(user, neighborhoods) -> dict:
    ids = [nb.pk for nb in neighborhoods]
    return {
        "neighborhoods": neighborhoods,
        "levels": list(POST_LEVELS.items()),
        "qualifications": WorkerProfile.Qualification.choices,
        "topics": [(t, TOPIC_LABELS[t]) for t in TOPICS],
        "outposts": selectors.outposts_in(ids),
        "grids": selectors.grids_in(ids),
    }


def posted(request) -> dict:
    """What a form sent, to fill it again after an error: lists stay lists, chosen ids numbers."""
    values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    values["topics"] = request.POST.getlist("topics")
    for key in ("outpost_branch", "grid"):
        values[key] = parse_int(values.get(key))
    return values


def _picked(queryset, value, field: str):
    """The record a select names among those offered; blank is none; anything else an error."""
    if not value:
        return None
    found = queryset.filter(pk=parse_int(value)).first()
    if found is None:
        raise ValidationError({field: _("Choose one of the listed options.")})
    return found


@staff_page
def people(request):
    """The social workers of the user's area, with a way to enter a new one for those who keep them."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    context = {
        "profiles": selectors.profiles_visible_to(request.user).order_by("neighborhood__name", "name"),
        "manages": bool(selectors.writable_neighborhoods(request.user)),
    }
    return render(request, "workforce/people.html", context)


@staff_page
def new_person(request):
    """Enter a social worker: their account, first post and level, qualification, topics, second posts."""
    neighborhoods = selectors.writable_neighborhoods(request.user)
    if not neighborhoods:
        raise PermissionDenied(_("Only the subdistrict and the neighborhood secretary enter workers."))
    errors, values = {}, {}
    if request.method == "POST":
        values = posted(request)
        try:
            profile = _create(request, neighborhoods)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:person", pk=profile.pk)
    context = _choices(request.user, neighborhoods) | {"errors": errors, "values": values, "new": True}
    return render(request, "workforce/person_form.html", context, status=400 if errors else 200)


def _create(request, neighborhoods):
    p = request.POST
    user = selectors.account_named(p.get("username", ""))
    if user is None:
        raise ValidationError({"username": _("No account with this username.")})
    neighborhood = next((nb for nb in neighborhoods if nb.pk == parse_int(p.get("neighborhood"))), None)
    if neighborhood is None:
        raise ValidationError({"neighborhood": _("Choose one of the listed options.")})
    ids = [neighborhood.pk]
    return services.create_profile(
        actor=request.user,
        user=user,
        name=p.get("name", ""),
        neighborhood=neighborhood,
        post_level=p.get("post_level", ""),
        started_on=parse_date(p.get("started_on"), "started_on"),
        qualification=p.get("qualification", ""),
        topics=p.getlist("topics"),
        outpost_branch=_picked(selectors.outposts_in(ids), p.get("outpost_branch"), "outpost_branch"),
        grid=_picked(selectors.grids_in(ids), p.get("grid"), "grid"),
    )


@staff_page
def person(request, pk: int):
    """A worker's profile: the edit form and the change of post for those who keep it; the history."""
    profile = selectors.get_visible(selectors.profiles_visible_to(request.user), pk)
    manages = selectors.may_write(request.user, "workforce") and selectors.may_change(request.user, profile)
    errors, values = {}, {}
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("You may not change this record."))
        values = posted(request)
        try:
            _change(request, profile)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:person", pk=profile.pk)
    neighborhoods = selectors.writable_neighborhoods(request.user) or [profile.neighborhood]
    context = _choices(request.user, [profile.neighborhood]) | {
        "profile": profile,
        "manages": manages,
        "errors": errors,
        "values": values,
        "move_to": neighborhoods,
        "levels": list(POST_LEVELS.items()),
        "history": profile.post_changes.select_related("neighborhood"),
        "topic_labels": [TOPIC_LABELS[t] for t in profile.topics if t in TOPIC_LABELS],
    }
    return render(request, "workforce/person.html", context, status=400 if errors else 200)


def _change(request, profile) -> None:
    p, ids = request.POST, [profile.neighborhood_id]
    if p.get("action") == "post":
        target = next(
            (nb for nb in selectors.writable_neighborhoods(request.user) if nb.pk == parse_int(p.get("to"))),
            None,
        )
        if target is None:
            raise ValidationError({"to": _("Choose one of the listed options.")})
        services.change_post(
            actor=request.user,
            profile=profile,
            post_level=p.get("post_level", ""),
            effective_on=parse_date(p.get("effective_on"), "effective_on"),
            reason=p.get("reason", ""),
            neighborhood=target,
        )
        return
    services.update_profile(
        actor=request.user,
        profile=profile,
        qualification=p.get("qualification", ""),
        topics=p.getlist("topics"),
        outpost_branch=_picked(selectors.outposts_in(ids), p.get("outpost_branch"), "outpost_branch"),
        grid=_picked(selectors.grids_in(ids), p.get("grid"), "grid"),
    )


@staff_page
def designs(request):
    """微项目 designs: a regular worker or team lead submits theirs; the neighborhood reviews and
    links the project that carries it. Everyone else with the workforce in their area reads."""
    profile = selectors.profile_of(request.user)
    submits = profile is not None and profile.post_level in MID_LEVELS
    if not submits:
        require_reader(request.user, "workforce", _("You do not work with the workforce."))
    errors, values = {}, {}
    if request.method == "POST":
        values = posted(request)
        try:
            _design_post(request, submits)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:designs")
    rows = list(selectors.designs_visible_to(request.user))
    for d in rows:
        d.reviewable = d.status == d.Status.SUBMITTED and selectors.may_change(request.user, d)
        d.projects = selectors.projects_for_design(d)[:30] if d.reviewable else []
    context = {"designs": rows, "submits": submits, "errors": errors, "values": values}
    return render(request, "workforce/designs.html", context, status=400 if errors else 200)


def _design_post(request, submits: bool) -> None:
    p = request.POST
    if p.get("action") in ("accept", "return"):
        design = selectors.get_visible(selectors.designs_visible_to(request.user), parse_int(p.get("design")))
        project = _picked(selectors.projects_for_design(design), p.get("project"), "project")
        services.review_design(
            actor=request.user,
            design=design,
            accepted=p.get("action") == "accept",
            review=p.get("review", ""),
            project=project,
        )
        return
    if not submits:
        raise PermissionDenied(_("Micro-project designs come from regular workers and team leads."))
    services.submit_design(actor=request.user, title=p.get("title", ""), design=p.get("design", ""))
