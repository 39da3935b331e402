"""Reads for accounts: what the platform holds about a signed-in resident (PIPL art. 45), and the
data-subject requests a staff member handles."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.core import pii
from gongzhi.core.permissions import READ, WRITE, scoped


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _local(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


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
    sections = [_account(user, resident)]
    if resident is not None:
        sections += [_household(resident), _tags(resident), _visits(resident)]
    sections += [_concerns(user, resident), _volunteering(user, resident)]
    if resident is not None:
        sections.append(_votes(resident))
    sections.append(_requests(user))
    return sections


def _account(user: User, resident) -> Section:
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


def _household(resident) -> Section:
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


def _tags(resident) -> Section:
    rows = [[t.get_tag_display(), t.note] for t in resident.tags.all()]
    return Section("tags", _("Care tags"), [_("Tag"), _("Note")], rows)


def _visits(resident) -> Section:
    from gongzhi.concerns.models import Visit

    visits = Visit.objects.filter(household_id=resident.household_id).order_by("-visited_at")[:200]
    rows = [[_local(v.visited_at), v.get_channel_display(), v.raised] for v in visits]
    return Section("visits", _("Visits to your household"), [_("Time"), _("Channel"), _("Raised")], rows)


# Reporter phones are encrypted without an index: the candidates of the resident's neighborhood are
# decrypted and compared, up to this many (the newest).
PHONE_MATCH_LIMIT = 5000


def _concerns(user: User, resident) -> Section:
    from gongzhi.concerns.models import Concern

    ids = set(Concern.objects.filter(created_by=user).values_list("pk", flat=True)[:500])
    if user.phone and resident is not None and resident.household_id:
        candidates = (
            Concern.objects.filter(neighborhood_id=resident.household.neighborhood_id)
            .exclude(reporter_phone="")
            .order_by("-pk")
            .only("pk", "reporter_phone")[:PHONE_MATCH_LIMIT]
        )
        ids |= {c.pk for c in candidates if c.reporter_phone == user.phone}
    concerns = Concern.objects.filter(pk__in=ids).order_by("-accepted_at")
    rows = [[_local(c.accepted_at), c.title, c.get_state_display()] for c in concerns]
    return Section("concerns", _("Concerns you raised"), [_("Time"), _("Title"), _("State")], rows)


def _volunteering(user: User, resident) -> Section:
    from gongzhi.volunteers.models import Volunteer

    match = Q(user=user) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    rows = []
    for v in Volunteer.objects.filter(match).select_related("team", "balance"):
        balance = getattr(v, "balance", None)
        rows.append(
            [
                v.name,
                str(v.team or ""),
                v.skills,
                str(balance.hours if balance else 0),
                str(balance.points if balance else 0),
            ]
        )
    columns = [_("Name"), _("Team"), _("Skills"), _("Hours"), _("Points")]
    return Section("volunteering", _("Volunteering"), columns, rows)


def _votes(resident) -> Section:
    from gongzhi.deliberation.models import Elector, VoterReceipt

    keys = [f"household:{resident.household_id}", f"unit:{resident.household_id}"]
    member = getattr(resident, "party_member", None)
    match = Q(key__in=keys) | (Q(party_member=member) if member is not None else Q(pk__in=[]))
    electors = Elector.objects.filter(match).select_related("vote").order_by("-vote_id")[:200]
    voted = set(
        VoterReceipt.objects.filter(elector__in=electors, voided_at__isnull=True).values_list(
            "elector_id", flat=True
        )
    )
    rows = [[str(e.vote), e.name, _("voted") if e.pk in voted else _("not voted")] for e in electors]
    # Only whether a vote was cast: ballots are secret and not linked to voters.
    return Section("votes", _("Votes you may take part in"), [_("Vote"), _("As"), _("Taking part")], rows)


def _requests(user: User) -> Section:
    rows = [
        [_local(r.created_at), r.get_kind_display(), r.get_status_display(), r.decision_reason]
        for r in requests_of(user)
    ]
    columns = [_("Filed"), _("Kind"), _("Status"), _("Reason for the decision")]
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
