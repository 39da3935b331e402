"""The project list with its dashboard, one's own tasks, and creating and editing a project."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.projects import forms, selectors, services
from gongzhi.projects.views.detail import STATE_LABELS, project_or_404

# The project fields the form edits (links to partners and departments go separately).
FIELDS = tuple(f for f in services.PROJECT_FIELDS if f != "leader")


def _charts(board: dict, scored: list) -> dict:
    return {
        "state_chart": {
            "labels": [str(label) for _v, label, _n in board["by_state"]],
            "values": [n for _v, _l, n in board["by_state"]],
            "unit": _("projects"),
        },
        "score_chart": {
            "labels": [r.project.title for r in scored],
            "values": [float(r.result) for r in scored],
            "unit": _("score (0-100)"),
        },
        "use_chart": {
            "labels": [u["project"].title for u in board["use"]],
            "values": [u["percent"] or 0 for u in board["use"]],
            "unit": "%",
        },
    }


@staff_page
def project_list(request):
    if not selectors.may_see_projects(request.user):
        raise PermissionDenied(_("You may not see projects."))
    projects = selectors.projects_visible_to(request.user)
    state = request.GET.get("state", "")
    board = selectors.dashboard(request.user, projects)
    shown = projects.filter(state=state) if state in STATE_LABELS else projects
    latest = selectors.rounds_visible_to(request.user).first()
    visible = set(projects.values_list("pk", flat=True))
    ranked = services.ranking(latest) if latest else []
    scored = [r for r in ranked if r.result is not None and r.project.pk in visible]
    context = {
        "projects": shown.order_by("-created_at")[:200],
        "state": state,
        "board": board,
        "by_owner": selectors.budget_by_organisation(request.user),
        "may_create": selectors.may_create(request.user),
        "latest_round": latest,
        "scored": scored,
    }
    return render(request, "projects/list.html", {**context, **_charts(board, scored)})


@staff_page
def my_tasks(request):
    return render(request, "projects/my_tasks.html", {"tasks": selectors.tasks_of(request.user)})


@staff_page
def project_create(request):
    if not selectors.creatable_neighborhoods(request.user):
        raise PermissionDenied(_("You may not create projects."))
    form = forms.ProjectForm(
        request.POST or None,
        neighborhoods=selectors.neighborhood_choices(request.user),
        **selectors.form_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                actor=request.user,
                neighborhood=data["neighborhood"],
                partners=data["partners"],
                departments=data["departments"],
                **{k: data[k] for k in FIELDS},
            )
        except ValidationError as e:
            say(request, e)
        else:
            messages.success(request, _("Project created as a draft."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": None})


@staff_page
def project_edit(request, pk: int):
    project = project_or_404(request, pk)
    permissions.require(request.user, project)
    initial = {k: getattr(project, k) for k in FIELDS}
    initial.update(partners=project.partners.all(), departments=project.departments.all())
    choices = selectors.form_choices(request.user, project.neighborhood)
    form = forms.ProjectForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_project(
                actor=request.user,
                project=project,
                partners=data["partners"],
                departments=data["departments"],
                **{k: data[k] for k in FIELDS},
            )
        except ValidationError as e:
            say(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": project})


@staff_page
@require_POST
def start_from_vote(request, vote_pk: int):
    """The "start a project" button of a vote's result page (deliberation)."""
    vote = selectors.vote_for(request.user, vote_pk)
    if vote is None:
        raise Http404
    candidate = None
    if request.POST.get("candidate"):
        candidate = selectors.candidate_of(vote, parse_int(request.POST["candidate"]))
        if candidate is None:
            raise Http404
    try:
        project = services.start_from_vote(actor=request.user, vote=vote, candidate=candidate)
    except ValidationError as e:
        say(request, e)
        return redirect("deliberation:vote", pk=vote.pk)
    return redirect("projects:detail", pk=project.pk)
