"""Reads for accounts: what the platform holds about a signed-in resident (PIPL art. 45), and the
data-subject requests a staff member handles."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.core import pii
from gongzhi.core.permissions import READ, WRITE, scoped
from gongzhi.core.personal_data import Section, parts
from gongzhi.core.personal_data import local as _local


def pending_user(pk: int) -> User:
    """The account halfway through signing in: its password is checked, its second factor is due."""
    return User.objects.get(pk=pk)


def resident_of(user: User):
    from gongzhi.org.models import Resident

    return (
        Resident.objects.select_related("household__building__compound", "household__neighborhood")
        .filter(user=user)
        .first()
    )


def holdings_of(user: User) -> list[Section]:
    """Every record the platform keeps about `user`, read-only, ID numbers and phones masked (the
    resident sees their own data, but a copy on a shared phone screen should not give it away)."""
    resident = resident_of(user)
    sections = [part.copy(user, resident) for part in parts()]  # every app's share (core.personal_data)
    return [s for s in sections if s is not None]


def account_section(user: User, resident) -> Section:
    rows = [
        [_("Sign-in phone"), pii.mask_phone(user.phone)],
        [_("Account created"), _local(user.date_joined)],
        [_("Last sign-in"), _local(user.last_login)],
    ]
    if resident is not None:
        rows += [
            [_("Name"), resident.name],
            [_("Gender"), resident.get_gender_display()],
            [_("Birth date"), _local(resident.birth_date)],
            [_("ID number"), resident.id_number_masked],
            [_("Phone"), resident.phone_masked],
            [_("Owner"), _("Yes") if resident.is_owner else _("No")],
            [_("Tenant"), _("Yes") if resident.is_tenant else _("No")],
            [_("Registered (户籍)"), _("Yes") if resident.is_registered else _("No")],
            [_("Living here"), _("Yes") if resident.lives_here else _("No")],
        ]
    else:
        rows.append([_("Registry"), _("Your phone is not in a neighborhood's register.")])
    return Section("account", _("You and your account"), [_("Item"), _("Value")], rows)


def household_section(resident) -> Section:
    household = resident.household
    section = Section("household", _("Household"), [_("Item"), _("Value")])
    if household is not None:
        section.rows = [
            [_("Neighborhood"), str(household.neighborhood)],
            [_("Address"), str(household)],
            [_("Floor area (m²)"), str(household.floor_area or "")],
            [_("People in the household"), str(household.residents.count())],
        ]
    return section


def tags_section(resident) -> Section:
    rows = [[t.get_tag_display(), t.note] for t in resident.tags.all()]
    return Section("tags", _("Care tags"), [_("Tag"), _("Note")], rows)


def requests_section(user: User) -> Section:
    rows = [
        [
            _local(r.created_at),
            r.get_kind_display(),
            r.concerns_label,
            r.get_status_display(),
            _local(r.decided_at) if r.decided_at else "",
            r.decision_reason,
        ]
        for r in requests_of(user)
    ]
    columns = [
        _("Filed"),
        _("Kind"),
        _("What it concerns"),
        _("Status"),
        _("Decided"),
        _("Reason for the decision"),
    ]
    return Section("requests", _("Your requests"), columns, rows)


def requests_of(user: User) -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.filter(user=user).order_by("-created_at")


def requests_visible_to(user, *, status: str = "") -> QuerySet[DataSubjectRequest]:
    qs = scoped(user, DataSubjectRequest.objects.select_related("resident", "neighborhood", "decided_by"))
    return qs.filter(status=status) if status else qs


def request_for_handling(user, pk: int) -> DataSubjectRequest | None:
    return requests_visible_to(user).filter(pk=pk).first()


def may_handle(user, request_obj: DataSubjectRequest) -> bool:
    qs = DataSubjectRequest.objects.filter(pk=request_obj.pk)
    return scoped(user, qs, WRITE).exists() and scoped(user, qs, READ).exists()
