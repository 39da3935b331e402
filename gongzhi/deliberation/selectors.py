"""Every read of votes and meetings, already scoped: staff by area, residents by their own ballot."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.core import minors, pii
from gongzhi.core.permissions import WRITE, assignments_of, can, scoped
from gongzhi.core.roles import ROLES
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Duty,
    Elector,
    ElectorUnit,
    FollowUpTask,
    Invitation,
    Meeting,
    Vote,
    VoterReceipt,
)
from gongzhi.deliberation.services import CONCERN_ORIGINS, elector_for_resident, staff_of_area
from gongzhi.org import household_search
from gongzhi.org.models import Department, Household, PartyMember, Resident

ELECTORS_PER_PAGE = 50
MAX_SEARCH_HITS = 200  # a search names a flat or a person; more hits than this is no search
AREA = Decimal("0.01")


def may_change(user, record: Vote | Meeting) -> bool:
    """Whether the user may change this vote or meeting (its forms and buttons show, its posts pass)."""
    return can(user, record, WRITE)


def may_run_deliberation(user) -> bool:
    """Whether any role of the user sets up votes and meetings somewhere (to show the button)."""
    return any("deliberation" in ROLES[a.role].write for a in assignments_of(user))


def votes_visible_to(user) -> QuerySet[Vote]:
    return scoped(user, Vote.objects.select_related("neighborhood", "compound", "party_org"))


def electors_of(user, vote: Vote) -> QuerySet[Elector]:
    return scoped(user, Elector.objects.filter(vote=vote)).prefetch_related("units__household__building")


def turnout(vote: Vote) -> dict:
    """Who has voted so far (receipts, never choices): what staff watch while the vote runs."""
    live = VoterReceipt.objects.filter(vote=vote, voided_at__isnull=True)
    by_channel = dict(live.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    electors = vote.electors.filter(excused_approval="")
    voted = live.count()
    total = electors.count()
    area_total = electors.aggregate(s=Sum("area"))["s"] or 0
    area_voted = live.aggregate(s=Sum("elector__area"))["s"] or 0
    return {
        "electors": total,
        "voted": voted,
        "online": by_channel.get("online", 0),
        "paper": by_channel.get("paper", 0),
        "percent": round(100 * voted / total, 1) if total else 0,
        # SQLite sums decimals as floats with nine places: shown as m² to the hundredth.
        "area_total": str(Decimal(area_total).quantize(AREA)),
        "area_voted": str(Decimal(area_voted).quantize(AREA)),
    }


def _searched_elector_ids(user, vote: Vote, q: str) -> list[int]:
    """Electors found by what was typed, best first: the flat named ("5 301", "5号楼301") through
    the one household search, then electors whose name holds the text."""
    units = ElectorUnit.objects.filter(vote=vote)
    households = household_search.matching(
        Household.objects.filter(pk__in=units.values("household_id")), q
    ).values_list("pk", flat=True)[:MAX_SEARCH_HITS]
    by_household = dict(
        units.filter(household_id__in=list(households)).values_list("household_id", "elector_id")
    )
    ranked = [by_household[pk] for pk in households if pk in by_household]
    ranked += electors_of(user, vote).filter(name__contains=q).values_list("pk", flat=True)[:MAX_SEARCH_HITS]
    visible = set(electors_of(user, vote).filter(pk__in=ranked).values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(ranked) if pk in visible]


def electorate_page(user, vote: Vote, *, q: str = "", not_voted: bool = False, page=1) -> Page:
    """One page of the electorate (3,000+ owners never on one page), searched by building and room
    or name, optionally only those who have not voted; each elector carries `voted`."""
    q = household_search.normalize(q)
    live = VoterReceipt.objects.filter(vote=vote, voided_at__isnull=True).values("elector_id")
    if q:
        ids = _searched_elector_ids(user, vote, q)
        if not_voted:
            done = set(live.values_list("elector_id", flat=True))
            ids = [pk for pk in ids if pk not in done]
    else:
        ids = electors_of(user, vote).order_by("pk").values_list("pk", flat=True)
        if not_voted:
            ids = ids.exclude(pk__in=live)
    found = Paginator(ids, ELECTORS_PER_PAGE).get_page(page)
    electors = electors_of(user, vote).in_bulk(list(found.object_list))
    voted = set(
        VoterReceipt.objects.filter(vote=vote, voided_at__isnull=True, elector_id__in=electors).values_list(
            "elector_id", flat=True
        )
    )
    found.object_list = [electors[pk] for pk in found.object_list if pk in electors]
    for elector in found.object_list:
        elector.voted = elector.pk in voted
    return found


def elector_row(user, vote: Vote, pk) -> Elector:
    """One elector of the vote the caller sees, with `voted`: the row a paper ballot redraws."""
    elector = electors_of(user, vote).get(pk=pk)
    elector.voted = VoterReceipt.objects.filter(vote=vote, elector=elector, voided_at__isnull=True).exists()
    return elector


def voted_elector_ids(vote: Vote) -> set[int]:
    return set(
        VoterReceipt.objects.filter(vote=vote, voided_at__isnull=True).values_list("elector_id", flat=True)
    )


def resident_of(user) -> Resident | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Resident.objects.filter(user=user).select_related("household").first()


def votes_for_resident(user) -> QuerySet[Vote]:
    """Votes a signed-in resident is an elector of (their household's units, or their membership)."""
    resident = resident_of(user)
    if resident is None:
        return Vote.objects.none()
    member = PartyMember.objects.filter(resident=resident).first()
    own = Q(electors__units__household_id=resident.household_id) & ~Q(kind=Vote.Kind.PARTY_ASSEMBLY)
    if not resident.is_owner:
        own &= ~Q(kind=Vote.Kind.OWNERS)
    if member is not None:
        own |= Q(electors__party_member=member)
    return Vote.objects.filter(own).exclude(status=Vote.Status.DRAFT).distinct()


def ballot_page(user, vote: Vote) -> dict:
    """What the resident's phone page shows: whether they may and did vote."""
    elector = elector_for_resident(vote, resident_of(user))
    voted = (
        elector is not None
        and VoterReceipt.objects.filter(vote=vote, elector=elector, voided_at__isnull=True).exists()
    )
    return {"elector": elector, "voted": voted}


def notice_rows(vote: Vote) -> list[dict]:
    """The notice's list of voters, names masked (张*): choices only when the ballot was open."""
    choices = (
        {}
        if vote.secret
        else dict(
            Ballot.objects.filter(vote=vote, voided_at__isnull=True).values_list("elector_id", "choice")
        )
    )
    voted = voted_elector_ids(vote)
    rows = []
    for elector in vote.electors.order_by("pk"):
        rows.append(
            {
                "name": pii.mask_name(elector.name),
                "area": elector.area,
                "voted": elector.pk in voted,
                "choice": choices.get(elector.pk, ""),
                "excused": elector.excused,
            }
        )
    return rows


def votes_reachable_by(user) -> QuerySet[Vote]:
    """Votes of the caller's area together with those they are an elector of."""
    return Vote.objects.filter(
        Q(pk__in=votes_visible_to(user).values("pk")) | Q(pk__in=votes_for_resident(user).values("pk"))
    )


def published_votes_visible_to(user) -> QuerySet[Vote]:
    return votes_reachable_by(user).filter(status=Vote.Status.PUBLISHED)


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings of the user's area, and those they are invited to wherever they are held."""
    in_area = scoped(user, Meeting.objects.all()).values("pk")
    invited = meetings_invited_to(user).values("pk")
    return Meeting.objects.filter(Q(pk__in=in_area) | Q(pk__in=invited)).select_related(
        "neighborhood", "compound", "party_org"
    )


def meetings_invited_to(user) -> QuerySet[Meeting]:
    """Meetings an invitation reaches the user by (the same rule as services.invitees_of)."""
    reach = Q(pk__in=[])
    for a in assignments_of(user):
        if a.neighborhood_id:
            reach |= Q(role=a.role, meeting__neighborhood_id=a.neighborhood_id)
        reach |= Q(role=a.role, meeting__neighborhood__isnull=True, meeting__subdistrict_id=a.subdistrict_id)
        if a.partner_unit_id:
            reach |= Q(partner_unit_id=a.partner_unit_id)
        if a.department_id:
            reach |= Q(department_id=a.department_id)
    if getattr(user, "is_authenticated", False):
        reach |= Q(resident__user=user)
    return Meeting.objects.filter(pk__in=Invitation.objects.filter(reach).values("meeting_id"))


def upcoming_invitations(user, now) -> QuerySet[Meeting]:
    """Meetings the user is invited to that are still ahead (or under way today), soonest first."""
    return (
        meetings_invited_to(user)
        .filter(held_at__gte=now - timedelta(hours=12))
        .select_related("neighborhood")
        .order_by("held_at")
    )


def attendance_of(user, meeting: Meeting) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, user=user).first()


def residents_matching(user, meeting: Meeting, text: str, limit: int = 8) -> list[Resident]:
    """A few of the meeting's invitable residents by name or room: the picker's search (never the
    whole area in one list)."""
    text = (text or "").strip()
    if len(text) < 1:
        return []
    residents = residents_for_invitation(user, meeting)
    found = residents.filter(Q(name__contains=text) | Q(household__room__startswith=text))
    return list(found[:limit])


def waiting_agenda_items(user) -> QuerySet[AgendaItem]:
    """Items on no meeting yet (待议事项): major and key concerns from intake, tick-list projects."""
    return scoped(
        user, AgendaItem.objects.filter(meeting__isnull=True).select_related("neighborhood")
    ).order_by("pk")


def meeting_detail(user, pk: int) -> Meeting:
    return (
        meetings_visible_to(user)
        .prefetch_related(
            "agenda", "invitations__partner_unit", "invitations__department", "decisions", "tasks__owner"
        )
        .get(pk=pk)
    )


def tasks_of(user) -> QuerySet[FollowUpTask]:
    """The follow-up tasks a person owns and has not done: their work list."""
    return FollowUpTask.objects.filter(owner=user, done_at__isnull=True).select_related("meeting")


def duties_visible_to(user) -> QuerySet[Duty]:
    return scoped(user, Duty.objects.select_related("party_org", "neighborhood"))


def overdue_duties(user, today: date) -> QuerySet[Duty]:
    return duties_visible_to(user).filter(done_at__isnull=True, due_on__lt=today)


def task_visible_to(user, pk: int) -> FollowUpTask:
    """A task its owner may tick off, or one of a meeting in the caller's area."""
    return FollowUpTask.objects.select_related("meeting").get(
        Q(owner=user) | Q(meeting__in=meetings_visible_to(user)), pk=pk
    )


def concerns_for_agenda(user, meeting: Meeting):
    """Concerns of the major and key tiers in the meeting's neighborhood that the caller sees."""
    # The concern model through the agenda's foreign key: concerns sit above deliberation.
    concern_model = AgendaItem._meta.get_field("concern").related_model
    concerns = scoped(user, concern_model.objects.filter(tier__in=list(CONCERN_ORIGINS.values())))
    if meeting.neighborhood_id:
        concerns = concerns.filter(neighborhood_id=meeting.neighborhood_id)
    return concerns.order_by("-pk")


def departments_for_invitation(meeting: Meeting) -> QuerySet[Department]:
    """Every department of the meeting's subdistrict: joint consultation invites them whether or
    not the neighborhood's staff read their records."""
    return Department.objects.filter(subdistrict_id=meeting.subdistrict_id).order_by("name")


def residents_for_invitation(user, meeting: Meeting) -> QuerySet[Resident]:
    """Adults of the meeting's area: children (under 14) neither vote nor sit in residents'
    meetings, so their names are not offered (core.minors)."""
    if not meeting.neighborhood_id:
        # A subdistrict-wide meeting (书记圆桌) would list every resident of the town (300,000+ in
        # the demo: the page never loaded); residents are invited to their neighborhood's meetings.
        return Resident.objects.none()
    residents = scoped(user, Resident.objects.select_related("household__building__compound"))
    residents = residents.filter(household__neighborhood_id=meeting.neighborhood_id)
    return minors.without_minors(residents).order_by("household__building_id", "household__room", "pk")


def task_owners_for(meeting: Meeting):
    return staff_of_area(meeting)


def units_of_vote(user, vote: Vote) -> QuerySet[Household]:
    """The units of an owners' vote's snapshot, for grouping them under one owner."""
    in_vote = ElectorUnit.objects.filter(vote=vote).values("household_id")
    return scoped(user, Household.objects.filter(pk__in=in_vote)).select_related("building")


def owners_of_vote(user, vote: Vote) -> QuerySet[Resident]:
    """Owner residents of the vote's compound: whom several units may be grouped under."""
    return scoped(
        user, Resident.objects.filter(is_owner=True, household__building__compound_id=vote.compound_id)
    )


def members_to_excuse(user, vote: Vote) -> QuerySet[Elector]:
    return electors_of(user, vote).filter(party_member__isnull=False, excused_approval="")
