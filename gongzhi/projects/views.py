"""Project pages. Thin: parse, call one selector or service, render."""

import datetime
import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.middleware import client_ip
from gongzhi.org.models import Compound, Department, Neighborhood, PartnerUnit
from gongzhi.projects import forms, rules, selectors, services
from gongzhi.projects.models import Allocation, AllocationRule, ExpenseCategory, Project, ReviewRound

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


def answers_scope(view):
    """Out-of-area records answer 404 and refused writes 403, so a page never confirms they exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotInScope:
            raise Http404 from None

    return wrapped


def staff_page(view):
    return never_cache(login_required(answers_scope(view)))


def _project(request, pk: int) -> Project:
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


def _say(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- list, dashboard, my tasks --------------------------------------------------------------


@staff_page
def project_list(request):
    if not permissions.may_read_class(request.user, "project") and not request.user.panel_seats.exists():
        raise PermissionDenied(_("You may not see projects."))
    projects = selectors.projects_visible_to(request.user)
    state = request.GET.get("state", "")
    board = selectors.dashboard(request.user, projects)
    shown = projects.filter(state=state) if state in STATE_LABELS else projects
    latest = selectors.rounds_visible_to(request.user).first()
    visible = set(projects.values_list("pk", flat=True))
    scored = (
        [r for r in services.ranking(latest) if r.result is not None and r.project.pk in visible]
        if latest
        else []
    )
    return render(
        request,
        "projects/list.html",
        {
            "projects": shown.order_by("-created_at")[:200],
            "state": state,
            "board": board,
            "by_owner": selectors.budget_by_organisation(request.user),
            "may_create": selectors.may_create(request.user),
            "state_chart": {
                "labels": [str(label) for _v, label, _n in board["by_state"]],
                "values": [n for _v, _l, n in board["by_state"]],
                "unit": _("projects"),
            },
            "latest_round": latest,
            "scored": scored,
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
        },
    )


@staff_page
def my_tasks(request):
    return render(request, "projects/my_tasks.html", {"tasks": selectors.tasks_of(request.user)})


@staff_page
@require_POST
def task_done(request, pk: int, task_pk: int):
    project = _project(request, pk)
    task = project.tasks.filter(pk=task_pk).first()
    if task is None:
        raise Http404
    services.complete_task(actor=request.user, task=task)
    messages.success(request, _("Task done."))
    return redirect(request.POST.get("next") or reverse("projects:detail", args=[pk]))


# --- create and edit ------------------------------------------------------------------------


def _form_choices(user, neighborhood=None) -> dict:
    sub_ids = (
        [neighborhood.subdistrict_id]
        if neighborhood
        else [n.subdistrict_id for n in selectors.creatable_neighborhoods(user)]
    )
    compounds = (
        Compound.objects.filter(neighborhood=neighborhood)
        if neighborhood
        else Compound.objects.filter(neighborhood__in=selectors.creatable_neighborhoods(user))
    )
    return {
        "compounds": compounds.order_by("name"),
        "partners": PartnerUnit.objects.filter(subdistrict_id__in=sub_ids).order_by("name"),
        "departments": Department.objects.filter(subdistrict_id__in=sub_ids).order_by("name"),
    }


FIELDS = ("title", "kind", "origin", "origin_note", "summary", "goals", "beneficiaries", "university_teams",
          "starts_on", "ends_on", "compound")  # fmt: skip


@staff_page
def project_create(request):
    neighborhoods = selectors.creatable_neighborhoods(request.user)
    if not neighborhoods:
        raise PermissionDenied(_("You may not create projects."))
    qs = Neighborhood.objects.filter(pk__in=[n.pk for n in neighborhoods])
    form = forms.ProjectForm(request.POST or None, neighborhoods=qs, **_form_choices(request.user))
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
            _say(request, e)
        else:
            messages.success(request, _("Project created as a draft."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": None})


@staff_page
def project_edit(request, pk: int):
    project = _project(request, pk)
    services.require(request.user, project)
    initial = {k: getattr(project, k) for k in FIELDS}
    initial.update(partners=project.partners.all(), departments=project.departments.all())
    form = forms.ProjectForm(
        request.POST or None, initial=initial, **_form_choices(request.user, project.neighborhood)
    )
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
            _say(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": project})


# --- detail and its actions -----------------------------------------------------------------


def _steps_for(user, project: Project) -> list[tuple[str, str]]:
    funder = services.is_subdistrict_staff(user, project.neighborhood.subdistrict_id)
    editor = selectors.may_edit(user, project)
    return [
        (target, ACTION_LABELS[target])
        for target in rules.TRANSITIONS[project.state]
        if (funder if rules.needs_subdistrict(project.state, target) else editor)
    ]


@staff_page
def project_detail(request, pk: int):
    project = _project(request, pk)
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
            "forms": {
                "line": forms.BudgetLineForm(),
                "milestone": forms.MilestoneForm(),
                "task": forms.TaskForm(people=selectors.people_for(project)),
                "check_in": forms.CheckInForm(initial={"held_on": timezone.localdate()}),
                "expense": forms.ExpenseForm(
                    initial={"request_key": secrets.token_urlsafe(16), "spent_on": timezone.localdate()}
                ),
                "disclosure": forms.DisclosureForm(
                    initial={
                        "opens_on": timezone.localdate(),
                        "closes_on": timezone.localdate() + datetime.timedelta(days=7),
                    }
                ),
            },
        },
    )


def _post_action(request, pk: int, form_class, act, done: str, **form_kwargs):
    """Validate a small form of the detail page, call one service, and go back to the page."""
    project = _project(request, pk)
    form = (
        form_class(request.POST, request.FILES, **form_kwargs(project))
        if callable(form_kwargs)
        else form_class(request.POST, request.FILES)
    )
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                for k, v in form.errors.items()
            ),
        )
        return redirect("projects:detail", pk=pk)
    try:
        act(project, form.cleaned_data)
    except ValidationError as e:
        _say(request, e)
    except NotInScope:
        raise
    except PermissionDenied as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def transition(request, pk: int):
    project = _project(request, pk)
    try:
        services.transition(
            actor=request.user,
            project=project,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", ""),
            document=request.FILES.get("document"),
            approved_budget=request.POST.get("approved_budget") or None,
            expected=request.POST.get("expected") or None,
        )
    except ValidationError as e:
        _say(request, e)
    except NotInScope:
        raise
    except PermissionDenied as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("The project is now %(state)s.") % {"state": STATE_LABELS[request.POST["to"]]}
        )
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def add_line(request, pk: int):
    return _post_action(
        request, pk, forms.BudgetLineForm,
        lambda p, d: services.add_budget_line(actor=request.user, project=p, **d), _("Budget line added."),
    )  # fmt: skip


@staff_page
@require_POST
def add_milestone(request, pk: int):
    return _post_action(
        request, pk, forms.MilestoneForm,
        lambda p, d: services.add_milestone(actor=request.user, project=p, **d), _("Milestone added."),
    )  # fmt: skip


@staff_page
@require_POST
def milestone_done(request, pk: int, milestone_pk: int):
    project = _project(request, pk)
    milestone = project.milestones.filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404
    services.complete_milestone(actor=request.user, milestone=milestone)
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def add_task(request, pk: int):
    return _post_action(
        request, pk, forms.TaskForm,
        lambda p, d: services.add_task(actor=request.user, project=p, **d), _("Task added."),
        form_kwargs=lambda p: {"people": selectors.people_for(p)},
    )  # fmt: skip


@staff_page
@require_POST
def add_check_in(request, pk: int):
    return _post_action(
        request, pk, forms.CheckInForm,
        lambda p, d: services.record_check_in(actor=request.user, project=p, **d), _("Check-in recorded."),
    )  # fmt: skip


@staff_page
@require_POST
def tick_action(request, pk: int, action_pk: int):
    project = _project(request, pk)
    action = project.neighborhood.subdistrict.required_actions.filter(pk=action_pk).first()
    if action is None:
        raise Http404
    try:
        services.tick_action(
            actor=request.user, project=project, action=action, done_on=timezone.localdate(),
            note=request.POST.get("note", ""), evidence=request.FILES.get("evidence"),
        )  # fmt: skip
    except ValidationError as e:
        _say(request, e)
    except NotInScope:
        raise
    except PermissionDenied as e:
        messages.error(request, str(e))
    return redirect("projects:detail", pk=pk)


@staff_page
@require_POST
def add_expense(request, pk: int):
    return _post_action(
        request, pk, forms.ExpenseForm,
        lambda p, d: services.record_expense(actor=request.user, project=p, **d), _("Expense recorded."),
    )  # fmt: skip


@staff_page
@require_POST
def disclose(request, pk: int):
    return _post_action(
        request, pk, forms.DisclosureForm,
        lambda p, d: services.publish_disclosure(actor=request.user, project=p, **d), _("Disclosure published."),
    )  # fmt: skip


@staff_page
def comments(request, pk: int, disclosure_pk: int):
    project = _project(request, pk)
    disclosure = project.disclosures.filter(pk=disclosure_pk).first()
    if disclosure is None:
        raise Http404
    if request.method == "POST":
        comment = disclosure.comments.filter(pk=request.POST.get("comment")).first()
        if comment is None:
            raise Http404
        services.reply_to_comment(actor=request.user, comment=comment, reply=request.POST.get("reply", ""))
        messages.success(request, _("Reply saved; it shows on the public notice."))
        return redirect("projects:comments", pk=pk, disclosure_pk=disclosure_pk)
    return render(
        request,
        "projects/comments.html",
        {"project": project, "disclosure": disclosure, "comments": disclosure.comments.all(),
         "may_edit": selectors.may_edit(request.user, project)},
    )  # fmt: skip


@staff_page
@require_POST
def start_from_vote(request, vote_pk: int):
    """The "start a project" button of a vote's result page (deliberation)."""
    vote = selectors.vote_for(request.user, vote_pk)
    if vote is None:
        raise Http404
    candidate = None
    if request.POST.get("candidate"):
        candidate = vote.candidates.filter(pk=request.POST["candidate"]).first()
        if candidate is None:
            raise Http404
    try:
        project = services.start_from_vote(actor=request.user, vote=vote, candidate=candidate)
    except ValidationError as e:
        _say(request, e)
        return redirect("deliberation:vote", pk=vote.pk)
    return redirect("projects:detail", pk=project.pk)


# --- review rounds --------------------------------------------------------------------------


def _round(request, pk: int) -> ReviewRound:
    review_round = selectors.round_for(request.user, pk)
    if review_round is None:
        raise Http404
    return review_round


@staff_page
def rounds(request):
    funder_of = [
        a.subdistrict_id
        for a in permissions.assignments_of(request.user)
        if services.is_subdistrict_staff(request.user, a.subdistrict_id)
    ]
    return render(
        request,
        "projects/rounds.html",
        {
            "rounds": selectors.rounds_visible_to(request.user),
            "may_create": bool(funder_of),
        },
    )


def _funder_subdistrict(user):
    for a in permissions.assignments_of(user):
        if a.unit_kind == "subdistrict" and services.is_subdistrict_staff(user, a.subdistrict_id):
            return a.subdistrict
    return None


@staff_page
def round_create(request):
    subdistrict = _funder_subdistrict(request.user)
    if subdistrict is None:
        raise PermissionDenied(_("Only the subdistrict may do this."))
    projects = Project.objects.filter(
        neighborhood__subdistrict=subdistrict,
        state__in=[rules.SUBMITTED, rules.UNDER_REVIEW, rules.RUNNING, rules.MIDTERM, rules.FINAL_REPORT],
    ).order_by("title")
    form = forms.RoundForm(
        request.POST or None,
        stages=ReviewRound.Stage.choices,
        rules=AllocationRule.objects.filter(subdistrict=subdistrict),
        projects=projects,
        judges=selectors.judges_for(subdistrict.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_round = services.setup_round(actor=request.user, subdistrict=subdistrict, **data)
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("Review round created."))
            return redirect("projects:round", pk=review_round.pk)
    return render(request, "projects/round_form.html", {"form": form, "rule_form": forms.RuleForm()})


@staff_page
@require_POST
def rule_create(request):
    subdistrict = _funder_subdistrict(request.user)
    if subdistrict is None:
        raise PermissionDenied(_("Only the subdistrict may do this."))
    form = forms.RuleForm(request.POST)
    if form.is_valid():
        try:
            services.save_rule(actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
            messages.success(request, _("Allocation rule saved."))
        except ValidationError as e:
            _say(request, e)
    else:
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()))
    return redirect("projects:round_create")


@staff_page
def round_detail(request, pk: int):
    review_round = _round(request, pk)
    funder = services.is_subdistrict_staff(request.user, review_round.subdistrict_id)
    ranking = services.ranking(review_round)
    visible = set(selectors.projects_visible_to(request.user).values_list("pk", flat=True))
    return render(
        request,
        "projects/round.html",
        {
            "round": review_round,
            "criteria": review_round.criteria.all(),
            "panels": review_round.panels.prefetch_related("members__user", "projects"),
            "ranking": [r for r in ranking if r.project.pk in visible or funder],
            "to_score": selectors.projects_to_score(request.user, review_round),
            "allocations": selectors.allocations_of(review_round) if funder or visible else [],
            "funder": funder,
            "score_chart": {
                "labels": [r.project.title for r in ranking if r.result is not None],
                "values": [float(r.result) for r in ranking if r.result is not None],
                "unit": _("score (0-100)"),
            },
        },
    )


@staff_page
def score(request, pk: int, project_pk: int):
    review_round = _round(request, pk)
    project = (
        Project.objects.filter(pk=project_pk, review_rounds=review_round)
        .select_related("neighborhood")
        .first()
    )
    seat = services.seat_for(request.user, review_round, project) if project else None
    if seat is None:
        raise Http404
    criteria = list(review_round.criteria.all())
    mine = {s.criterion_id: s.value for s in project.scores.filter(member=seat)}
    values = {c.pk: request.POST.get(f"criterion_{c.pk}", mine.get(c.pk, "")) for c in criteria}
    if request.method == "POST":
        try:
            services.submit_scores(
                actor=request.user, review_round=review_round, project=project, values=values
            )
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("Your scores of %(project)s are saved.") % {"project": project})
            return redirect("projects:round", pk=pk)
    return render(
        request,
        "projects/score.html",
        {
            "round": review_round,
            "project": project,
            "rows": [(c, values[c.pk]) for c in criteria],
            "lines": project.budget_lines.all(),
            "documents": project.steps.filter(document__isnull=False).select_related("document"),
        },
    )


@staff_page
@require_POST
def round_close(request, pk: int):
    review_round = _round(request, pk)
    services.close_round(actor=request.user, review_round=review_round)
    return redirect("projects:round", pk=pk)


@staff_page
@require_POST
def allocation_preview(request, pk: int):
    review_round = _round(request, pk)
    rule = None
    if request.POST.get("rule"):
        rule = AllocationRule.objects.filter(
            pk=request.POST["rule"], subdistrict_id=review_round.subdistrict_id
        ).first()
    try:
        services.preview_allocation(actor=request.user, review_round=review_round, rule=rule)
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(request, _("Preview computed. Nothing changes until it is adopted."))
    return redirect("projects:round", pk=pk)


@staff_page
@require_POST
def allocation_adopt(request, pk: int, allocation_pk: int):
    review_round = _round(request, pk)
    target = Allocation.objects.filter(pk=allocation_pk, review_round=review_round).first()
    if target is None:
        raise Http404
    try:
        services.adopt_allocation(
            actor=request.user, allocation_obj=target, reason=request.POST.get("reason", "")
        )
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(request, _("Allocation adopted."))
    return redirect("projects:round", pk=pk)


@staff_page
def round_export(request, pk: int):
    review_round = _round(request, pk)
    data = services.export_round(actor=request.user, review_round=review_round)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="round-{review_round.pk}.xlsx"'
    return response


# --- public disclosure (no login) -----------------------------------------------------------


def public_disclosure(request, token: str):
    disclosure = selectors.open_disclosure(token)
    if disclosure is None:
        raise Http404
    form = forms.CommentForm(request.POST or None, initial={"kind": "comment"})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_comment(disclosure=disclosure, client=client_ip(request), **form.cleaned_data)
            except ValidationError as e:
                _say(request, e)
            else:
                messages.success(request, _("Thank you. Your comment is recorded and will be answered."))
                return redirect("projects:public", token=token)
    context = selectors.public_accounts(disclosure)
    context.update(disclosure=disclosure, form=form, days_left=selectors.notice_days_left(disclosure))
    return render(request, "projects/public.html", context)


def public_compound(request, compound_id: int):
    compound, disclosures = selectors.compound_disclosures(compound_id)
    if compound is None:
        raise Http404
    return render(
        request,
        "projects/public_compound.html",
        {
            "compound": compound,
            "items": [(d, selectors.public_accounts(d)) for d in disclosures],
            "account": selectors.maintenance_account(compound.pk),
        },
    )


# --- the subdistrict's settings: required actions and spending rules ------------------------


@staff_page
def settings_page(request):
    subdistrict = _funder_subdistrict(request.user)
    if subdistrict is None:
        raise PermissionDenied(_("Only the subdistrict may do this."))
    if request.method == "POST":
        try:
            if request.POST.get("what") == "checklist":
                services.set_required_actions(
                    actor=request.user,
                    subdistrict=subdistrict,
                    names=request.POST.get("names", "").splitlines(),
                )
            else:
                category = request.POST.get("category", "")
                services.save_spending_rule(
                    actor=request.user,
                    subdistrict=subdistrict,
                    category=category,
                    cap_per_person=request.POST.get("cap_per_person") or None,
                    cap_per_event=request.POST.get("cap_per_event") or None,
                    forbidden_items=request.POST.get("forbidden_items", ""),
                )
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:settings")
    spending_rules = {r.category: r for r in subdistrict.spending_rules.all()}
    return render(
        request,
        "projects/settings.html",
        {
            "subdistrict": subdistrict,
            "names": "\n".join(a.name for a in subdistrict.required_actions.filter(active=True)),
            "categories": [
                (value, label, spending_rules.get(value)) for value, label in ExpenseCategory.choices
            ],
        },
    )
