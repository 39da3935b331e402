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
    sections += [_concerns(user, resident), _volunteering(user, resident), _wishes(user, resident)]
    if resident is not None:
        sections.append(_votes(resident))
    sections += [_surveys(user, resident), _messages(user), _requests(user)]
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
    from gongzhi.visits.models import Visit

    visits = Visit.objects.filter(household_id=resident.household_id).order_by("-visited_at")[:200]
    rows = [[_local(v.visited_at), v.get_channel_display(), v.raised] for v in visits]
    return Section("visits", _("Visits to your household"), [_("Time"), _("Channel"), _("Raised")], rows)


# Reporter phones are encrypted without an index: the candidates of the resident's neighborhood are
# decrypted and compared, up to this many (the newest).
PHONE_MATCH_LIMIT = 5000


def concern_ids_of(user: User, resident) -> set[int]:
    """Concerns the person raised: with their account, or by phone on their neighborhood's intake."""
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
    return ids


def _concerns(user: User, resident) -> Section:
    from gongzhi.concerns.models import Concern

    concerns = Concern.objects.filter(pk__in=concern_ids_of(user, resident)).order_by("-accepted_at")
    rows = [[_local(c.accepted_at), c.title, c.get_state_display()] for c in concerns]
    return Section("concerns", _("Concerns you raised"), [_("Time"), _("Title"), _("State")], rows)


def _volunteering(user: User, resident) -> Section:
    rows = []
    for v in volunteers_of(user, resident).select_related("team", "balance"):
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


def volunteers_of(user: User, resident):
    from gongzhi.volunteers.models import Volunteer

    match = Q(user=user) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    return Volunteer.objects.filter(match)


def _wishes(user: User, resident) -> Section:
    from gongzhi.volunteers.models import MicroWish

    match = Q(posted_by=user) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    rows = [
        [_local(w.created_at), w.wisher_name, w.title, w.description, w.get_status_display()]
        for w in MicroWish.objects.filter(match).order_by("-created_at")[:200]
    ]
    columns = [_("Posted"), _("Name"), _("Wish"), _("Details"), _("Status")]
    return Section("wishes", _("Micro-wishes"), columns, rows)


def respondents_of(user: User, resident):
    """Survey lists the person is on: drawn from the register, or imported with their phone."""
    from gongzhi.surveys.models import Respondent

    match = Q(resident=resident) if resident is not None else Q(pk__in=[])
    phones = {p for p in (user.phone, getattr(resident, "phone", "")) if p}
    if phones:
        match |= Q(phone_digest__in=[Respondent.digest_of(p) for p in phones])
    return Respondent.objects.filter(match)


def _surveys(user: User, resident) -> Section:
    rows = []
    for r in (
        respondents_of(user, resident).select_related("survey", "response").order_by("-created_at")[:200]
    ):
        answered = getattr(r, "response", None) is not None
        rows.append(
            [
                _local(r.created_at),
                r.survey.title,
                r.name,
                pii.mask_phone(r.phone),
                r.note,
                _("answered") if answered else _("not answered"),
            ]
        )
    columns = [_("Listed"), _("Survey"), _("Name"), _("Phone"), _("Note"), _("Taking part")]
    return Section("surveys", _("Surveys you were asked to answer"), columns, rows)


def _messages(user: User) -> Section:
    from gongzhi.notifications.models import Message

    rows = [
        [_local(m.created_at), m.get_channel_display(), m.subject, m.get_status_display()]
        for m in Message.objects.filter(user=user).order_by("-created_at")[:500]
    ]
    columns = [_("Time"), _("Channel"), _("Subject"), _("Status")]
    return Section("messages", _("Messages sent to you"), columns, rows)


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
