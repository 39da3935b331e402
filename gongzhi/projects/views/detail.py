"""A project's page and the small forms on it: each action parses its form, calls one service and
goes back to the page with what happened."""

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotInScope
from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.projects import forms, rules, selectors, services
from gongzhi.projects.models import Project

STATE_LABELS = dict(Project.State.choices)
# What the button of each step says (the state names say where a project is, not what to do).
ACTION_LABELS = {
    rules.SUBMITTED: gettext_lazy("Submit"),
    rules.UNDER_REVIEW: gettext_lazy("Start the review"),
    rules.APPROVED: gettext_lazy("Approve the project"),
    rules.RUNNING: gettext_lazy("Start running"),
    rules.MIDTERM: gettext_lazy("Midterm review"),
    rules.FINAL_REPORT: gettext_lazy("Hand in the final report"),
    rules.CLOSED: gettext_lazy("Close the project"),
    rules.REJECTED: gettext_lazy("Reject the project"),
    rules.STOPPED: gettext_lazy("Stop the project"),
    rules.DRAFT: gettext_lazy("Send back for changes"),
}


def project_or_404(request, pk: int) -> Project:
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


def _steps_for(user, project: Project) -> list[tuple[str, str]]:
    funder = services.is_subdistrict_staff(user, project.neighborhood.subdistrict_id)
    editor = selectors.may_edit(user, project)
    return [
        (target, ACTION_LABELS[target])
        for target in rules.TRANSITIONS[project.state]
        if (funder if rules.needs_subdistrict(project.state, target) else editor)
    ]


def _blank_forms(project: Project) -> dict:
    today = timezone.localdate()
    return {
        "line": forms.BudgetLineForm(),
        "milestone": forms.MilestoneForm(),
        "task": forms.TaskForm(people=selectors.people_for(project)),
        "check_in": forms.CheckInForm(initial={"held_on": today}),
        "expense": forms.ExpenseForm(initial={"request_key": secrets.token_urlsafe(16), "spent_on": today}),
        "disclosure": forms.DisclosureForm(
            initial={"opens_on": today, "closes_on": today + datetime.timedelta(days=7)}
        ),
    }


@staff_page
def project_detail(request, pk: int):
    project = project_or_404(request, pk)
    may_edit = selectors.may_edit(request.user, project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "may_edit": may_edit,
            "editable": may_edit and project.state in rules.EDITABLE,
            "spending": may_edit and project.state in rules.SPENDING,
            "disclosable": may_edit and project.state in services.DISCLOSABLE,
            "steps": _steps_for(request.user, project),
            "requested": services.requested_budget(project),
            "org_budget": services.org_budget(project),
            "origin_vote": selectors.origin_vote_for(request.user, project),
            "origin_hot_issues": list(selectors.origin_hot_issues_for(request.user, project)),
            "spent": services.spent(project),
            "budget_rows": services.budget_vs_actual(project),
            "lines": project.budget_lines.all(),
            "milestones": project.milestones.all(),
            "tasks": project.tasks.select_related("assignee"),
            "checklist": selectors.checklist(project),
            "check_ins": project.check_ins.all()[:20],
            "missed": services.missed_check_ins(project),
            "expenses": project.expenses.all(),
            "disclosures": project.disclosures.all(),
            "history": project.steps.select_related("actor"),
            "today": timezone.localdate(),
            "forms": _blank_forms(project),
        },
    )


def _attempt(request, write: Callable[[], object], done: str | None = None) -> bool:
    """Run one service call; a refused input or a refused write becomes a message on the page. A
    record outside the area is no message: the middleware answers 404."""
    try:
        write()
    except ValidationError as e:
        say(request, e)
    except PermissionDenied as e:
        if isinstance(e, NotInScope):
            raise
        messages.error(request, str(e))
    else:
        if done:
            messages.success(request, done)
        return True
    return False


@dataclass(frozen=True)
class Action:
    """One small form of the detail page and the service it feeds."""

    form: type[django_forms.Form]
    service: Callable
    done: str
    form_kwargs: Callable[[Project], dict] = lambda project: {}


ACTIONS = {
    "add_line": Action(forms.BudgetLineForm, services.add_budget_line, gettext_lazy("Budget line added.")),
    "add_milestone": Action(forms.MilestoneForm, services.add_milestone, gettext_lazy("Milestone added.")),
    "add_task": Action(
        forms.TaskForm,
        services.add_task,
        gettext_lazy("Task added."),
        lambda project: {"people": selectors.people_for(project)},
    ),
    "add_check_in": Action(forms.CheckInForm, services.record_check_in, gettext_lazy("Check-in recorded.")),
    "add_expense": Action(forms.ExpenseForm, services.record_expense, gettext_lazy("Expense recorded.")),
    "disclose": Action(
        forms.DisclosureForm, services.publish_disclosure, gettext_lazy("Disclosure published.")
    ),
}


def _form_text(form) -> str:
    return " ".join(
        f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
        for k, v in form.errors.items()
    )


@staff_page
@require_POST
def project_action(request, pk: int, action: str):
    """Validate one small form of the detail page (ACTIONS says which), call its service, go back."""
    step = ACTIONS[action]
    project = project_or_404(request, pk)
    form = step.form(request.POST, request.FILES, **step.form_kwargs(project))
    if not form.is_valid():
        messages.error(request, _form_text(form))
    else:
        data = form.cleaned_data
        _attempt(request, lambda: step.service(actor=request.user, project=project, **data), str(step.done))
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def transition(request, pk: int):
    project = project_or_404(request, pk)
    to = request.POST.get("to", "")
    _attempt(
        request,
        lambda: services.transition(
            actor=request.user,
            project=project,
            to=to,
            note=request.POST.get("note", ""),
            document=request.FILES.get("document"),
            approved_budget=request.POST.get("approved_budget") or None,
            expected=request.POST.get("expected") or None,
        ),
        _("The project is now %(state)s.") % {"state": STATE_LABELS.get(to, to)},
    )
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def milestone_done(request, pk: int, milestone_pk: int):
    milestone = selectors.milestone_of(project_or_404(request, pk), milestone_pk)
    if milestone is None:
        raise Http404
    services.complete_milestone(actor=request.user, milestone=milestone)
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def task_done(request, pk: int, task_pk: int):
    task = selectors.task_of(project_or_404(request, pk), task_pk)
    if task is None:
        raise Http404
    services.complete_task(actor=request.user, task=task)
    messages.success(request, _("Task done."))
    return redirect(request.POST.get("next") or reverse("projects:detail", args=[pk]))


@staff_page
@require_POST
def tick_action(request, pk: int, action_pk: int):
    project = project_or_404(request, pk)
    action = selectors.required_action_of(project, action_pk)
    if action is None:
        raise Http404
    _attempt(
        request,
        lambda: services.tick_action(
            actor=request.user,
            project=project,
            action=action,
            done_on=timezone.localdate(),
            note=request.POST.get("note", ""),
            evidence=request.FILES.get("evidence"),
        ),
    )
    return redirect("projects:detail", pk=pk)


@staff_page
def comments(request, pk: int, disclosure_pk: int):
    project = project_or_404(request, pk)
    disclosure = selectors.disclosure_of(project, disclosure_pk)
    if disclosure is None:
        raise Http404
    if request.method == "POST":
        comment = selectors.comment_of(disclosure, parse_int(request.POST.get("comment")))
        if comment is None:
            raise Http404
        services.reply_to_comment(actor=request.user, comment=comment, reply=request.POST.get("reply", ""))
        messages.success(request, _("Reply saved; it shows on the public notice."))
        return redirect("projects:comments", pk=pk, disclosure_pk=disclosure_pk)
    context = {"project": project, "disclosure": disclosure, "comments": disclosure.comments.all()}
    return render(
        request, "projects/comments.html", {**context, "may_edit": selectors.may_edit(request.user, project)}
    )
