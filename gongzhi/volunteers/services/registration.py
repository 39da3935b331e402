"""Registering volunteers and forming teams."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, pii
from gongzhi.org.models import Neighborhood
from gongzhi.volunteers import availability
from gongzhi.volunteers.models import (
    Balance,
    Volunteer,
    VolunteerTeam,
)
from gongzhi.volunteers.services.common import clean_skills, require_create


@transaction.atomic
def register_volunteer(
    *,
    actor,
    neighborhood: Neighborhood,
    name: str,
    kind: str = Volunteer.Kind.RESIDENT,
    skills: str = "",
    phone: str = "",
    availability: str = "",
    max_shifts: int = 2,
    reserve: bool = False,
    call_ups_opt_out: bool = False,
    **links,
) -> Volunteer:
    """A volunteer in the neighborhood; links name the resident, party member, partner unit or user they are."""
    require_create(actor, Volunteer, neighborhood)
    try:
        phone = pii.validate_phone(phone) if phone else ""
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    for field, linked in links.items():
        _require_linked_in_area(field, linked, neighborhood)
    volunteer = Volunteer(
        neighborhood=neighborhood,
        name=(name or "").strip(),
        kind=kind,
        skills=clean_skills(skills),
        phone=phone,
        availability=_availability(availability),
        max_shifts=max_shifts,
        reserve=bool(reserve),
        call_ups_opt_out=bool(call_ups_opt_out),
        **links,
    )
    volunteer.full_clean()
    volunteer.save()
    Balance.objects.create(volunteer=volunteer)
    audit.record(
        "create",
        volunteer,
        actor=actor,
        changes={"kind": kind, "skills": volunteer.skills, "reserve": volunteer.reserve},
    )
    return volunteer


def _availability(text: str) -> str:
    try:
        availability.parse(text)
    except ValueError as exc:
        raise ValidationError(
            {"availability": _("“%(piece)s” is not a time window like 08:00-12:00.") % {"piece": exc.args[0]}}
        ) from None
    return ", ".join(p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip())


def _require_linked_in_area(field: str, linked, neighborhood: Neighborhood) -> None:
    """A linked resident or partner unit must belong to the volunteer's subdistrict."""
    if linked is None:
        return
    if field == "resident":
        subdistrict = linked.household.neighborhood.subdistrict_id if linked.household_id else None
    elif field == "party_member":
        subdistrict = linked.party_org.subdistrict_id
    elif field == "partner_unit":
        subdistrict = linked.subdistrict_id
    elif field == "team":
        if linked.neighborhood_id != neighborhood.pk:
            raise ValidationError({"team": _("The team belongs to another neighborhood.")})
        return
    else:
        return
    if subdistrict is not None and subdistrict != neighborhood.subdistrict_id:
        raise ValidationError({field: _("Not in this subdistrict.")})


@transaction.atomic
def create_team(*, actor, neighborhood: Neighborhood, name: str, chief=None) -> VolunteerTeam:
    require_create(actor, VolunteerTeam, neighborhood)
    team = VolunteerTeam(neighborhood=neighborhood, name=(name or "").strip(), chief=chief)
    team.full_clean()
    team.save()
    audit.record("create", team, actor=actor)
    return team
