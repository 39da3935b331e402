"""Household stars, the honour roll, temporary branches and squads."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions, pii
from gongzhi.core.permissions import require
from gongzhi.org.models import Neighborhood, PartyOrg
from gongzhi.volunteers.models import (
    Emergency,
    EmergencySquad,
    HonourRollEntry,
    HouseholdRating,
    Volunteer,
)
from gongzhi.volunteers.services.common import require_create


def household_stars(volunteer: Volunteer) -> int:
    """Stars of the household the volunteer lives in (0 when unrated or not a registered resident)."""
    resident = volunteer.resident
    if resident is None or resident.household_id is None:
        return 0
    rating = HouseholdRating.objects.filter(household_id=resident.household_id).first()
    return rating.stars if rating else 0


@transaction.atomic
def rate_household(*, actor, household, stars, reason: str) -> HouseholdRating:
    require_create(actor, HouseholdRating, household.neighborhood)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if stars not in HouseholdRating.Stars.values:
        raise ValidationError({"stars": _("Rate 1, 2 or 3 stars.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why.")})
    rating, _created = HouseholdRating.objects.update_or_create(
        household=household, defaults={"stars": stars, "reason": reason.strip()[:255], "rated_by": actor}
    )
    audit.record("update", rating, actor=actor, changes={"stars": stars})
    return rating


@transaction.atomic
def remove_household_rating(*, actor, household, reason: str) -> bool:
    """Take a household's stars away (摘星); False when it had none. The reason goes to the audit
    log; property.community keeps the reviewed history."""
    require_create(actor, HouseholdRating, household.neighborhood)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why.")})
    rating = HouseholdRating.objects.select_for_update().filter(household=household).first()
    if rating is None:
        return False
    audit.record("delete", rating, actor=actor, reason=reason.strip(), changes={"stars": rating.stars})
    rating.delete()
    return True


@transaction.atomic
def add_to_honour_roll(
    *,
    actor,
    neighborhood: Neighborhood,
    period: str,
    reason: str,
    household=None,
    volunteer=None,
    partner_unit=None,
) -> HonourRollEntry:
    """Put a household (shown by building and room), a volunteer (masked name) or a shop or
    partner unit on the public honour roll of a period. Listing one twice changes nothing."""
    require_create(actor, HonourRollEntry, neighborhood)
    chosen = [x for x in (household, volunteer, partner_unit) if x is not None]
    if len(chosen) != 1:
        raise ValidationError({"kind": _("Name one household, volunteer or partner unit.")})
    if household is not None:
        kind, shown = HonourRollEntry.Kind.HOUSEHOLD, f"{household.building.number} {household.room}"
    elif volunteer is not None:
        kind, shown = HonourRollEntry.Kind.VOLUNTEER, pii.mask_name(volunteer.name)
    else:
        kind, shown = HonourRollEntry.Kind.SHOP, partner_unit.name
    if not (period or "").strip() or not (reason or "").strip():
        raise ValidationError(
            {"period" if not (period or "").strip() else "reason": _("This field is required.")}
        )
    entry, created = HonourRollEntry.objects.get_or_create(
        neighborhood=neighborhood,
        period=period.strip(),
        kind=kind,
        shown_name=shown,
        defaults={
            "reason": reason.strip()[:255],
            "household": household,
            "volunteer": volunteer,
            "partner_unit": partner_unit,
            "created_by": actor,
        },
    )
    if created:
        audit.record("create", entry, actor=actor, changes={"period": entry.period, "kind": kind})
    return entry


@transaction.atomic
def form_squad(
    *, actor, emergency: Emergency, kind: str, name: str, leader: Volunteer, members=()
) -> EmergencySquad:
    """Form a temporary party branch (its party organisation is created, branch kind temporary)
    or a squad for the emergency, with its leader and members from the called-up volunteers."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if emergency.status != Emergency.Status.OPEN:
        raise ValidationError(_("This emergency is closed."))
    if kind not in EmergencySquad.Kind.values:
        raise ValidationError({"kind": _("Choose a temporary party branch or a squad.")})
    people = {leader.pk, *(m.pk for m in members)}
    called = set(emergency.answers.filter(volunteer_id__in=people).values_list("volunteer_id", flat=True))
    if called != people:
        raise ValidationError({"members": _("Leader and members must be among those called up.")})
    party_org = None
    if kind == EmergencySquad.Kind.TEMPORARY_BRANCH:
        if leader.party_member_id is None:
            raise ValidationError({"leader": _("A temporary branch is led by a party member.")})
        path = {"subdistrict": emergency.subdistrict_id, "neighborhood": emergency.neighborhood_id}
        if not permissions.can_create(actor, PartyOrg, path):
            raise PermissionDenied(_("You may not set up a party branch here."))
        parent = PartyOrg.objects.filter(
            subdistrict_id=emergency.subdistrict_id,
            neighborhood_id=emergency.neighborhood_id,
            level=PartyOrg.Level.COMMUNITY,
        ).first()
        party_org = PartyOrg.objects.create(
            name=(name or "").strip(),
            level=PartyOrg.Level.BRANCH,
            branch_kind=PartyOrg.BranchKind.TEMPORARY,
            subdistrict_id=emergency.subdistrict_id,
            neighborhood_id=emergency.neighborhood_id,
            parent=parent,
        )
        audit.record(
            "create",
            party_org,
            actor=actor,
            summary=_("temporary branch for %(emergency)s") % {"emergency": emergency},
        )
    squad = EmergencySquad(
        emergency=emergency, kind=kind, name=(name or "").strip(), leader=leader, party_org=party_org
    )
    squad.full_clean()
    squad.save()
    squad.members.set([leader, *members])
    audit.record("create", squad, actor=actor, changes={"kind": kind, "members": len(people)})
    return squad
