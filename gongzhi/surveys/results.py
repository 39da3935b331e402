"""Results of a survey: counts and percentages per option, scale mean and distribution, text answers
(masked), response rate; and the xlsx workbook of summary plus raw answers."""

import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.logging import mask_text
from gongzhi.surveys.models import Answer, Question, Response, Survey


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    rows: list[dict] = field(default_factory=list)  # {label, count, percent}
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)

    def chart(self) -> dict:
        return {
            "labels": [r["label"] for r in self.rows],
            "values": [r["count"] for r in self.rows],
            "kind": "pie" if self.question.kind == Question.Kind.SINGLE and len(self.rows) <= 6 else "bar",
            "unit": _("people"),
        }


@dataclass
class SurveyResult:
    responses: int
    invited: int
    invited_answered: int
    open_answers: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.invited_answered, self.invited)


def tally(survey: Survey) -> SurveyResult:
    questions = list(survey.questions.order_by("position"))
    by_question: dict[int, list[Answer]] = {q.pk: [] for q in questions}
    for a in Answer.objects.filter(response__survey=survey).only("question_id", "choices", "number", "text"):
        by_question.setdefault(a.question_id, []).append(a)
    responses = Response.objects.filter(survey=survey)
    out = []
    for q in questions:
        answers = by_question[q.pk]
        r = QuestionResult(q, answered=len(answers))
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts = Counter(i for a in answers for i in a.choices)
            r.rows = [
                {"label": label, "count": counts[i], "percent": percent(counts[i], len(answers))}
                for i, label in enumerate(q.options)
            ]
        elif q.kind == Question.Kind.SCALE:
            counts = Counter(a.number for a in answers)
            r.rows = [
                {"label": str(v), "count": counts[v], "percent": percent(counts[v], len(answers))}
                for v in q.scale_values
            ]
            if answers:
                total = sum(a.number for a in answers)
                r.mean = (Decimal(total) / len(answers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        else:
            r.texts = [mask_text(a.text) for a in answers]
        out.append(r)
    return SurveyResult(
        responses=responses.count(),
        invited=survey.respondents.count(),
        invited_answered=responses.filter(respondent__isnull=False).count(),
        open_answers=responses.filter(respondent__isnull=True).count(),
        questions=out,
    )


def _cell(q: Question, a: Answer | None) -> str | int:
    if a is None:
        return ""
    if q.kind == Question.Kind.SCALE:
        return a.number
    if q.kind == Question.Kind.TEXT:
        return mask_text(a.text)
    return "；".join(q.options[i] for i in a.choices)


def export_workbook(survey: Survey) -> bytes:
    from openpyxl.styles import Font

    from gongzhi.core import sheets

    result = tally(survey)
    book = sheets.workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    bold = Font(bold=True)
    summary.append([survey.title])
    summary["A1"].font = bold
    summary.append([_("Responses"), result.responses])
    summary.append([_("people asked"), result.invited])
    summary.append(
        [_("Response rate (%)"), float(result.response_rate) if result.response_rate is not None else ""]
    )
    summary.append([_("Open-link answers"), result.open_answers])
    for r in result.questions:
        summary.append([])
        summary.append([f"{r.question.position}. {r.question.text}", _("answered"), r.answered])
        summary.cell(summary.max_row, 1).font = bold
        if r.rows:
            summary.append([_("Option"), _("Count"), _("Percent (%)")])
            for row in r.rows:
                summary.append(
                    [row["label"], row["count"], float(row["percent"]) if row["percent"] is not None else ""]
                )
        if r.mean is not None:
            summary.append([_("Mean"), float(r.mean)])
        for text in r.texts:
            summary.append([text])
    summary.column_dimensions["A"].width = 48

    raw = book.create_sheet(_("Raw answers")[:31])
    questions = [r.question for r in result.questions]
    raw.append(
        [_("Response"), _("Submitted at"), _("Channel")] + [f"{q.position}. {q.text}" for q in questions]
    )
    answers: dict[int, dict[int, Answer]] = {}
    for a in Answer.objects.filter(response__survey=survey):
        answers.setdefault(a.response_id, {})[a.question_id] = a
    channel = {True: _("personal link"), False: _("open link")}
    for n, resp in enumerate(Response.objects.filter(survey=survey).order_by("submitted_at", "pk"), start=1):
        mine = answers.get(resp.pk, {})
        raw.append(
            [
                n,
                timezone.localtime(resp.submitted_at).strftime("%Y-%m-%d %H:%M"),
                channel[resp.respondent_id is not None],
            ]
            + [_cell(q, mine.get(q.pk)) for q in questions]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
