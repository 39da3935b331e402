"""Every read of surveys, already scoped to the caller."""

from django.db.models import Count, Q, QuerySet

from gongzhi.core.permissions import WRITE, scoped
from gongzhi.org.models import Compound, Neighborhood
from gongzhi.surveys.models import Question, Respondent, Survey


def surveys_visible_to(user) -> QuerySet[Survey]:
    return (
        scoped(user, Survey.objects.all())
        .select_related("neighborhood", "compound")
        .annotate(
            invited=Count("respondents", distinct=True),
            answered=Count("responses", distinct=True),
        )
    )


def surveys_writable_by(user) -> QuerySet[Survey]:
    return scoped(user, Survey.objects.all(), WRITE)


def neighborhoods_for_new_survey(user) -> QuerySet[Neighborhood]:
    """Neighborhoods the user may create a survey in: those where their role writes surveys."""
    if getattr(user, "is_superuser", False):
        return Neighborhood.objects.all()
    from gongzhi.core.permissions import assignments_of
    from gongzhi.core.roles import ROLES

    q = Q(pk__in=[])
    for a in assignments_of(user):
        role = ROLES[a.role]
        if "survey" not in role.write:
            continue
        if role.unit_kind == "neighborhood":
            q |= Q(pk=a.unit_id)
        elif role.unit_kind == "subdistrict":
            q |= Q(subdistrict_id=a.unit_id)
    return Neighborhood.objects.filter(q).order_by("code")


def compounds_for_new_survey(user) -> QuerySet[Compound]:
    return Compound.objects.filter(neighborhood__in=neighborhoods_for_new_survey(user)).order_by(
        "neighborhood__code", "name"
    )


def questions_of(survey: Survey) -> QuerySet[Question]:
    """The questions of a survey the caller already reached through a scoped selector or a token."""
    return survey.questions.order_by("position")


def respondents_of(user, survey: Survey, q: str = "") -> QuerySet[Respondent]:
    """The survey's respondents the user may read; `q` finds them by name, note (a household's
    respondent is named by its building and room) or whole phone number (phones are stored encrypted: matched by digest)."""
    qs = scoped(user, Respondent.objects.filter(survey=survey)).select_related("response").order_by("pk")
    q = (q or "").strip()[:64]
    if q:
        match = Q(name__icontains=q) | Q(note__icontains=q)
        digits = "".join(c for c in q if c.isascii() and c.isdigit())
        if len(digits) == 11:
            match |= Q(phone_digest=Respondent.digest_of(digits))
        qs = qs.filter(match)
    return qs


def respondent_by_token(token: str) -> Respondent | None:
    return Respondent.objects.select_related("survey", "response").filter(token=token).first()


def survey_by_open_token(token: str) -> Survey | None:
    return Survey.objects.filter(open_token=token, open_link=True).first()


def surveys_of_project(user, project) -> QuerySet[Survey]:
    return surveys_visible_to(user).filter(project=project).order_by("-created_at")


def projects_visible_to(user):
    from gongzhi.projects.models import Project

    return scoped(user, Project.objects.all()).select_related("neighborhood").order_by("-pk")


def projects_for_new_survey(user):
    return projects_visible_to(user).filter(neighborhood__in=neighborhoods_for_new_survey(user))


def attachable_surveys(user, project) -> QuerySet[Survey]:
    """Surveys of the project's neighborhood the user may change and that study no project yet."""
    return surveys_writable_by(user).filter(neighborhood_id=project.neighborhood_id, project__isnull=True)


def project_panel(user, project) -> dict:
    """What the project page's survey panel shows to this user."""
    from gongzhi.core.permissions import can_create

    path = {"subdistrict": project.neighborhood.subdistrict_id, "neighborhood": project.neighborhood_id}
    may_create = can_create(user, Survey, path)
    return {
        "surveys": list(surveys_of_project(user, project)),
        "may_create": may_create,
        "attachable": list(attachable_surveys(user, project)[:50]) if may_create else [],
    }


def may_change(user, survey: Survey) -> bool:
    return surveys_writable_by(user).filter(pk=survey.pk).exists()
