"""Every write of visits: the visit itself (linked to the concern it opened, which concerns'
`visit_intake` takes in first), the visit plan's rules, the contact card's hotlines and staff work
phones."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.idempotency import sender_key
from gongzhi.org.models import Household, Neighborhood, SensitiveTag, Subdistrict
from gongzhi.visits.models import Hotline, StaffContact, Visit, VisitRule
from gongzhi.visits.selectors import visit_by_key

# The plan a new subdistrict starts from (the seeds' 暖杨六连心: staff visit every month; the
# elderly living alone weekly).
DEFAULT_RULES = (
    {"kind": VisitRule.Kind.HOUSEHOLD, "every": 1},
    {"kind": VisitRule.Kind.TAGGED, "every": 7, "tag": SensitiveTag.ELDERLY_ALONE},
    {"kind": VisitRule.Kind.STAFF, "every": 20},
)


# ---- visits -------------------------------------------------------------------------------------


def check_visit(*, actor, household: Household, channel: str) -> None:
    """Refuse before anything is written: a household outside the area (404), an area where the
    actor records no visits (403), an unknown channel."""
    if not permissions.can(actor, household):
        raise NotInScope(_("No such household in your area."))
    if not permissions.can_create(actor, Visit, permissions.household_path(household)):
        raise PermissionDenied(_("You may not record visits here."))
    if channel not in Visit.Channel.values:
        raise ValidationError({"channel": _("Choose door, phone or WeChat.")})


def record_visit(
    *,
    actor,
    household: Household,
    channel: str = Visit.Channel.DOOR,
    raised: str = "",
    handled: str = "",
    suggestions: str = "",
    concern=None,
    idempotency_key: str = "",
    visited_at=None,
) -> Visit:
    """One 民情日志 line, linked to the concern it opened if any (concerns' visit_intake opens it).
    A retry with the same idempotency key returns the first visit."""
    if (found := visit_by_key(actor, idempotency_key)) is not None:
        return found
    check_visit(actor=actor, household=household, channel=channel)
    try:
        with transaction.atomic():
            return _save_visit(
                actor,
                household,
                sender_key(str(actor.pk), idempotency_key),
                channel,
                raised,
                handled,
                suggestions,
                concern,
                visited_at,
            )
    except IntegrityError:
        if (found := visit_by_key(actor, idempotency_key)) is not None:
            return found
        raise


def _save_visit(
    actor, household: Household, key, channel, raised, handled, suggestions, concern, visited_at
) -> Visit:
    raised, handled, suggestions = ((v or "").strip() for v in (raised, handled, suggestions))
    visit = Visit(
        subdistrict_id=household.neighborhood.subdistrict_id,
        neighborhood_id=household.neighborhood_id,
        micro_grid_id=household.micro_grid_id,
        building_id=household.building_id,
        household=household,
        worker=actor,
        visited_at=visited_at or timezone.now(),
        channel=channel,
        raised=raised,
        handled=handled,
        suggestions=suggestions,
        concern=concern,
        idempotency_key=key,
    )
    # The foreign keys come from the household found in the actor's area and the actor: checking
    # each exists again cost six queries a visit (a synced batch of 200 is 1,200 of them).
    visit.full_clean(
        exclude=[
            "idempotency_key",
            "concern",
            "subdistrict",
            "neighborhood",
            "micro_grid",
            "building",
            "household",
            "worker",
        ]
    )
    visit.save()
    audit.record(
        "create", visit, actor=actor, changes={"channel": channel, "concern": concern and concern.pk}
    )
    return visit


# ---- the visit plan and the contact card ---------------------------------------------------------


def _check_keeper(actor, subdistrict: Subdistrict) -> None:
    if not permissions.can_create(actor, VisitRule, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict's admin changes the visit plan."))


def save_visit_rule(
    *,
    actor,
    subdistrict: Subdistrict,
    kind: str,
    every,
    tag: str = "",
    role: str = "",
    active: bool = True,
    note: str = "",
) -> VisitRule:
    """Create the rule, or change the one with the same kind, tag and role (one each)."""
    _check_keeper(actor, subdistrict)
    if kind not in VisitRule.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of rule.")})
    try:
        every = int(every)
    except (TypeError, ValueError):
        raise ValidationError({"every": _("Enter a whole number.")}) from None
    tag, role = (tag or "").strip(), (role or "").strip()
    try:
        with transaction.atomic():
            rule = (
                VisitRule.objects.select_for_update()
                .filter(subdistrict=subdistrict, kind=kind, tag=tag, role=role)
                .first()
            )
            created = rule is None
            rule = rule or VisitRule(subdistrict=subdistrict, kind=kind, tag=tag, role=role)
            before = {"every": rule.every, "active": rule.active, "note": rule.note}
            rule.every, rule.active, rule.note, rule.updated_by = (
                every,
                bool(active),
                note.strip()[:200],
                actor,
            )
            # The unique constraint is left to the database: a check here would see a row another
            # keeper committed a moment ago and refuse, where the retry below changes that row.
            rule.full_clean(exclude=["updated_by"], validate_constraints=False)
            rule.save()
            audit.record(
                "create" if created else "update",
                rule,
                actor=actor,
                changes={
                    "kind": kind,
                    "every": every,
                    "tag": tag,
                    "role": role,
                    "active": rule.active,
                    "before": before,
                },
                area=(subdistrict.pk, None),
            )
            return rule
    except IntegrityError:
        # Two keepers saving the same new rule at once: the second one changes the first's row.
        return save_visit_rule(
            actor=actor,
            subdistrict=subdistrict,
            kind=kind,
            every=every,
            tag=tag,
            role=role,
            active=active,
            note=note,
        )


def delete_visit_rule(*, actor, rule: VisitRule) -> None:
    _check_keeper(actor, rule.subdistrict)
    with transaction.atomic():
        audit.record("delete", rule, actor=actor, area=(rule.subdistrict_id, None))
        VisitRule.objects.filter(pk=rule.pk).delete()


def seed_default_rules(*, actor, subdistrict: Subdistrict) -> list[VisitRule]:
    """The default plan, for a subdistrict that has none yet (idempotent)."""
    if VisitRule.objects.filter(subdistrict=subdistrict).exists():
        return list(VisitRule.objects.filter(subdistrict=subdistrict))
    return [save_visit_rule(actor=actor, subdistrict=subdistrict, **rule) for rule in DEFAULT_RULES]


def save_hotline(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    number: str,
    neighborhood: Neighborhood | None = None,
    position=0,
) -> Hotline:
    """A number for the contact card: the subdistrict admin's for everyone, a neighborhood's own
    by its secretary."""
    path = {"subdistrict": subdistrict.pk, "neighborhood": neighborhood.pk if neighborhood else None}
    if neighborhood is not None and neighborhood.subdistrict_id != subdistrict.pk:
        raise NotInScope(_("No such neighborhood in this subdistrict."))
    if not permissions.can_create(actor, Hotline, path) or (
        neighborhood is None and not permissions.can_create(actor, VisitRule, {"subdistrict": subdistrict.pk})
    ):
        raise PermissionDenied(_("You may not change the hotlines here."))
    line = Hotline(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        name=(name or "").strip(),
        number=(number or "").strip(),
        position=position or 0,
    )
    errors = {}
    if not line.name:
        errors["name"] = _("Name the hotline.")
    if not line.number or not all(c.isdigit() or c in "-+ " for c in line.number):
        errors["number"] = _("Enter the number in digits (dashes allowed).")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line.full_clean()
        line.save()
        audit.record("create", line, actor=actor, area=(subdistrict.pk, path["neighborhood"]))
    return line


def delete_hotline(*, actor, hotline: Hotline) -> None:
    if not permissions.can(actor, hotline, permissions.WRITE):
        raise PermissionDenied(_("You may not change the hotlines here."))
    with transaction.atomic():
        audit.record("delete", hotline, actor=actor, area=(hotline.subdistrict_id, hotline.neighborhood_id))
        hotline.delete()


def set_work_phone(
    *, actor, user, subdistrict: Subdistrict, work_phone: str, on_card: bool = True
) -> StaffContact:
    """The work number printed on contact cards for a staff member (the admin keeps them)."""
    if not permissions.can_create(actor, StaffContact, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict's admin keeps staff work phones."))
    number = (work_phone or "").strip()
    if not number or not all(c.isdigit() or c in "-+ " for c in number):
        raise ValidationError({"work_phone": _("Enter the number in digits (dashes allowed).")})
    with transaction.atomic():
        contact, created = StaffContact.objects.select_for_update().get_or_create(
            user=user, defaults={"subdistrict": subdistrict, "work_phone": number, "on_card": on_card}
        )
        if not created:
            contact.work_phone, contact.on_card, contact.subdistrict = number, on_card, subdistrict
            contact.save()
        audit.record("create" if created else "update", contact, actor=actor, area=(subdistrict.pk, None))
    return contact


def follow_households(sender=None, *, building_ids, **kwargs) -> int:
    """Visits of households in these buildings take their household's grid now (receiver of
    grids.signals.households_regridded); one UPDATE, returns the visits changed."""
    grid_now = Household.objects.filter(pk=OuterRef("household_id")).values("micro_grid_id")[:1]
    return Visit.objects.filter(building_id__in=building_ids).update(micro_grid_id=Subquery(grid_now))
