"""surveys' share of a person's data (core.personal_data): the survey lists they are on, and on
deletion their name and phone on those lists (the answers stay for the statistics)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.core.personal_data import Holding, Part, Section, hold, local, register
from gongzhi.surveys.models import Respondent


def entries_of_person(user, resident) -> QuerySet[Respondent]:
    """Survey lists the person is on: drawn from the register, or imported with their phone."""
    match = Q(resident=resident) if resident is not None else Q(pk__in=[])
    phones = {p for p in (user.phone, getattr(resident, "phone", "")) if p}
    if phones:
        match |= Q(phone_digest__in=[Respondent.digest_of(p) for p in phones])
    return Respondent.objects.filter(match)


def surveys_section(user, resident) -> Section:
    rows = []
    listed = entries_of_person(user, resident).select_related("survey", "response").order_by("-created_at")
    for r in listed[:200]:
        answered = getattr(r, "response", None) is not None
        taking_part = _("answered") if answered else _("not answered")
        rows.append(
            [local(r.created_at), r.survey.title, r.name, pii.mask_phone(r.phone), r.note, taking_part]
        )
    columns = [_("Listed"), _("Survey"), _("Name"), _("Phone"), _("Note"), _("Taking part")]
    return Section("surveys", _("Surveys you were asked to answer"), columns, rows)


def erase_contacts(user, resident) -> dict[str, int]:
    return {
        "survey_respondents": entries_of_person(user, resident).update(phone="", phone_digest="", name="")
    }


register(Part("surveys", 90, surveys_section, erase_contacts))

hold(
    Holding(
        "surveys.Respondent",
        ("name", "phone", "phone_digest", "resident"),
        lambda user, resident: entries_of_person(user, resident).exclude(name="", phone=""),
    )
)
