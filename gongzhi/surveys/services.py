"""Every write of surveys: permission, validation, transaction, audit."""

import csv
import io
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import audit, pii, uploads
from gongzhi.core.errors import NotInScope, PermissionDenied
from gongzhi.core.permissions import READ, can, can_create, require
from gongzhi.org.models import Compound, Household, Neighborhood, Resident
from gongzhi.surveys import results
from gongzhi.surveys.models import Answer, Question, Respondent, Response, Survey

MAX_OPTIONS = 20
MAX_TEXT = 2000
MAX_IMPORT_ROWS = 5000
NAME_HEADERS = {"name", "姓名"}
PHONE_HEADERS = {"phone", "手机", "手机号", "电话", "联系电话"}
NOTE_HEADERS = {"note", "备注", "单位", "平台"}
# What a reader who may not change a survey is told (core.permissions.require answers the rest).
NOT_YOURS = gettext_lazy("You may not change this survey.")


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Questions can only change while the survey is a draft."))


# ---------------------------------------------------------------- surveys and questions


@transaction.atomic
def create_survey(
    *,
    actor,
    neighborhood: Neighborhood,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    target: str,
    intro: str = "",
    compound: Compound | None = None,
    open_link: bool = False,
    elderly_age: int = 60,
    project=None,
) -> Survey:
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    if not can_create(actor, Survey, path):
        raise PermissionDenied(_("You may not create surveys here."))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("A title is required.")
    if target not in Survey.Target.values:
        errors["target"] = _("Choose a target group.")
    if target == Survey.Target.COMPOUND and (compound is None or compound.neighborhood_id != neighborhood.pk):
        errors["compound"] = _("Choose a compound of this neighborhood.")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    if not 40 <= int(elderly_age or 0) <= 100:
        errors["elderly_age"] = _("The elderly age must be between 40 and 100.")
    if project is not None:
        errors.update(_project_errors(actor, project, neighborhood))
    if errors:
        raise ValidationError(errors)
    survey = Survey.objects.create(
        neighborhood=neighborhood,
        title=title[:120],
        intro=intro or "",
        opens_at=opens_at,
        closes_at=closes_at,
        target=target,
        compound=compound if target == Survey.Target.COMPOUND else None,
        open_link=open_link or target == Survey.Target.OPEN,
        elderly_age=elderly_age,
        project=project,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record("create", survey, actor=actor, summary=_("survey %(title)s") % {"title": survey.title})
    return survey


def _project_errors(actor, project, neighborhood: Neighborhood) -> dict[str, str]:
    if not can(actor, project, READ):
        raise NotInScope(_("Not found."))
    if project.neighborhood_id != neighborhood.pk:
        return {"project": _("The project belongs to another neighborhood.")}
    return {}


@transaction.atomic
def attach_to_project(*, actor, survey: Survey, project) -> Survey:
    """Make the survey the needs study of `project` (or of none, with project=None)."""
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if project is not None:
        errors = _project_errors(actor, project, survey.neighborhood)
        if errors:
            raise ValidationError(errors)
    if survey.project_id != getattr(project, "pk", None):
        survey.project = project
        survey.save(update_fields=["project"])
        audit.record(
            "update",
            survey,
            actor=actor,
            summary=_("survey attached to project %(project)s") % {"project": getattr(project, "pk", None)},
        )
    return survey


def _clean_options(kind: str, options) -> list[str]:
    if isinstance(options, str):
        options = options.splitlines()
    cleaned = [str(o).strip()[:100] for o in options or [] if str(o).strip()]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if len(cleaned) < 2:
            raise ValidationError({"options": _("A choice question needs at least two options.")})
        if len(cleaned) > MAX_OPTIONS:
            raise ValidationError({"options": _("At most 20 options.")})
        if len(set(cleaned)) != len(cleaned):
            raise ValidationError({"options": _("Options must differ from each other.")})
        return cleaned
    return []


@transaction.atomic
def add_question(
    *, actor, survey: Survey, kind: str, text: str, options=None, required: bool = True, scale_max: int = 5
) -> Question:
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_draft(survey)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The question text is required.")})
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose a question kind.")})
    scale_max = int(scale_max or 5)
    if kind == Question.Kind.SCALE and scale_max not in (5, 10):
        raise ValidationError({"scale_max": _("A scale runs 1–5 or 0–10.")})
    position = (survey.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    question = Question.objects.create(
        survey=survey,
        position=position,
        kind=kind,
        text=text[:300],
        required=bool(required),
        options=_clean_options(kind, options),
        scale_min=0 if scale_max == 10 else 1,
        scale_max=scale_max if kind == Question.Kind.SCALE else 5,
    )
    audit.record(
        "create",
        question,
        actor=actor,
        summary=_("question %(n)s of survey %(survey)s") % {"n": position, "survey": survey.pk},
    )
    return question


@transaction.atomic
def move_question(*, actor, question: Question, up: bool) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    require(actor, survey, denied=NOT_YOURS)
    _require_draft(survey)
    ordered = list(survey.questions.order_by("position"))
    i = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(ordered):
        return
    ordered[i], ordered[j] = ordered[j], ordered[i]
    _renumber(ordered)
    audit.record(
        "update", question, actor=actor, summary=_("question moved up") if up else _("question moved down")
    )


def _renumber(ordered: list[Question]) -> None:
    # Two passes so that the unique (survey, position) never sees two equal positions.
    for offset, items in ((1000, ordered), (0, ordered)):
        for n, q in enumerate(items, start=1):
            Question.objects.filter(pk=q.pk).update(position=n + offset)


@transaction.atomic
def delete_question(*, actor, question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    require(actor, survey, denied=NOT_YOURS)
    _require_draft(survey)
    audit.record(
        "delete", question, actor=actor, summary=_("question %(text)s") % {"text": question.text[:40]}
    )
    question.delete()
    _renumber(list(survey.questions.order_by("position")))


# ---------------------------------------------------------------- target group


def _rows_of(upload) -> list[list[str]]:
    """Rows of an uploaded xlsx or csv, its type taken from its bytes (core.uploads: size limit,
    zip entry count and unpacked size checked before openpyxl sees it), never from its name."""
    try:
        found, content = uploads.check(upload, "ledger")
    except uploads.UploadRejected as exc:
        raise ValidationError({"file": exc.messages}) from None
    if found is uploads.XLSX:
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001  (any unreadable workbook is the same answer to the user)
            raise ValidationError({"file": _("The file is not a readable xlsx workbook.")}) from None
        sheet = book.worksheets[0]
        return [
            ["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": _("The CSV file is neither UTF-8 nor GB18030 text.")})
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _column(header: list[str], names: set[str]) -> int | None:
    for i, h in enumerate(header):
        if h.strip().lower() in names:
            return i
    return None


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) else ""


def parse_respondent_file(upload) -> list[dict]:
    """Rows {name, phone, note} of an xlsx/csv list with a header row; every bad row is named."""
    rows = [r for r in _rows_of(upload) if any(r)]
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    header = rows[0]
    name_col, phone_col, note_col = (_column(header, s) for s in (NAME_HEADERS, PHONE_HEADERS, NOTE_HEADERS))
    if name_col is None or phone_col is None:
        raise ValidationError({"file": _("The first row must name the columns 姓名 and 手机.")})
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationError({"file": _("At most 5000 rows per file.")})
    people, errors, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        name, phone, note = (_cell(row, c) for c in (name_col, phone_col, note_col))
        if not name:
            errors.append(_("Row %(row)s: the name is empty.") % {"row": number})
            continue
        try:
            phone = pii.validate_phone(phone.removesuffix(".0"))
        except ValidationError:
            errors.append(
                _("Row %(row)s: %(phone)s is not an 11-digit mobile number.")
                % {"row": number, "phone": phone or "—"}
            )
            continue
        if phone in seen:
            errors.append(
                _("Row %(row)s: the phone repeats row %(first)s.") % {"row": number, "first": seen[phone]}
            )
            continue
        seen[phone] = number
        people.append({"name": name[:64], "phone": phone, "note": note[:64]})
    if errors:
        raise ValidationError(errors)
    return people


@transaction.atomic
def import_respondents(*, actor, survey: Survey, upload) -> tuple[int, int]:
    """All or nothing. Returns (added, already there): re-importing the same list adds no one.
    `upload` is the uploaded file (anything with read(), and a name for the audit record)."""
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.target != Survey.Target.CUSTOM:
        raise ValidationError({"file": _("Only a survey for a custom list imports people.")})
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError({"file": _("The survey is closed.")})
    people = parse_respondent_file(upload)
    filename = Path(getattr(upload, "name", "") or "").name
    existing = set(survey.respondents.values_list("phone_digest", flat=True))
    added = []
    for person in people:
        item = Respondent(survey=survey, name=person["name"], note=person["note"])
        item.set_phone(person["phone"])
        if item.phone_digest not in existing:
            existing.add(item.phone_digest)
            added.append(item)
    Respondent.objects.bulk_create(added)
    audit.record(
        "import",
        survey,
        actor=actor,
        summary=_("%(n)s respondents imported from %(file)s") % {"n": len(added), "file": filename[:60]},
    )
    return len(added), len(people) - len(added)


def _elderly_born_before(survey: Survey) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - survey.elderly_age)
    except ValueError:  # 29 February
        return today.replace(year=today.year - survey.elderly_age, day=28)


def _draw_target(survey: Survey) -> int:
    """Respondents of a compound (one per household) or of the elderly; idempotent."""
    if survey.target == Survey.Target.COMPOUND:
        households = Household.objects.filter(building__compound_id=survey.compound_id)
        taken = set(survey.respondents.values_list("household_id", flat=True))
        rows = []
        for h in households.select_related("building").order_by("building__number", "room"):
            if h.pk in taken:
                continue
            speaker = h.residents.filter(lives_here=True).exclude(phone_digest="").order_by("pk").first()
            rows.append(
                Respondent(survey=survey, household=h, resident=speaker, name=f"{h.building.number} {h.room}")
            )
    elif survey.target == Survey.Target.ELDERLY:
        residents = Resident.objects.filter(
            household__neighborhood_id=survey.neighborhood_id,
            lives_here=True,
            birth_date__lte=_elderly_born_before(survey),
        )
        taken = set(survey.respondents.values_list("resident_id", flat=True))
        rows = [
            Respondent(survey=survey, resident=r, household_id=None, name=r.name)
            for r in residents.order_by("pk")
            if r.pk not in taken
        ]
    else:
        return 0
    Respondent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def publish(*, actor, survey: Survey) -> Survey:
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        return survey  # publishing twice is the same as once
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    if survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The survey's window has already ended.")})
    drawn = _draw_target(survey)
    if survey.target != Survey.Target.OPEN and not survey.open_link and not survey.respondents.exists():
        raise ValidationError(_("The target group is empty: nobody would be asked."))
    survey.status, survey.published_at = Survey.Status.PUBLISHED, timezone.now()
    survey.save(update_fields=["status", "published_at"])
    audit.record(
        "update", survey, actor=actor, summary=_("survey published, %(n)s respondents drawn") % {"n": drawn}
    )
    return survey


@transaction.atomic
def close(*, actor, survey: Survey) -> Survey:
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.CLOSED:
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
        audit.record("update", survey, actor=actor, summary=_("survey closed"))
    return survey


def notify_respondents(*, actor, survey: Survey, link_for, reminder: bool = False) -> int:
    """Send each respondent with a phone who has not answered their personal link (sms; the file
    outbox in development). `link_for(token)` builds the absolute answer URL.

    Idempotent: the first sending has one key per respondent, a reminder one key per respondent
    and day, so pressing the button again sends nothing twice."""
    from gongzhi.notifications.services import send

    require(actor, survey, denied=NOT_YOURS)
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError(_("Only a published survey is sent out."))
    sent, started = 0, timezone.now()
    for r in survey.respondents.select_related("resident").filter(response__isnull=True).order_by("pk"):
        phone = r.phone or (r.resident.phone if r.resident else "")
        if not phone:
            continue
        if reminder and r.notified_at is None:
            continue  # a reminder goes only to those who were sent the link
        if not reminder and r.notified_at is not None:
            continue
        key = f"survey-{survey.pk}-respondent-{r.pk}"
        if reminder:
            key += f"-reminder-{timezone.localdate():%Y%m%d}"
        message = send(
            key=key,
            channel="sms",
            address=phone,
            subject=survey.title,
            body=_("%(title)s: please answer by %(close)s: %(link)s")
            % {
                "title": survey.title,
                "close": timezone.localtime(survey.closes_at).strftime("%m-%d %H:%M"),
                "link": link_for(r.token),
            },
            link=link_for(r.token),
        )
        if reminder:
            sent += message.created_at >= started
        else:
            Respondent.objects.filter(pk=r.pk).update(notified_at=timezone.now())
            sent += 1
    audit.record(
        "notify",
        survey,
        actor=actor,
        summary=(
            _("survey reminders sent to %(n)s respondents")
            if reminder
            else _("survey links sent to %(n)s respondents")
        )
        % {"n": sent},
    )
    return sent


@transaction.atomic
def extend(*, actor, survey: Survey, closes_at) -> Survey:
    """Move the close later (or earlier, but not into the past); a closed survey stays closed."""
    require(actor, survey, denied=NOT_YOURS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("The survey is closed."))
    if closes_at is None or closes_at <= max(survey.opens_at, timezone.now()):
        raise ValidationError({"closes_at": _("The new close must lie in the future and after the opening.")})
    before = survey.closes_at
    survey.closes_at = closes_at
    survey.save(update_fields=["closes_at"])
    audit.record(
        "update",
        survey,
        actor=actor,
        summary=f"survey closes at {timezone.localtime(closes_at):%Y-%m-%d %H:%M} (was {timezone.localtime(before):%Y-%m-%d %H:%M})",
    )
    return survey


# ---------------------------------------------------------------- answering


def clean_answers(survey: Survey, data) -> list[Answer]:
    """Answers from a form's data (`q<id>` → list of strings); every error names its question."""
    answers, errors = [], {}
    for q in survey.questions.order_by("position"):
        raw = (
            [v.strip() for v in data.getlist(q.field_name)]
            if hasattr(data, "getlist")
            else data.get(q.field_name)
        )
        if raw is None:
            raw = []
        if isinstance(raw, (str, int)):
            raw = [str(raw)]
        raw = [str(v).strip() for v in raw if str(v).strip()]
        if not raw:
            if q.required:
                errors[q.field_name] = _("Please answer this question.")
            continue
        try:
            answers.append(_answer(q, raw))
        except ValidationError as exc:
            errors[q.field_name] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return answers


def _answer(q: Question, raw: list[str]) -> Answer:
    if q.kind == Question.Kind.TEXT:
        text = raw[0]
        if len(text) > MAX_TEXT:
            raise ValidationError(_("At most 2000 characters."))
        return Answer(question=q, text=text)
    try:
        numbers = [int(v) for v in raw]
    except ValueError:
        raise ValidationError(_("Choose one of the given answers.")) from None
    if q.kind == Question.Kind.SCALE:
        if len(numbers) != 1 or numbers[0] not in q.scale_values:
            raise ValidationError(
                _("Choose a value from %(lo)s to %(hi)s.") % {"lo": q.scale_min, "hi": q.scale_max}
            )
        return Answer(question=q, number=numbers[0])
    if any(not 0 <= n < len(q.options) for n in numbers) or len(set(numbers)) != len(numbers):
        raise ValidationError(_("Choose one of the given answers."))
    if q.kind == Question.Kind.SINGLE and len(numbers) != 1:
        raise ValidationError(_("Choose only one answer."))
    return Answer(question=q, choices=sorted(numbers))


def _closed_error(survey: Survey) -> ValidationError:
    if survey.status == Survey.Status.PUBLISHED and timezone.now() < survey.opens_at:
        return ValidationError(_("The survey is not open yet."))
    return ValidationError(_("The survey is closed."))


def _store(response: Response, answers: list[Answer]) -> None:
    for a in answers:
        a.response = response
    Answer.objects.bulk_create(answers)


def submit_with_token(*, token: str, data) -> tuple[Response, bool]:
    """A respondent's answers. Returns (response, created); a retry returns the first answer."""
    respondent = Respondent.objects.select_related("survey").filter(token=token).first()
    if respondent is None:
        raise NotInScope(_("Not found."))
    survey = respondent.survey
    existing = Response.objects.filter(respondent=respondent).first()
    if existing:
        return existing, False
    if not survey.is_accepting():
        raise _closed_error(survey)
    answers = clean_answers(survey, data)
    try:
        with transaction.atomic():
            # The row lock makes a concurrent second submission wait, then find the first one.
            Respondent.objects.select_for_update().get(pk=respondent.pk)
            existing = Response.objects.filter(respondent=respondent).first()
            if existing:
                return existing, False
            response = Response.objects.create(survey=survey, respondent=respondent)
            _store(response, answers)
            audit.record(
                "create",
                response,
                actor=None,
                summary=_("survey %(survey)s answered by a respondent") % {"survey": survey.pk},
            )
    except IntegrityError:
        return Response.objects.get(respondent=respondent), False
    return response, True


def client_digest(ip: str) -> str:
    return pii.blind_index("survey-client", ip or "unknown")


def submit_open(*, open_token: str, data, submission_key: str, client_ip: str) -> tuple[Response, bool]:
    """An anonymous answer through the open link, at most `open_limit_per_hour` per client."""
    survey = Survey.objects.filter(open_token=open_token, open_link=True).first()
    if survey is None:
        raise NotInScope(_("Not found."))
    key = (submission_key or "").strip()[:64]
    if len(key) < 16:
        raise ValidationError(_("The form has expired; please reload the page."))
    existing = Response.objects.filter(survey=survey, submission_key=key).first()
    if existing:
        return existing, False
    if not survey.is_accepting():
        raise _closed_error(survey)
    answers = clean_answers(survey, data)
    digest = client_digest(client_ip)
    try:
        with transaction.atomic():
            Survey.objects.select_for_update().get(pk=survey.pk)  # serialises the rate count
            hour_ago = timezone.now() - timezone.timedelta(hours=1)
            recent = Response.objects.filter(survey=survey, client_digest=digest, submitted_at__gte=hour_ago)
            if recent.count() >= survey.open_limit_per_hour:
                raise ValidationError(_("Too many answers from this device; please try again in an hour."))
            response = Response.objects.create(survey=survey, submission_key=key, client_digest=digest)
            _store(response, answers)
            audit.record(
                "create",
                response,
                actor=None,
                summary=_("survey %(survey)s answered by the open link") % {"survey": survey.pk},
            )
    except IntegrityError:
        return Response.objects.get(survey=survey, submission_key=key), False
    return response, True


# ---------------------------------------------------------------- export


def export_xlsx(*, actor, survey: Survey) -> bytes:
    """Summary and raw answers. They hold no names or phones (a row is not linked to its person and
    phones or ID numbers typed into text answers are masked), so reading the survey is enough."""
    require(actor, survey, READ)
    data = results.export_workbook(survey)
    with transaction.atomic():
        audit.record(
            "export",
            survey,
            actor=actor,
            summary=_("survey %(survey)s answers exported") % {"survey": survey.pk},
        )
    return data
