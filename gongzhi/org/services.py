"""Every write to places, households, residents and roles: validate, check scope, write, audit."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, minors, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import UNMASK, WRITE, require  # grids calls org.services.require
from gongzhi.core.roles import POST_LEVELS, ROLES, UNIT_ANCESTORS
from gongzhi.org.models import (
    Block,
    Building,
    Department,
    Household,
    JointTeamMember,
    Neighborhood,
    Resident,
    ResidentTag,
    RoleAssignment,
    Stairwell,
    Subdistrict,
)

RESIDENT_FIELDS = ("name", "gender", "birth_date", "is_owner", "is_tenant", "is_registered", "lives_here")


def parse_floor_area(value) -> Decimal:
    try:
        area = Decimal(str(value).strip() or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"floor_area": _("Floor area must be a number of square metres.")}) from None
    if area < 0 or area >= Decimal("1000000"):
        raise ValidationError({"floor_area": _("Floor area must be between 0 and 999999.99 m².")})
    return area


@transaction.atomic
def create_household(
    *, actor, building: Building, room: str, floor_area=0, stairwell: Stairwell | None = None
):
    if not permissions.scoped(actor, Building.objects.filter(pk=building.pk)).exists():
        raise NotInScope(_("No such building in your area."))
    household = Household(
        building=building,
        neighborhood_id=building.neighborhood_id,
        micro_grid_id=(
            stairwell.micro_grid_id if stairwell and stairwell.micro_grid_id else building.micro_grid_id
        ),
        stairwell=stairwell,
        room=(room or "").strip(),
        floor_area=parse_floor_area(floor_area),
    )
    if not permissions.can_create(actor, Household, permissions.household_path(household)):
        raise PermissionDenied(_("You may not add households here."))
    household.full_clean()
    household.save()
    audit.record("create", household, actor=actor, changes={"room": household.room})
    return household


@transaction.atomic
def update_household(*, actor, household: Household, room: str | None = None, floor_area=None) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, household)
    changes = {}
    if room is not None and room.strip() != household.room:
        changes["room"] = [household.room, room.strip()]
        household.room = room.strip()
    if floor_area is not None and parse_floor_area(floor_area) != household.floor_area:
        new = parse_floor_area(floor_area)
        changes["floor_area"] = [str(household.floor_area), str(new)]
        household.floor_area = new
    if changes:
        household.full_clean()
        household.save()
        audit.record("update", household, actor=actor, changes=changes)
    return household


def _apply_resident_fields(resident: Resident, fields: dict) -> dict:
    changes = {}
    for name in RESIDENT_FIELDS:
        if name in fields and fields[name] != getattr(resident, name):
            changes[name] = [str(getattr(resident, name)), str(fields[name])]
            setattr(resident, name, fields[name])
    errors = {}
    for name, setter in (("id_number", resident.set_id_number), ("phone", resident.set_phone)):
        if name in fields and (fields[name] or "") != getattr(resident, name):
            try:
                setter(fields[name] or "")
                changes[name] = "***"
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if "id_number" in changes and not resident.birth_date:
        # Kept as a field too, so searches can leave children out in SQL (core.minors); it comes
        # from the ID number, so the trail masks it like the number.
        if (born := minors.birth_date_of(resident)) is not None:
            resident.birth_date = born
            changes["birth_date"] = "***"
    return changes


def _check_unique_id(resident: Resident) -> None:
    if not resident.id_number_digest:
        return
    clash = Resident.objects.filter(id_number_digest=resident.id_number_digest).exclude(pk=resident.pk)
    if clash.exists():
        raise ValidationError({"id_number": _("Another resident already has this ID number.")})


@transaction.atomic
def create_resident(*, actor, household: Household, **fields) -> Resident:
    if not permissions.can(actor, household):
        raise NotInScope(_("No such household in your area."))
    if not permissions.can_create(actor, Resident, permissions.household_path(household)):
        raise PermissionDenied(_("You may not add residents here."))
    resident = Resident(household=household)
    changes = _apply_resident_fields(resident, fields)
    _check_unique_id(resident)
    resident.full_clean(exclude=["id_number_digest", "phone_digest"])
    _save_unique(resident)
    audit.record("create", resident, actor=actor, changes=changes)
    return resident


def _save_unique(resident: Resident) -> None:
    """Two staff entering the same person at once: the database's unique index decides."""
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise ValidationError({"id_number": _("Another resident already has this ID number.")}) from None


@transaction.atomic
def update_resident(*, actor, resident: Resident, **fields) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    require(actor, resident)
    changes = _apply_resident_fields(resident, fields)
    if changes:
        _check_unique_id(resident)
        resident.full_clean(exclude=["id_number_digest", "phone_digest"])
        _save_unique(resident)
        audit.record("update", resident, actor=actor, changes=changes)
    return resident


@transaction.atomic
def unmask_resident(*, actor, resident: Resident, reason: str) -> dict[str, str]:
    """The full ID number and phone, for a stated reason, leaving an audit record."""
    require(actor, resident, UNMASK)
    minors.check_unmask(actor, resident)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("State why you need the full number (at least 4 characters).")})
    audit.record("unmask", resident, actor=actor, reason=reason[:255], summary=resident.name)
    return {"id_number": resident.id_number, "phone": resident.phone}


@transaction.atomic
def tag_resident(*, actor, resident: Resident, tag: str, note: str = "") -> ResidentTag:
    if not permissions.can(actor, resident):
        raise NotInScope(_("No such resident in your area."))
    if not permissions.can_create(actor, ResidentTag, permissions.household_path(resident.household)):
        raise PermissionDenied(_("You may not record sensitive tags."))
    item, created = ResidentTag.objects.get_or_create(resident=resident, tag=tag, defaults={"note": note})
    if created:
        item.full_clean()
        audit.record("create", item, actor=actor, summary=f"{resident.name}: {item.get_tag_display()}")
    return item


@transaction.atomic
def assign_role(*, actor, user, role: str, unit, post_level: str = "") -> RoleAssignment:
    """Give `user` a role on `unit`; the unit's ancestors are stored so scope needs no joins.

    `actor=None` is the system itself (demo loader, first setup command).
    """
    if role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    kind = ROLES[role].unit_kind
    if unit._meta.model_name != kind.replace("_", ""):
        raise ValidationError({"unit": _("This role sits on a different kind of unit.")})
    if post_level and post_level not in POST_LEVELS:
        raise ValidationError({"post_level": _("Unknown post level.")})
    path = unit_path(kind, unit)
    if actor is not None and not permissions.can_create(actor, RoleAssignment, path):
        raise PermissionDenied(_("You may not assign roles here."))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, **{f"{k}_id": v for k, v in path.items()}, defaults={"post_level": post_level}
    )
    if created:
        audit.record("create", assignment, actor=actor, summary=str(assignment))
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    """Remove a role; the holder's sessions end so the old scope cannot be used any longer."""
    if actor is not None and not permissions.can(actor, assignment, WRITE):
        raise NotInScope(_("No such record in your area."))
    audit.record("delete", assignment, actor=actor, summary=str(assignment), reason=reason)
    assignment.delete()
    assignment.user.end_sessions()


def unit_path(kind: str, unit) -> dict[str, int]:
    """The unit's id and the ids of its ancestors, keyed by unit kind."""
    path = {kind: unit.pk}
    if kind == "stairwell":
        unit = unit.building
        path["building"] = unit.pk
    if kind in ("stairwell", "building"):
        path["compound"] = unit.compound_id
        if unit.micro_grid_id:
            path["micro_grid"] = unit.micro_grid_id
    if "neighborhood" in UNIT_ANCESTORS[kind]:
        path["neighborhood"] = unit.neighborhood_id
        path["subdistrict"] = unit.neighborhood.subdistrict_id
    elif kind != "subdistrict":
        path["subdistrict"] = unit.subdistrict_id
    return path


# ---- blocks (街区) and their joint teams ---------------------------------------------------------


@transaction.atomic
def create_block(*, actor, subdistrict: Subdistrict, name: str) -> Block:
    """A new block of the subdistrict; a name it already has is refused (a retried form too)."""
    if not permissions.can_create(actor, Block, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("You may not create blocks here."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the block a name.")})
    if len(name) > 64:
        raise ValidationError({"name": _("The name may have at most 64 characters.")})
    if Block.objects.filter(subdistrict=subdistrict, name=name).exists():
        raise ValidationError({"name": _("This subdistrict already has a block of this name.")})
    try:
        with transaction.atomic():
            block = Block.objects.create(subdistrict=subdistrict, name=name)
    except IntegrityError:  # the same form sent twice at once
        raise ValidationError({"name": _("This subdistrict already has a block of this name.")}) from None
    audit.record("create", block, actor=actor, summary=name)
    return block


@transaction.atomic
def set_block_neighborhoods(*, actor, block: Block, neighborhood_ids: list[int]) -> list[int]:
    """The block holds exactly these neighborhoods of its subdistrict (one block per neighborhood:
    one taken from another block moves). Returns the ids now in the block."""
    block = Block.objects.select_for_update().get(pk=block.pk)
    require(actor, block)
    wanted = set(neighborhood_ids)
    found = set(
        Neighborhood.objects.filter(pk__in=wanted, subdistrict_id=block.subdistrict_id).values_list(
            "pk", flat=True
        )
    )
    if wanted - found:
        raise ValidationError({"neighborhoods": _("Some neighborhoods are not in this subdistrict.")})
    before = set(block.neighborhoods.values_list("pk", flat=True))
    if before == wanted:
        return sorted(wanted)
    Neighborhood.objects.filter(block=block).exclude(pk__in=wanted).update(block=None)
    Neighborhood.objects.filter(pk__in=wanted).update(block=block)
    audit.record("update", block, actor=actor, changes={"neighborhoods": [sorted(before), sorted(wanted)]})
    return sorted(wanted)


@transaction.atomic
def name_block_chief(*, actor, block: Block, user) -> Block:
    """The block's chief (街长): the block chief role on the block, taken from the previous one."""
    block = Block.objects.select_for_update().get(pk=block.pk)
    require(actor, block)
    if user is None or getattr(user, "kind", "staff") == "resident" or not user.is_active:
        raise ValidationError({"block_chief": _("Choose an active staff account.")})
    if block.block_chief_id == user.pk:
        return block
    for old in RoleAssignment.objects.filter(role="block_chief", block=block).exclude(user=user):
        revoke_role(actor=actor, assignment=old, reason=_("another block chief was named"))
    assign_role(actor=actor, user=user, role="block_chief", unit=block)
    previous = block.block_chief_id
    block.block_chief = user
    block.save(update_fields=["block_chief"])
    audit.record("update", block, actor=actor, changes={"block_chief": [previous, user.pk]})
    return block


def _handles_for(user, department: Department) -> bool:
    return RoleAssignment.objects.filter(user=user, role="department_handler", department=department).exists()


@transaction.atomic
def add_team_member(*, actor, block: Block, department: Department, user) -> JointTeamMember:
    """A department's handler joins the block's joint team; adding them again changes nothing."""
    block = Block.objects.select_for_update().get(pk=block.pk)
    require(actor, block)
    if department is None or department.subdistrict_id != block.subdistrict_id:
        raise ValidationError({"department": _("Choose a department of this subdistrict.")})
    if user is None or not _handles_for(user, department):
        raise ValidationError(
            {
                "user": _("%(user)s is not a handler of %(department)s.")
                % {"user": user, "department": department}
            }
        )
    member, created = JointTeamMember.objects.get_or_create(block=block, department=department, user=user)
    if created:
        audit.record("create", member, actor=actor, summary=str(member))
    return member


@transaction.atomic
def remove_team_member(*, actor, member: JointTeamMember) -> None:
    require(actor, member.block)
    audit.record("delete", member, actor=actor, summary=str(member))
    member.delete()
