"""Survey pages. Thin: parse, call a selector or service, render.

Staff pages need a sign-in and answer out-of-area surveys with 404. The answer pages (/surveys/a/
and /surveys/o/) need none: the unguessable token in the link is the credential."""

import secrets

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import form_errors, parse_int, require_reader, say, staff_page
from gongzhi.surveys import results, selectors, services
from gongzhi.surveys.forms import ImportForm, QuestionForm, SurveyForm
from gongzhi.surveys.models import Survey

RESPONDENTS_PER_PAGE = 100  # a page of the respondent list; the search finds anyone beyond it


def _survey(request, pk: int) -> Survey:
    return get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)


@staff_page
def survey_list(request):
    require_reader(request.user, "survey", _("You may not see surveys."))
    surveys = selectors.surveys_visible_to(request.user)[:200]
    may_create = selectors.neighborhoods_for_new_survey(request.user).exists()
    return render(request, "surveys/list.html", {"surveys": surveys, "may_create": may_create})


@staff_page
def survey_create(request):
    neighborhoods = selectors.neighborhoods_for_new_survey(request.user)
    if not neighborhoods.exists():
        raise PermissionDenied(_("You may not create surveys."))
    projects = selectors.projects_for_new_survey(request.user)
    initial = {"neighborhood": neighborhoods.first() if neighborhoods.count() == 1 else None}
    project = projects.filter(pk=parse_int(request.GET.get("project"))).first()
    if project is not None:
        initial.update(neighborhood=project.neighborhood, project=project, title=project.title)
    form = SurveyForm(
        request.POST or None,
        neighborhoods=neighborhoods,
        compounds=selectors.compounds_for_new_survey(request.user),
        projects=projects,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(actor=request.user, **form.cleaned_data)
            return redirect("surveys:detail", pk=survey.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "surveys/form.html", {"form": form}, status=400 if form.errors else 200)


@staff_page
def survey_detail(request, pk: int):
    survey = _survey(request, pk)
    may_write = selectors.may_change(request.user, survey)
    query = request.GET.get("q", "").strip()[:64]
    found = selectors.respondents_of(request.user, survey, q=query)
    respondents = Paginator(found, RESPONDENTS_PER_PAGE).get_page(request.GET.get("page"))
    open_url = request.build_absolute_uri(reverse("surveys:open", args=[survey.open_token]))
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": selectors.questions_of(survey),
            "may_write": may_write,
            "question_form": QuestionForm() if may_write else None,
            "import_form": ImportForm() if may_write else None,
            "respondents": respondents,
            "respondent_query": query,
            "respondent_count": selectors.respondents_of(request.user, survey).count(),
            "open_url": open_url,
            "open_qr": segno.make(open_url).svg_inline(scale=4) if survey.open_link else "",
            "closes_local": timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M"),
            "project_url": _project_url(survey.project) if survey.project_id else "",
        },
    )


@require_POST
@staff_page
def question_add(request, pk: int):
    survey = _survey(request, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("surveys:detail", pk=survey.pk)
    try:
        services.add_question(actor=request.user, survey=survey, **form.cleaned_data)
        messages.success(request, _("Question added."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
@staff_page
def question_change(request, pk: int, qid: int):
    survey = _survey(request, pk)
    question = get_object_or_404(selectors.questions_of(survey), pk=qid)
    try:
        if request.POST.get("action") == "delete":
            services.delete_question(actor=request.user, question=question)
        else:
            services.move_question(
                actor=request.user, question=question, up=request.POST.get("action") == "up"
            )
    except ValidationError as exc:
        say(request, exc)
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
@staff_page
def respondents_import(request, pk: int):
    survey = _survey(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return redirect("surveys:detail", pk=survey.pk)
    try:
        added, known = services.import_respondents(actor=request.user, survey=survey, upload=upload)
        messages.success(
            request,
            _("%(added)s people imported, %(known)s already on the list.") % {"added": added, "known": known},
        )
    except ValidationError as exc:
        for message in exc.messages[:50]:
            messages.error(request, message)
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
@staff_page
def survey_action(request, pk: int):
    survey = _survey(request, pk)
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.publish(actor=request.user, survey=survey)
            messages.success(request, _("The survey is published."))
        elif action == "close":
            services.close(actor=request.user, survey=survey)
            messages.success(request, _("The survey is closed."))
        elif action in ("notify", "remind"):
            sent = services.notify_respondents(
                actor=request.user,
                survey=survey,
                link_for=lambda token: request.build_absolute_uri(reverse("surveys:answer", args=[token])),
                reminder=action == "remind",
            )
            messages.success(request, _("Links sent to %(n)s people.") % {"n": sent})
        elif action == "extend":
            field = forms.DateTimeField()
            try:
                closes_at = field.clean(request.POST.get("closes_at"))
            except ValidationError:
                closes_at = None
            services.extend(actor=request.user, survey=survey, closes_at=closes_at)
            messages.success(request, _("The close time is changed."))
        else:
            raise Http404
    except ValidationError as exc:
        say(request, exc)
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
@staff_page
def attach(request):
    """From a project's survey panel: make a survey that project's needs study."""
    project = get_object_or_404(
        selectors.projects_visible_to(request.user), pk=parse_int(request.POST.get("project"))
    )
    survey = get_object_or_404(
        selectors.surveys_visible_to(request.user), pk=parse_int(request.POST.get("survey"))
    )
    try:
        services.attach_to_project(actor=request.user, survey=survey, project=project)
        messages.success(request, _("The survey is attached to the project."))
    except ValidationError as exc:
        say(request, exc)
    return redirect(_project_url(project) or reverse("surveys:list"))


def _project_url(project) -> str:
    try:
        return reverse("projects:detail", kwargs={"pk": project.pk})
    except NoReverseMatch:
        return ""


@staff_page
def survey_results(request, pk: int):
    survey = _survey(request, pk)
    result = results.tally(survey)
    charts = [(f"chart-{r.question.pk}-data", r.chart()) for r in result.questions if r.rows]
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "result": result, "charts": charts},
    )


@staff_page
def survey_export(request, pk: int):
    survey = _survey(request, pk)
    data = services.export_xlsx(actor=request.user, survey=survey)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


# ---------------------------------------------------------------- answer pages (no sign-in)


def _answer_page(request, survey: Survey, *, done, errors=None, data=None, key="", status=200):
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "questions": selectors.questions_of(survey),
            "done": done,
            "errors": errors or {},
            "data": data,
            "submission_key": key,
            "accepting": survey.is_accepting(),
            "not_yet": survey.status == Survey.Status.PUBLISHED and timezone.now() < survey.opens_at,
        },
        status=status,
    )


def _posted(request) -> dict[str, list[str]]:
    return {k: request.POST.getlist(k) for k in request.POST if k.startswith("q")}


def _form_errors(exc: ValidationError) -> dict[str, str]:
    """Each field's messages as one line, as the answer page shows them."""
    return {field: " ".join(texts) for field, texts in form_errors(exc).items()}


@never_cache
def answer(request, token: str):
    respondent = selectors.respondent_by_token(token)
    if respondent is None or respondent.survey.status == Survey.Status.DRAFT:
        raise Http404
    survey = respondent.survey
    if request.method != "POST":
        return _answer_page(request, survey, done=hasattr(respondent, "response"))
    try:
        services.submit_with_token(token=token, data=request.POST)
    except ValidationError as exc:
        return _answer_page(
            request, survey, done=False, errors=_form_errors(exc), data=_posted(request), status=400
        )
    return redirect("surveys:answer", token=token)


@never_cache
def open_answer(request, token: str):
    survey = selectors.survey_by_open_token(token)
    if survey is None or survey.status == Survey.Status.DRAFT:
        raise Http404
    if request.method != "POST":
        done = request.GET.get("done") == "1"
        return _answer_page(request, survey, done=done, key=secrets.token_urlsafe(24))
    key = request.POST.get("submission_key", "")
    try:
        services.submit_open(
            open_token=token, data=request.POST, submission_key=key, client_ip=client_ip(request)
        )
    except ValidationError as exc:
        errors = _form_errors(exc)
        return _answer_page(
            request, survey, done=False, errors=errors, data=_posted(request), key=key, status=400
        )
    return redirect(reverse("surveys:open", args=[token]) + "?done=1")
