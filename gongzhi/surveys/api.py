"""API of surveys under /api/v1/surveys/: same scope and services as the pages.

Staff read surveys and results; a respondent's app posts answers with the personal token (no
sign-in: the token is the credential), and a retry with the same token returns the first answer."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from gongzhi.surveys import results, selectors, services

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    title: str
    status: str
    target: str
    neighborhood_id: int
    compound_id: int | None
    project_id: int | None
    opens_at: datetime
    closes_at: datetime
    open_link: bool


class QuestionOut(Schema):
    id: int
    field: str
    position: int
    kind: str
    text: str
    required: bool
    options: list[str]
    scale_min: int
    scale_max: int


class SurveyDetailOut(SurveyOut):
    intro: str
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, list[str] | str | int]


class ReceiptOut(Schema):
    response_id: int
    created: bool
    submitted_at: datetime


def _questions(survey) -> list[dict]:
    return [
        {
            "id": q.pk,
            "field": q.field_name,
            "position": q.position,
            "kind": q.kind,
            "text": q.text,
            "required": q.required,
            "options": q.options,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
        }
        for q in survey.questions.order_by("position")
    ]


def _detail(item) -> dict:
    fields = [*SurveyOut.model_fields, "intro"]
    return {**{f: getattr(item, f) for f in fields}, "questions": _questions(item)}


@router.get("", response=list[SurveyOut])
def surveys(request):
    return selectors.surveys_visible_to(request.user)[:500]


@router.get("/{survey_id}", response=SurveyDetailOut)
def survey(request, survey_id: int):
    item = get_object_or_404(selectors.surveys_visible_to(request.user), pk=survey_id)
    return _detail(item)


@router.get("/{survey_id}/results")
def survey_results(request, survey_id: int):
    """Counts and percentages per option, scale means, masked text answers, response rate."""
    item = get_object_or_404(selectors.surveys_visible_to(request.user), pk=survey_id)
    r = results.tally(item)
    return {
        "survey": item.pk,
        "responses": r.responses,
        "invited": r.invited,
        "response_rate": str(r.response_rate) if r.response_rate is not None else None,
        "open_answers": r.open_answers,
        "questions": [
            {
                "position": q.question.position,
                "kind": q.question.kind,
                "text": q.question.text,
                "answered": q.answered,
                "rows": [
                    {**row, "percent": str(row["percent"]) if row["percent"] is not None else None}
                    for row in q.rows
                ],
                "mean": str(q.mean) if q.mean is not None else None,
                "texts": q.texts,
            }
            for q in r.questions
        ],
    }


@router.get("/answer/{token}", response=SurveyDetailOut, auth=None)
def questionnaire(request, token: str):
    """The questionnaire a personal link opens."""
    respondent = selectors.respondent_by_token(token)
    if respondent is None or respondent.survey.status == "draft":
        raise Http404
    return _detail(respondent.survey)


@router.post("/answer/{token}", response={200: ReceiptOut, 201: ReceiptOut}, auth=None)
def answer(request, token: str, payload: AnswersIn):
    respondent = selectors.respondent_by_token(token)
    if respondent is None or respondent.survey.status == "draft":
        raise Http404
    response, created = services.submit_with_token(token=token, data=payload.answers)
    body = {"response_id": response.pk, "created": created, "submitted_at": response.submitted_at}
    return Status(201 if created else 200, body)
