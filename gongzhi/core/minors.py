"""Minors' records (under 14, PIPL art. 31): shown only to roles that need them, each access audited.

A resident is a minor when the birth date (the field, or else the one inside the ID number) lies
less than 14 years back. Roles that read the data class `minor` (core/roles.py: neighborhood
secretary and social worker, on their neighborhood) see the record, and every time they do, an
audit record says so. Everyone else who may read residents sees the minor masked: name `张*`,
no birth date, no numbers. Masking happens on the server, on the instances handed to the page or
the API, which never save them (`present` marks them `minor_masked`).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, pii
from gongzhi.core.grants import grants_in_area

MINOR_AGE = 14
DATA_CLASS = "minor"


def birth_date_of(resident) -> date | None:
    if resident.birth_date:
        return resident.birth_date
    number = pii.normalize_id_number(getattr(resident, "id_number", "") or "")
    if len(number) == 18 and number[:17].isdigit():
        try:
            return pii.birth_date_from_id(number)
        except ValueError:
            return None
    return None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def is_minor(resident, today: date | None = None) -> bool:
    birth = birth_date_of(resident)
    return birth is not None and age_on(birth, today or timezone.localdate()) < MINOR_AGE


def youngest_adult_birth_date(today: date | None = None) -> date:
    """Born on or before this day: 14 or older today (29 February falls back to the 28th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - MINOR_AGE)
    except ValueError:
        return today.replace(year=today.year - MINOR_AGE, day=28)


def not_minor_q(prefix: str = "", today: date | None = None) -> Q:
    """A queryset condition for "not known to be a minor" by the birth date field alone, for
    searches in SQL (the registry fills the field from the ID number; see `without_minors`)."""
    return ~Q(**{f"{prefix}birth_date__gt": youngest_adult_birth_date(today)})


def without_minors(residents: QuerySet) -> QuerySet:
    """The residents minus every minor, also those whose age only the encrypted ID number tells
    (decrypted here, in the caller's already scoped queryset only)."""
    today = timezone.localdate()
    residents = residents.filter(not_minor_q(today=today))
    unknown = residents.filter(birth_date__isnull=True).exclude(id_number_digest="")
    unknown = unknown.select_related(None).only("pk", "birth_date", "id_number")
    hidden = [r.pk for r in unknown if is_minor(r, today)]
    return residents.exclude(pk__in=hidden) if hidden else residents


def _area_of(resident) -> tuple[int | None, int | None]:
    household = resident.household
    if household is None:
        return None, None
    return household.neighborhood.subdistrict_id, household.neighborhood_id


def may_see(user, resident) -> bool:
    """Whether a role of the user reads minors on the resident's neighborhood (or subdistrict)."""
    return grants_in_area(user, DATA_CLASS, *_area_of(resident))


def mask(resident) -> None:
    resident.name = pii.mask_name(resident.name)
    resident.birth_date = None
    resident.id_number = ""
    resident.phone = ""
    resident.minor_masked = True

    def refuse_save(*args, **kwargs):
        raise PermissionDenied(_("A masked record cannot be saved."))

    resident.save = refuse_save


def present(user, residents: Iterable, *, record_access: bool = True) -> list:
    """The residents as `user` may see them: minors masked, or shown and the access audited."""
    shown = []
    today = timezone.localdate()
    for resident in residents:
        if is_minor(resident, today):
            if may_see(user, resident):
                if record_access:
                    audit.record(
                        "view",
                        resident,
                        actor=user,
                        summary=_("Minor's record viewed: %(name)s") % {"name": pii.mask_name(resident.name)},
                        changes={"minor": True},
                    )
            else:
                mask(resident)
        shown.append(resident)
    return shown


def present_one(user, resident):
    return present(user, [resident])[0]


def check_unmask(user, resident) -> None:
    """Full numbers of a minor only for roles that see minors."""
    if is_minor(resident) and not may_see(user, resident):
        raise PermissionDenied(_("Only roles responsible for minors may see a minor's full numbers."))
