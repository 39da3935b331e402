"""Micro-wishes: posting, claiming and confirming."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import WRITE, require
from gongzhi.core.separation import require_second_person
from gongzhi.notifications import services as notify_services
from gongzhi.org.models import Neighborhood
from gongzhi.volunteers.models import (
    MicroWish,
)
from gongzhi.volunteers.services.common import require_create


def _require_post(actor, neighborhood: Neighborhood, household=None, building=None) -> None:
    """Refuse posting where the actor may not: a household's wish needs the right on that household's
    place (a grid chief's grid, a party group chief's stairwell), any other the neighborhood's."""
    if household is not None:
        path = permissions.household_path(household)
    elif building is not None:
        path = {
            "subdistrict": neighborhood.subdistrict_id,
            "neighborhood": neighborhood.pk,
            "micro_grid": building.micro_grid_id,
            "compound": building.compound_id,
            "building": building.pk,
        }
    else:
        require_create(actor, MicroWish, neighborhood)
        return
    if permissions.can_create(actor, MicroWish, path):
        return
    if household is not None and permissions.can(actor, household):
        raise PermissionDenied(_("You may not post wishes for this household."))
    require_create(actor, MicroWish, neighborhood)


@transaction.atomic
def post_wish(
    *,
    actor,
    neighborhood: Neighborhood,
    title: str,
    description: str = "",
    resident=None,
    wisher_name: str = "",
    building=None,
) -> MicroWish:
    """A worker posts a wish for a resident in their area, or a resident posts their own."""
    own = getattr(actor, "resident", None) if getattr(actor, "is_authenticated", False) else None
    if own is not None and (resident is None or resident.pk == own.pk) and own.household_id:
        resident = own
        if own.household.neighborhood_id != neighborhood.pk:
            raise NotInScope(_("No such neighborhood in your area."))
    else:
        household = resident.household if resident is not None and resident.household_id else None
        _require_post(actor, neighborhood, household, building)
    if resident is not None:
        wisher_name = wisher_name or resident.name
        if building is None and resident.household_id:
            building = resident.household.building
    wish = MicroWish(
        neighborhood=neighborhood,
        building=building,
        resident=resident,
        wisher_name=(wisher_name or "").strip(),
        title=(title or "").strip(),
        description=(description or "").strip(),
        posted_by=actor,
    )
    if building is not None and building.neighborhood_id != neighborhood.pk:
        raise ValidationError({"building": _("The building is not in this neighborhood.")})
    wish.full_clean()
    wish.save()
    audit.record("create", wish, actor=actor, changes={"title": wish.title})
    return wish


def liaison_units(actor) -> set[int]:
    """The partner units the actor speaks for (their partner-unit liaison roles)."""
    return {a.partner_unit_id for a in permissions.assignments_of(actor) if a.role == "partner_liaison"}


def _speaks_for(actor, wish: MicroWish, partner_unit) -> bool:
    """A partner unit's own liaison claims as that unit, for wishes of its subdistrict."""
    return (
        partner_unit is not None
        and partner_unit.pk in liaison_units(actor)
        and partner_unit.subdistrict_id == wish.neighborhood.subdistrict_id
    )


def _may_claim_for(actor, wish: MicroWish, party_member, partner_unit) -> bool:
    if permissions.can(actor, wish, WRITE):
        return True
    volunteer = getattr(actor, "volunteer", None) if getattr(actor, "is_authenticated", False) else None
    if party_member is not None and volunteer is not None and volunteer.party_member_id == party_member.pk:
        return True
    return _speaks_for(actor, wish, partner_unit) or (
        partner_unit is not None and permissions.can(actor, partner_unit, WRITE)
    )


def claim_wish(*, actor, wish: MicroWish, party_member=None, partner_unit=None) -> MicroWish:
    """A party member or partner unit takes the wish on. Of several claiming at once exactly one
    wins: the claim is a conditional UPDATE on an open wish."""
    if (party_member is None) == (partner_unit is None):
        raise ValidationError({"claimer": _("Name one party member or one partner unit.")})
    if not permissions.can(actor, wish, permissions.READ) and not _may_claim_for(
        actor, wish, party_member, partner_unit
    ):
        raise NotInScope(_("No such record in your area."))
    if not _may_claim_for(actor, wish, party_member, partner_unit):
        raise PermissionDenied(_("You may not claim for them."))
    with transaction.atomic():
        won = MicroWish.objects.filter(pk=wish.pk, status=MicroWish.Status.OPEN).update(
            status=MicroWish.Status.CLAIMED,
            claimed_by_member=party_member,
            claimed_by_unit=partner_unit,
            claimed_at=timezone.now(),
            claimed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if not won:
            raise ValidationError({"status": _("This wish has already been claimed.")})
        wish.refresh_from_db()
        audit.record("update", wish, actor=actor, changes={"status": "claimed", "claimer": wish.claimer})
        transaction.on_commit(lambda: _tell_about_claim(wish))
    return wish


def _tell_about_claim(wish: MicroWish) -> None:
    """The poster hears who claimed; the resident gets the link to confirm it came true."""
    subject = _("Micro-wish claimed: %(title)s") % {"title": wish.title}
    body = _("%(claimer)s will fulfil it.") % {"claimer": wish.claimer}
    _tell(wish, subject, body, poster_key="claimed", resident_key="confirm")


def _tell(wish: MicroWish, subject: str, body: str, *, poster_key: str, resident_key: str) -> None:
    """The poster in their inbox; the resident in theirs, or by SMS without an account, with the
    link to confirm. Keys per wish and step: a step told twice sends nothing new."""
    notify_services.notify_user(
        wish.posted_by,
        key=f"wish:{wish.pk}:{poster_key}",
        subject=subject,
        body=body,
        link=reverse("volunteers:wishes"),
    )
    resident = wish.resident
    if resident is None:
        return
    link = notify_services.outside_link(reverse("volunteers:wish_confirm_link", args=[wish.confirm_token]))
    if resident.user_id and resident.user_id != wish.posted_by_id:
        notify_services.notify_user(
            resident.user, key=f"wish:{wish.pk}:{resident_key}", subject=subject, body=body, link=link
        )
    elif resident.phone and not resident.user_id:
        notify_services.send(
            key=f"wish:{wish.pk}:{resident_key}/sms",
            channel="sms",
            address=resident.phone,
            subject=subject,
            body=f"{body} {link}",
            link=link,
        )


def _is_claimer(actor, wish: MicroWish) -> bool:
    """The claimer's own account: the unit's liaison, or the party member's volunteer account."""
    if wish.claimed_by_unit_id and wish.claimed_by_unit_id in liaison_units(actor):
        return True
    volunteer = getattr(actor, "volunteer", None) if getattr(actor, "is_authenticated", False) else None
    return bool(
        wish.claimed_by_member_id and volunteer and volunteer.party_member_id == wish.claimed_by_member_id
    )


@transaction.atomic
def deliver_wish(*, actor, wish: MicroWish) -> MicroWish:
    """The claimer says the wish is done (a partner unit from its own account, or a worker for the
    claimer); the resident is asked to confirm. Saying it twice changes nothing."""
    if not _is_claimer(actor, wish):
        require(actor, wish)
    wish = MicroWish.objects.select_for_update().get(pk=wish.pk)
    if wish.status != MicroWish.Status.CLAIMED:
        raise ValidationError({"status": _("Only a claimed wish can be reported done.")})
    if wish.delivered_at is not None:
        return wish
    wish.delivered_at = timezone.now()
    wish.save(update_fields=["delivered_at"])
    audit.record("update", wish, actor=actor, changes={"delivered": True})
    transaction.on_commit(lambda: _tell_about_delivery(wish))
    return wish


def _tell_about_delivery(wish: MicroWish) -> None:
    subject = _("Micro-wish done: %(title)s") % {"title": wish.title}
    body = _("%(claimer)s says your wish is fulfilled. Please confirm.") % {"claimer": wish.claimer}
    _tell(wish, subject, body, poster_key="delivered", resident_key="done")


@transaction.atomic
def confirm_wish(*, actor=None, wish: MicroWish | None = None, token: str = "") -> MicroWish:
    """The resident confirms from their link (token), or a worker of the area confirms."""
    if token:
        wish = MicroWish.objects.select_for_update().filter(confirm_token=token).first()
        if wish is None:
            raise NotInScope(_("This link is not valid."))
    else:
        require(actor, wish)
        wish = MicroWish.objects.select_for_update().get(pk=wish.pk)
    if wish.status == MicroWish.Status.FULFILLED:
        return wish
    if wish.status != MicroWish.Status.CLAIMED:
        raise ValidationError({"status": _("Only a claimed wish can be confirmed fulfilled.")})
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if authenticated:
        # Whoever recorded the claim does not also confirm the wish came true (the resident's
        # link, used signed out, is the resident's own confirmation).
        require_second_person(wish.claimed_by_id, actor, step=_("Confirming a wish fulfilled"))
    wish.status, wish.fulfilled_at = MicroWish.Status.FULFILLED, timezone.now()
    wish.confirmed_by = actor if authenticated else None
    wish.save(update_fields=["status", "fulfilled_at", "confirmed_by"])
    audit.record("update", wish, actor=actor, changes={"status": "fulfilled", "by_link": bool(token)})
    return wish
