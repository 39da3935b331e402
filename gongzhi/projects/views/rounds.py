"""Review rounds: setting one up, scoring, the ranking, allocations and the export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.projects import forms, selectors, services
from gongzhi.projects.models import ReviewRound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(request, pk: int) -> ReviewRound:
    review_round = selectors.round_for(request.user, pk)
    if review_round is None:
        raise Http404
    return review_round


def funder_subdistrict_or_403(user):
    subdistrict = selectors.funder_subdistrict(user)
    if subdistrict is None:
        raise PermissionDenied(_("Only the subdistrict may do this."))
    return subdistrict


@staff_page
def rounds(request):
    return render(
        request,
        "projects/rounds.html",
        {
            "rounds": selectors.rounds_visible_to(request.user),
            "may_create": selectors.funds_somewhere(request.user),
        },
    )


@staff_page
def round_create(request):
    subdistrict = funder_subdistrict_or_403(request.user)
    form = forms.RoundForm(
        request.POST or None,
        stages=ReviewRound.Stage.choices,
        rules=selectors.allocation_rules_of(subdistrict.pk),
        projects=selectors.projects_for_round(subdistrict),
        judges=selectors.judges_for(subdistrict.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            review_round = services.setup_round(
                actor=request.user, subdistrict=subdistrict, **form.cleaned_data
            )
        except ValidationError as e:
            say(request, e)
        else:
            messages.success(request, _("Review round created."))
            return redirect("projects:round", pk=review_round.pk)
    return render(request, "projects/round_form.html", {"form": form, "rule_form": forms.RuleForm()})


@staff_page
@require_POST
def rule_create(request):
    subdistrict = funder_subdistrict_or_403(request.user)
    form = forms.RuleForm(request.POST)
    if form.is_valid():
        try:
            services.save_rule(actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
            messages.success(request, _("Allocation rule saved."))
        except ValidationError as e:
            say(request, e)
    else:
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()))
    return redirect("projects:round_create")


@staff_page
def round_detail(request, pk: int):
    review_round = _round(request, pk)
    funder = services.is_subdistrict_staff(request.user, review_round.subdistrict_id)
    ranking = selectors.round_ranking(request.user, review_round)
    scored = [r for r in ranking if r.result is not None]
    return render(
        request,
        "projects/round.html",
        {
            "round": review_round,
            "criteria": review_round.criteria.all(),
            "panels": review_round.panels.prefetch_related("members__user", "projects"),
            "ranking": ranking,
            "to_score": selectors.projects_to_score(request.user, review_round),
            "allocations": selectors.round_allocations(request.user, review_round),
            "funder": funder,
            "score_chart": {
                "labels": [r.project.title for r in scored],
                "values": [float(r.result) for r in scored],
                "unit": _("score (0-100)"),
            },
        },
    )


@staff_page
def score(request, pk: int, project_pk: int):
    review_round = _round(request, pk)
    project = selectors.project_in_round(review_round, project_pk)
    seat = services.seat_for(request.user, review_round, project) if project else None
    if seat is None:
        raise Http404
    criteria = list(review_round.criteria.all())
    mine = selectors.scores_given(seat, project)
    values = {c.pk: request.POST.get(f"criterion_{c.pk}", mine.get(c.pk, "")) for c in criteria}
    if request.method == "POST":
        try:
            services.submit_scores(
                actor=request.user, review_round=review_round, project=project, values=values
            )
        except ValidationError as e:
            say(request, e)
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
    services.close_round(actor=request.user, review_round=_round(request, pk))
    return redirect("projects:round", pk=pk)


@staff_page
@require_POST
def allocation_preview(request, pk: int):
    review_round = _round(request, pk)
    rule = None
    if request.POST.get("rule"):
        rule = selectors.allocation_rule_for(review_round, parse_int(request.POST["rule"]))
    try:
        services.preview_allocation(actor=request.user, review_round=review_round, rule=rule)
    except ValidationError as e:
        say(request, e)
    else:
        messages.success(request, _("Preview computed. Nothing changes until it is adopted."))
    return redirect("projects:round", pk=pk)


@staff_page
@require_POST
def allocation_adopt(request, pk: int, allocation_pk: int):
    target = selectors.allocation_for(_round(request, pk), allocation_pk)
    if target is None:
        raise Http404
    try:
        services.adopt_allocation(
            actor=request.user, allocation_obj=target, reason=request.POST.get("reason", "")
        )
    except ValidationError as e:
        say(request, e)
    else:
        messages.success(request, _("Allocation adopted."))
    return redirect("projects:round", pk=pk)


@staff_page
def round_export(request, pk: int):
    review_round = _round(request, pk)
    response = HttpResponse(
        services.export_round(actor=request.user, review_round=review_round), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="round-{review_round.pk}.xlsx"'
    return response
