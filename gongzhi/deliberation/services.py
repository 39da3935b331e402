"""Every write of votes: set up, open, cast, enter paper ballots, void, close, publish.

Each service checks scope through the one permission function, validates, writes inside a
transaction with the vote row locked (a ballot cannot land while the vote closes) and leaves an
audit record. Counting is done by gongzhi.deliberation.rules on the stored rows, nowhere else.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import WRITE
from gongzhi.deliberation import rules
from gongzhi.deliberation.models import (
    AgendaItem,
    Ballot,
    Candidate,
    Channel,
    Decision,
    Duty,
    Elector,
    ElectorUnit,
    FollowUpTask,
    Invitation,
    Meeting,
    Vote,
    VoterReceipt,
)
from gongzhi.org.models import Compound, Household, Neighborhood, PartyMember, PartyOrg, Resident

__all__ = ["Vote"]  # the verify command finds Vote.DoesNotExist here
MIN_REASON = 4


def require(actor, obj, action: str = WRITE) -> None:
    """Refuse outside the actor's scope; what they cannot even read looks absent."""
    if permissions.can(actor, obj, action):
        return
    if permissions.can(actor, obj, permissions.READ):
        raise PermissionDenied(_("You may not change this vote."))
    raise NotInScope(_("No such vote in your area."))


def _place_path(*, compound=None, neighborhood=None, party_org=None) -> dict:
    if compound is not None:
        neighborhood = compound.neighborhood
    if party_org is not None and neighborhood is None:
        neighborhood = party_org.neighborhood
    subdistrict_id = (
        neighborhood.subdistrict_id if neighborhood else getattr(party_org, "subdistrict_id", None)
    )
    return {
        "subdistrict": subdistrict_id,
        "neighborhood": neighborhood.pk if neighborhood else None,
        "compound": compound.pk if compound else None,
    }


# --- setting a vote up -----------------------------------------------------------------------


def _rule_for(kind: str, owners_item: int | None) -> str:
    if kind == Vote.Kind.PARTY_ASSEMBLY:
        return rules.PARTY_ASSEMBLY
    if kind == Vote.Kind.TICK_LIST:
        return rules.TICK_LIST
    if owners_item is None or not 1 <= owners_item <= 9:
        raise ValidationError({"owners_item": _("Choose the matter's item of Civil Code art. 278 (1-9).")})
    return rules.OWNERS_278_SPECIAL if owners_item in rules.SPECIAL_ITEMS else rules.OWNERS_278


def _check_setup(kind, opens_at, closes_at, compound, party_org, neighborhood, candidates, max_ticks):
    errors = {}
    if kind not in Vote.Kind.values:
        errors["kind"] = _("Unknown kind of vote.")
    if not opens_at or not closes_at or closes_at <= opens_at:
        errors["closes_at"] = _("The window must close after it opens.")
    if kind == Vote.Kind.OWNERS and compound is None:
        errors["compound"] = _("An owners' vote belongs to one compound.")
    if kind == Vote.Kind.PARTY_ASSEMBLY and party_org is None:
        errors["party_org"] = _("A party assembly vote belongs to one party organisation.")
    if kind == Vote.Kind.TICK_LIST:
        if compound is None and neighborhood is None:
            errors["neighborhood"] = _("A tick-list belongs to a neighborhood or compound.")
        if not candidates:
            errors["candidates"] = _("List at least one project to tick.")
        elif not 1 <= max_ticks <= len(candidates):
            errors["max_ticks"] = _("Ticks allowed must be between 1 and the number of projects.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_vote(
    *,
    actor,
    kind: str,
    subject: str,
    opens_at: datetime,
    closes_at: datetime,
    compound: Compound | None = None,
    neighborhood: Neighborhood | None = None,
    party_org: PartyOrg | None = None,
    owners_item: int | None = None,
    major_matter: str = "",
    secret: bool = False,
    count_non_voters: bool = False,
    description: str = "",
    candidates: list[str] | tuple = (),
    max_ticks: int = 1,
    support_threshold: int = 0,
) -> Vote:
    """A draft vote with its electorate snapshot taken from the registers as they stand now."""
    candidates = [c.strip() for c in candidates if c and c.strip()]
    _check_setup(kind, opens_at, closes_at, compound, party_org, neighborhood, candidates, max_ticks)
    path = _place_path(compound=compound, neighborhood=neighborhood, party_org=party_org)
    if not permissions.can_create(actor, Vote, path):
        raise PermissionDenied(_("You may not set up votes here."))
    vote = Vote(
        kind=kind,
        rule=_rule_for(kind, owners_item),
        subject=(subject or "").strip(),
        description=description,
        subdistrict_id=path["subdistrict"],
        neighborhood_id=path["neighborhood"],
        compound=compound,
        party_org=party_org,
        owners_item=owners_item if kind == Vote.Kind.OWNERS else None,
        major_matter=major_matter if kind == Vote.Kind.PARTY_ASSEMBLY else "",
        opens_at=opens_at,
        closes_at=closes_at,
        secret=secret,
        count_non_voters=count_non_voters and kind == Vote.Kind.OWNERS,
        max_ticks=max_ticks if kind == Vote.Kind.TICK_LIST else 1,
        support_threshold=support_threshold,
        created_by=actor,
    )
    vote.full_clean(exclude=["created_by", "subdistrict"])
    vote.save()
    Candidate.objects.bulk_create(Candidate(vote=vote, label=c, order=i) for i, c in enumerate(candidates))
    take_electorate(vote)
    audit.record("create", vote, actor=actor, changes={"rule": vote.rule, "secret": vote.secret})
    return vote


def take_electorate(vote: Vote) -> None:
    """The snapshot of who may vote; kept while the vote runs, whatever the registers do."""
    if vote.kind == Vote.Kind.PARTY_ASSEMBLY:
        _party_electorate(vote)
    elif vote.kind == Vote.Kind.OWNERS:
        _owner_electorate(vote)
    else:
        _household_electorate(vote)


def _party_electorate(vote: Vote) -> None:
    orgs = [vote.party_org_id]
    frontier = orgs
    while frontier:  # the organisation and the branches and groups below it
        frontier = list(PartyOrg.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        orgs += frontier
    # Probationary members have no vote (预备党员没有表决权), so they are not electors at all.
    members = PartyMember.objects.filter(party_org_id__in=orgs, status=PartyMember.Status.FULL).order_by("pk")
    Elector.objects.bulk_create(
        Elector(vote=vote, key=f"member:{m.pk}", name=m.name, party_member=m) for m in members
    )


def _owner_of(household: Household) -> str:
    owners = [r for r in household.residents.all() if r.is_owner]
    return owners[0].name if owners else _("Owner of %(room)s") % {"room": household}


def _owner_electorate(vote: Vote) -> None:
    """One unit, one owner, until staff group a buyer's units or the developer's (group_units)."""
    households = (
        Household.objects.filter(building__compound=vote.compound, floor_area__gt=0)
        .select_related("building")
        .prefetch_related("residents")
        .order_by("building__number", "room")
    )
    for household in households:
        elector = Elector.objects.create(
            vote=vote, key=f"unit:{household.pk}", name=_owner_of(household), area=household.floor_area
        )
        ElectorUnit.objects.create(vote=vote, elector=elector, household=household, area=household.floor_area)


def _household_electorate(vote: Vote) -> None:
    households = Household.objects.filter(neighborhood_id=vote.neighborhood_id)
    if vote.compound_id:
        households = households.filter(building__compound_id=vote.compound_id)
    for household in households.select_related("building").order_by("pk"):
        elector = Elector.objects.create(vote=vote, key=f"household:{household.pk}", name=str(household))
        ElectorUnit.objects.create(vote=vote, elector=elector, household=household)


def _locked_draft(actor, vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote)
    if vote.status != Vote.Status.DRAFT:
        raise ValidationError(_("The electorate and disclosure are fixed once the vote opens."))
    return vote


@transaction.atomic
def group_units(
    *, actor, vote: Vote, households: list[Household], owner: Resident | None = None, developer: bool = False
) -> Elector:
    """Several units as one owner: one buyer's units, or the developer's unsold ones (SPC interp. art. 9)."""
    vote = _locked_draft(actor, vote)
    if vote.kind != Vote.Kind.OWNERS or (owner is None) == (not developer):
        raise ValidationError(_("Name either the owner or the developer of the units."))
    units = list(ElectorUnit.objects.filter(vote=vote, household__in=households).select_related("elector"))
    if len(units) != len(set(households)) or not units:
        raise ValidationError({"households": _("Every unit must belong to this vote's compound.")})
    key = rules.DEVELOPER if developer else f"person:{owner.pk}"
    name = _("Developer (unsold units)") if developer else owner.name
    target, _created = Elector.objects.get_or_create(vote=vote, key=key, defaults={"name": name})
    old = {u.elector_id for u in units} - {target.pk}
    ElectorUnit.objects.filter(pk__in=[u.pk for u in units]).update(elector=target)
    Elector.objects.filter(pk__in=old, units__isnull=True).delete()
    total = ElectorUnit.objects.filter(elector=target).aggregate(s=Sum("area"))["s"] or Decimal(0)
    target.area = Decimal(total).quantize(Decimal("0.01"))
    target.save(update_fields=["area"])
    audit.record("update", vote, actor=actor, summary=f"{vote.subject}: {name} ← {len(units)}")
    return target


@transaction.atomic
def excuse_member(*, actor, vote: Vote, elector: Elector, reason: str, approval: str) -> Elector:
    """Leave a member out of those due to attend; only with the higher organisation's approval on record."""
    vote = _locked_draft(actor, vote)
    reason, approval = (reason or "").strip(), (approval or "").strip()
    if vote.kind != Vote.Kind.PARTY_ASSEMBLY or elector.vote_id != vote.pk:
        raise ValidationError(_("Only members of a party assembly vote can be excused."))
    if len(reason) < MIN_REASON or len(approval) < MIN_REASON:
        raise ValidationError(
            {"approval": _("State the reason and the higher organisation's recorded approval.")}
        )
    elector.excused_reason, elector.excused_approval = reason[:255], approval[:255]
    elector.save(update_fields=["excused_reason", "excused_approval"])
    audit.record(
        "update", vote, actor=actor, summary=f"{elector.name}: {reason}"[:255], reason=approval[:255]
    )
    return elector


@transaction.atomic
def disclose(*, actor, vote: Vote, principle: str, content: str, procedure: str, accountability: str) -> Vote:
    """Record what all members were told before a party vote: principle, content, procedure, accountability."""
    vote = _locked_draft(actor, vote)
    texts = {
        "principle": principle,
        "content": content,
        "procedure": procedure,
        "accountability": accountability,
    }
    missing = {k: _("Required before a party vote.") for k, v in texts.items() if not (v or "").strip()}
    if missing:
        raise ValidationError(missing)
    for name, text in texts.items():
        setattr(vote, f"disclosed_{name}", text.strip())
    vote.disclosed_at = timezone.now()
    vote.save()
    audit.record("disclose", vote, actor=actor, changes={"disclosed_at": vote.disclosed_at.isoformat()})
    return vote


@transaction.atomic
def open_vote(*, actor, vote: Vote) -> Vote:
    vote = _locked_draft(actor, vote)
    if vote.kind == Vote.Kind.PARTY_ASSEMBLY and vote.disclosed_at is None:
        raise ValidationError(_("Disclose principle, content, procedure and accountability before voting."))
    if not vote.electors.exists():
        raise ValidationError(_("The electorate is empty."))
    vote.status = Vote.Status.OPEN
    vote.save(update_fields=["status"])
    audit.record("open", vote, actor=actor, changes={"electors": vote.electors.count()})
    return vote


# --- casting ---------------------------------------------------------------------------------


def elector_for_resident(vote: Vote, resident: Resident | None) -> Elector | None:
    """The elector a signed-in resident votes as, if any: eligibility is checked at ballot time."""
    if resident is None:
        return None
    if vote.kind == Vote.Kind.PARTY_ASSEMBLY:
        member = PartyMember.objects.filter(resident=resident).first()
        return vote.electors.filter(party_member=member).first() if member else None
    if vote.kind == Vote.Kind.OWNERS and not resident.is_owner:
        return None
    return vote.electors.filter(units__household_id=resident.household_id).first()


def _check_window(vote: Vote, now: datetime, *, paper: bool) -> None:
    if vote.status != Vote.Status.OPEN:
        raise ValidationError(_("This vote is not open."))
    if now < vote.opens_at:
        raise ValidationError(_("Voting has not started yet."))
    # Paper ballots collected in the window may be entered until staff close the vote.
    if now > vote.closes_at and not paper:
        raise ValidationError(_("Voting has ended."))


def _clean_ballot(vote: Vote, choice: str | None, ticks) -> tuple[str, list[str]]:
    try:
        if vote.kind == Vote.Kind.TICK_LIST:
            candidates = [str(pk) for pk in vote.candidates.values_list("pk", flat=True)]
            picked = rules.check_ticks([str(t) for t in (ticks or [])], candidates, vote.max_ticks)
            return "", sorted(picked, key=candidates.index)
        return rules.check_choice(choice or ""), []
    except rules.TallyInputError as exc:
        raise ValidationError({"choice": _("Malformed ballot: %(error)s") % {"error": exc}}) from None


def _record_ballot(
    *, vote: Vote, elector: Elector, choice, ticks, channel: str, entered_by=None
) -> VoterReceipt:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    _check_window(vote, timezone.now(), paper=channel == Channel.PAPER)
    if elector.vote_id != vote.pk or elector.excused:
        raise ValidationError(_("This voter is not in the electorate of this vote."))
    choice, ticks = _clean_ballot(vote, choice, ticks)
    try:
        with transaction.atomic():  # the partial unique index decides between two submissions at once
            receipt = VoterReceipt.objects.create(
                vote=vote, elector=elector, channel=channel, entered_by=entered_by
            )
    except IntegrityError:
        raise ValidationError(_("This voter has already voted.")) from None
    Ballot.objects.create(
        vote=vote,
        elector=None if vote.secret else elector,
        choice=choice,
        ticks=ticks,
        area=elector.area,
    )
    changes = {"channel": channel} | ({} if vote.secret else {"choice": choice or ticks})
    audit.record(
        "vote", vote, actor=entered_by, summary=f"{vote.subject}: {elector.name}"[:255], changes=changes
    )
    return receipt


@transaction.atomic
def cast_ballot(*, voter, vote: Vote, choice: str | None = None, ticks=None) -> VoterReceipt:
    """A resident's own online ballot."""
    resident = Resident.objects.filter(user=voter).first() if voter.is_authenticated else None
    elector = elector_for_resident(vote, resident)
    if elector is None:
        raise ValidationError(_("You are not in the electorate of this vote."))
    return _record_ballot(vote=vote, elector=elector, choice=choice, ticks=ticks, channel=Channel.ONLINE)


@transaction.atomic
def enter_paper_ballot(*, actor, vote: Vote, elector: Elector, choice: str | None = None, ticks=None):
    """A paper ballot typed in by staff; the voter can then not vote online, nor twice on paper."""
    require(actor, vote)
    return _record_ballot(
        vote=vote, elector=elector, choice=choice, ticks=ticks, channel=Channel.PAPER, entered_by=actor
    )


@transaction.atomic
def void_ballot(*, actor, vote: Vote, reason: str, elector: Elector | None = None, ballot_id=None) -> None:
    """The only correction: audited, with a reason. An open ballot is voided with its receipt, so
    the voter may vote again; a secret ballot is voided by its number and its voter stays voted."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("State why the ballot is void (at least 4 characters).")})
    if vote.status not in (Vote.Status.OPEN, Vote.Status.CLOSED):
        raise ValidationError(_("Ballots can be voided only before the result is published."))
    now = timezone.now()
    live = Ballot.objects.filter(vote=vote, voided_at__isnull=True)
    if vote.secret:
        count = live.filter(pk=ballot_id).update(voided_at=now, void_reason=reason[:255]) if ballot_id else 0
        summary = f"{vote.subject}: ballot {ballot_id}"
    else:
        count = live.filter(elector=elector).update(voided_at=now, void_reason=reason[:255]) if elector else 0
        VoterReceipt.objects.filter(vote=vote, elector=elector, voided_at__isnull=True).update(
            voided_at=now, void_reason=reason[:255]
        )
        summary = f"{vote.subject}: {elector.name if elector else ''}"
    if count != 1:
        raise ValidationError(_("No such live ballot in this vote."))
    if vote.status == Vote.Status.CLOSED:
        vote.result = count_vote(vote)
        vote.save(update_fields=["result"])
    audit.record("void", vote, actor=actor, summary=summary[:255], reason=reason[:255])


# --- counting, closing, publishing -----------------------------------------------------------


def count_vote(vote: Vote) -> dict:
    """The result recomputed from the stored electorate and live ballots by the rule functions."""
    electors = vote.electors.all()
    ballots = list(Ballot.objects.filter(vote=vote, voided_at__isnull=True))
    receipts = VoterReceipt.objects.filter(vote=vote, voided_at__isnull=True).count()
    if vote.kind == Vote.Kind.PARTY_ASSEMBLY:
        due = [e for e in electors if not e.excused]
        choices = [b.choice for b in ballots]
        result = rules.decide_party_assembly(
            electorate=len(due),
            present=len(choices),
            yes=choices.count(rules.YES),
            no=choices.count(rules.NO),
        ).as_dict()
        result["excused"] = len(electors) - len(due)
    elif vote.kind == Vote.Kind.OWNERS:
        result = rules.decide_owners(
            total_area_cents=sum(rules.area_cents(e.area) for e in electors),
            total_owners=len(electors),
            ballots=[rules.OwnerBallot(rules.area_cents(b.area), b.choice) for b in ballots],
            special=vote.rule == rules.OWNERS_278_SPECIAL,
            count_non_voters=vote.count_non_voters,
        ).as_dict()
    else:
        labels = dict((str(pk), label) for pk, label in vote.candidates.values_list("pk", "label"))
        tally = rules.tally_tick_list(
            list(labels),
            [b.ticks for b in ballots],
            max_ticks=vote.max_ticks,
            electorate=len(electors),
            threshold=vote.support_threshold,
        ).as_dict()
        for row in tally["ranking"]:
            row["label"] = labels[row["candidate_id"]]
        result = tally | {"valid": True, "passed": None}
    return result | {"ballots": len(ballots), "receipts": receipts}


@transaction.atomic
def close_vote(*, actor, vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote)
    if vote.status != Vote.Status.OPEN:
        raise ValidationError(_("Only an open vote can be closed."))
    if timezone.now() < vote.closes_at:
        raise ValidationError(_("The voting window has not ended yet."))
    vote.status, vote.closed_at, vote.result = Vote.Status.CLOSED, timezone.now(), count_vote(vote)
    vote.save(update_fields=["status", "closed_at", "result"])
    audit.record(
        "close", vote, actor=actor, changes={"valid": vote.result["valid"], "passed": vote.result["passed"]}
    )
    return vote


@transaction.atomic
def publish_result(*, actor, vote: Vote) -> Vote:
    """The notice with the full tally (公示); on a tick-list, projects at their threshold go on the agenda."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote)
    if vote.status != Vote.Status.CLOSED:
        raise ValidationError(_("Close the vote before publishing its result."))
    vote.result = count_vote(vote)
    vote.status, vote.published_at = Vote.Status.PUBLISHED, timezone.now()
    vote.save(update_fields=["status", "published_at", "result"])
    if vote.kind == Vote.Kind.TICK_LIST and vote.support_threshold:
        _promote_supported(vote)
    audit.record("publish", vote, actor=actor, changes={"passed": vote.result["passed"]})
    return vote


def _promote_supported(vote: Vote) -> None:
    for row in vote.result["ranking"]:
        if row["reaches_threshold"]:
            AgendaItem.objects.get_or_create(
                candidate_id=int(row["candidate_id"]),
                defaults={
                    "subdistrict_id": vote.subdistrict_id,
                    "neighborhood_id": vote.neighborhood_id,
                    "compound_id": vote.compound_id,
                    "title": row["label"],
                    "origin": AgendaItem.Origin.TICK_LIST,
                    "origin_ref": f"vote:{vote.pk}",
                },
            )


def verify_vote(*, vote_id: int) -> dict:
    """Recount a vote from its stored ballots and compare with the stored result (`gongzhi votes verify`)."""
    vote = Vote.objects.get(pk=vote_id)
    recount = count_vote(vote)
    problems = []
    if recount["ballots"] != recount["receipts"]:
        problems.append("live ballots and receipts differ")
    if vote.result is not None and vote.result != recount:
        problems.append("stored result differs from the recount")
    return {
        "vote": vote.pk,
        "subject": vote.subject,
        "status": vote.status,
        "stored": vote.result,
        "recount": recount,
        "problems": problems,
        "matches": not problems,
    }


# --- meetings, follow-up tasks, cadence duties ------------------------------------------------


def _require_meeting(actor, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if permissions.can(actor, meeting, WRITE):
        return meeting
    if permissions.can(actor, meeting, permissions.READ):
        raise PermissionDenied(_("You may not change this meeting."))
    raise NotInScope(_("No such meeting in your area."))


@transaction.atomic
def create_meeting(
    *,
    actor,
    kind: str,
    title: str,
    held_at: datetime,
    neighborhood: Neighborhood | None = None,
    compound: Compound | None = None,
    party_org: PartyOrg | None = None,
    place: str = "",
) -> Meeting:
    path = _place_path(compound=compound, neighborhood=neighborhood, party_org=party_org)
    if path["subdistrict"] is None:
        raise ValidationError(
            {"neighborhood": _("A meeting belongs to a neighborhood, compound or party organisation.")}
        )
    if not permissions.can_create(actor, Meeting, path):
        raise PermissionDenied(_("You may not hold meetings here."))
    meeting = Meeting(
        kind=kind,
        title=(title or "").strip(),
        held_at=held_at,
        place=place,
        subdistrict_id=path["subdistrict"],
        neighborhood_id=path["neighborhood"],
        compound=compound,
        party_org=party_org,
        created_by=actor,
    )
    meeting.full_clean(exclude=["created_by", "subdistrict"])
    meeting.save()
    audit.record("create", meeting, actor=actor)
    _complete_meeting_duty(actor, meeting)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    title: str,
    held_at: datetime,
    neighborhood: Neighborhood | None = None,
    place: str = "",
) -> Meeting:
    """Change kind, title, time, place or neighborhood; a move must land inside the actor's area too."""
    meeting = _require_meeting(actor, meeting)
    if neighborhood is not None and neighborhood.pk != meeting.neighborhood_id:
        if meeting.compound_id and meeting.compound.neighborhood_id != neighborhood.pk:
            raise ValidationError({"neighborhood": _("The meeting's compound lies in another neighborhood.")})
        path = _place_path(neighborhood=neighborhood)
        if not permissions.can_create(actor, Meeting, path):
            raise NotInScope(_("No such neighborhood in your area."))
        meeting.subdistrict_id, meeting.neighborhood = path["subdistrict"], neighborhood
    before = {
        "kind": meeting.kind,
        "title": meeting.title,
        "held_at": meeting.held_at,
        "place": meeting.place,
    }
    meeting.kind, meeting.title, meeting.held_at = kind, (title or "").strip(), held_at
    meeting.place = (place or "").strip()
    meeting.full_clean(exclude=["created_by", "subdistrict"])
    meeting.save()
    changes = {k: str(getattr(meeting, k)) for k, v in before.items() if getattr(meeting, k) != v}
    audit.record("update", meeting, actor=actor, changes=changes)
    _complete_meeting_duty(actor, meeting)
    return meeting


CONCERN_ORIGINS = {AgendaItem.Origin.MAJOR_CONCERN: "major", AgendaItem.Origin.KEY_CONCERN: "key"}


def _check_concern(actor, meeting: Meeting, origin: str, concern) -> None:
    """A concern on the agenda must be one the actor sees, of the meeting's area and the origin's tier."""
    from gongzhi.concerns.models import Concern

    if origin not in CONCERN_ORIGINS:
        if concern is not None:
            raise ValidationError({"concern": _("Only agenda items from concerns name a concern.")})
        return
    if concern is None:
        raise ValidationError({"concern": _("Choose the concern this item comes from.")})
    if not permissions.can(actor, concern, permissions.READ):
        raise ValidationError({"concern": _("No such concern in your area.")})
    if meeting.neighborhood_id and concern.neighborhood_id != meeting.neighborhood_id:
        raise ValidationError({"concern": _("The concern lies in another neighborhood.")})
    if concern.tier != CONCERN_ORIGINS[origin]:
        tier = dict(Concern._meta.get_field("tier").choices).get(concern.tier, concern.tier)
        raise ValidationError({"concern": _("The concern is of tier %(tier)s.") % {"tier": tier}})


@transaction.atomic
def add_agenda_item(
    *, actor, meeting: Meeting, title: str, origin: str, origin_ref: str = "", concern=None
) -> AgendaItem:
    """An item for the meeting; one from a concern of the major or key tier links to that concern."""
    meeting = _require_meeting(actor, meeting)
    _check_concern(actor, meeting, origin, concern)
    if concern is not None:
        origin_ref = f"concern:{concern.pk}"
        title = title or concern.title
    item = AgendaItem(
        subdistrict_id=meeting.subdistrict_id,
        neighborhood_id=meeting.neighborhood_id,
        compound_id=meeting.compound_id,
        meeting=meeting,
        title=(title or "").strip(),
        origin=origin,
        origin_ref=(origin_ref or "").strip(),
        concern=concern,
        order=meeting.agenda.count(),
    )
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor)
    return item


@transaction.atomic
def queue_agenda_item(*, actor, concern, origin: str) -> AgendaItem:
    """A waiting item (待议事项) on the concern's neighborhood agenda, for a major or key concern
    that came in through someone who holds no meetings (resident page, Open311, a grid worker's
    visit): no meeting yet, the neighborhood's staff schedule it. `actor=None` is the public
    intake; the caller (concerns.coordination) has checked the tier and the neighborhood."""
    if origin not in CONCERN_ORIGINS or concern.tier != CONCERN_ORIGINS[origin]:
        raise ValidationError({"concern": _("Only major and key concerns wait for deliberation.")})
    item = AgendaItem(
        subdistrict_id=concern.subdistrict_id,
        neighborhood_id=concern.neighborhood_id,
        title=concern.title[:200],
        origin=origin,
        origin_ref=f"concern:{concern.pk}",
        concern=concern,
    )
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor if actor is not None and actor.is_authenticated else None)
    return item


@transaction.atomic
def withdraw_agenda_item(*, actor, item: AgendaItem) -> bool:
    """Take an item off the agenda before it is deliberated (its concern joined another that
    carries the matter): one still waiting, or on a meeting yet to be held with no decision on
    it. Anything already deliberated stays. Returns whether it was withdrawn."""
    # The meeting is nullable: PostgreSQL locks no outer join, so the item is locked alone.
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .filter(pk=item.pk)
        .first()
    )
    if item is None:
        return False
    if item.meeting is not None and (
        item.meeting.held_at <= timezone.now() or Decision.objects.filter(agenda_item=item).exists()
    ):
        return False
    audit.record("delete", item, actor=actor if actor is not None and actor.is_authenticated else None)
    item.delete()
    return True


@transaction.atomic
def schedule_agenda_item(*, actor, item: AgendaItem, meeting: Meeting) -> AgendaItem:
    """Put a waiting item on a meeting the actor may change, of the item's neighborhood."""
    meeting = _require_meeting(actor, meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.meeting_id == meeting.pk:
        return item  # a retry
    if item.meeting_id is not None:
        raise ValidationError({"agenda_item": _("This item is already on another meeting's agenda.")})
    if item.neighborhood_id and meeting.neighborhood_id != item.neighborhood_id:
        raise ValidationError({"meeting": _("The meeting belongs to another neighborhood.")})
    if item.concern_id is not None:
        _check_concern(actor, meeting, item.origin, item.concern)
    item.meeting, item.order = meeting, meeting.agenda.count()
    item.save(update_fields=["meeting", "order"])
    audit.record("update", item, actor=actor, changes={"meeting": meeting.pk})
    return item


@transaction.atomic
def invite(*, actor, meeting: Meeting, role: str = "", partner_unit=None, department=None, resident=None):
    from gongzhi.org.roles import ROLES

    meeting = _require_meeting(actor, meeting)
    if role and role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    invitation = Invitation(
        meeting=meeting, role=role, partner_unit=partner_unit, department=department, resident=resident
    )
    if sum(bool(x) for x in (role, partner_unit, department, resident)) != 1:
        raise ValidationError(
            _("Invite one party at a time: a role, a partner unit, a department or a resident.")
        )
    outside = [
        name
        for name, party, subdistrict_id in (
            ("partner_unit", partner_unit, getattr(partner_unit, "subdistrict_id", None)),
            ("department", department, getattr(department, "subdistrict_id", None)),
            ("resident", resident, resident and resident.household.neighborhood.subdistrict_id),
        )
        if party is not None and subdistrict_id != meeting.subdistrict_id
    ]
    if outside:
        raise ValidationError({outside[0]: _("Invite parties of the meeting's subdistrict.")})
    invitation.save()
    audit.record("update", meeting, actor=actor, summary=f"{meeting.title}: + {invitation}"[:255])
    return invitation


@transaction.atomic
def record_minutes(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    meeting = _require_meeting(actor, meeting)
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes"])
    audit.record("update", meeting, actor=actor, changes={"minutes": len(meeting.minutes)})
    return meeting


@transaction.atomic
def record_decision(*, actor, meeting: Meeting, text: str, agenda_item=None, vote=None) -> Decision:
    meeting = _require_meeting(actor, meeting)
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the decision.")})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("That item is not on this meeting's agenda.")})
    decision = Decision.objects.create(meeting=meeting, text=text.strip(), agenda_item=agenda_item, vote=vote)
    audit.record("create", decision, actor=actor, area=(meeting.subdistrict_id, meeting.neighborhood_id))
    return decision


def staff_of_area(meeting: Meeting):
    """Who may own a meeting's task: staff holding a role in its subdistrict, on it or inside its neighborhood."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    inside = Q(role_assignments__neighborhood__isnull=True)
    if meeting.neighborhood_id:
        inside |= Q(role_assignments__neighborhood_id=meeting.neighborhood_id)
    users = get_user_model().objects.filter(inside, role_assignments__subdistrict_id=meeting.subdistrict_id)
    return users.distinct().order_by("username")


@transaction.atomic
def assign_task(*, actor, meeting: Meeting, title: str, owner, due_on: date, decision=None) -> FollowUpTask:
    """A follow-up task for one person; it appears in their task list until done."""
    meeting = _require_meeting(actor, meeting)
    if not (title or "").strip() or due_on is None or owner is None:
        raise ValidationError({"title": _("A task needs a title, an owner and a due date.")})
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError({"decision": _("That decision was not taken at this meeting.")})
    if not staff_of_area(meeting).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The owner must hold a role in the meeting's area.")})
    task = FollowUpTask.objects.create(
        meeting=meeting, decision=decision, title=title.strip(), owner=owner, due_on=due_on
    )
    audit.record("create", task, actor=actor, area=(meeting.subdistrict_id, meeting.neighborhood_id))
    return task


@transaction.atomic
def complete_task(*, actor, task: FollowUpTask) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().select_related("meeting").get(pk=task.pk)
    if task.owner_id != actor.pk and not permissions.can(actor, task.meeting, WRITE):
        raise NotInScope(_("No such task in your list."))
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(
            "complete", task, actor=actor, area=(task.meeting.subdistrict_id, task.meeting.neighborhood_id)
        )
    return task


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def cadence_of_year(year: int) -> list[tuple[str, str, date]]:
    """年初一计划、半年一回顾、每月一座谈、年终一评定: (kind, period, due date) for one year."""
    duties = [(Duty.Kind.ANNUAL_PLAN, f"{year}", date(year, 1, 31))]
    duties += [(Duty.Kind.MONTHLY_TALK, f"{year}-{m:02d}", _month_end(year, m)) for m in range(1, 13)]
    duties += [
        (Duty.Kind.HALF_YEAR_REVIEW, f"{year}-H1", date(year, 7, 31)),
        (Duty.Kind.YEAR_END_RATING, f"{year}", date(year, 12, 31)),
    ]
    return duties


@transaction.atomic
def schedule_cadence(*, actor, party_org: PartyOrg, year: int) -> list[Duty]:
    """The year's duties of one (outpost) branch; running it twice adds nothing."""
    path = _place_path(party_org=party_org)
    if not permissions.can_create(actor, Duty, path):
        raise PermissionDenied(_("You may not schedule duties here."))
    duties = []
    for kind, period, due_on in cadence_of_year(year):
        duty, created = Duty.objects.get_or_create(
            party_org=party_org,
            kind=kind,
            period=period,
            defaults={
                "subdistrict_id": path["subdistrict"],
                "neighborhood_id": path["neighborhood"],
                "due_on": due_on,
            },
        )
        duties.append(duty)
    audit.record("schedule", party_org, actor=actor, summary=f"{party_org.name}: {year}")
    return duties


@transaction.atomic
def complete_duty(*, actor, duty: Duty, meeting: Meeting | None = None) -> Duty:
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if not permissions.can(actor, duty, WRITE):
        raise NotInScope(_("No such duty in your area."))
    if duty.done_at is None:
        duty.done_at, duty.meeting = timezone.now(), meeting
        duty.save(update_fields=["done_at", "meeting"])
        audit.record("complete", duty, actor=actor)
    return duty


def cadence_of_meetings(year: int) -> list[tuple[str, str, date]]:
    """每周碰头会、每月交流会: one duty per ISO week (due its Sunday) and per month (due its last day)."""
    weeks = date(year, 12, 28).isocalendar().week  # 28 December always lies in the year's last week
    duties = [
        (Duty.Kind.WEEKLY_MEETING, f"{year}-W{w:02d}", date.fromisocalendar(year, w, 7))
        for w in range(1, weeks + 1)
    ]
    duties += [(Duty.Kind.MONTHLY_MEETING, f"{year}-{m:02d}", _month_end(year, m)) for m in range(1, 13)]
    return duties


def ensure_meeting_duties(neighborhood: Neighborhood, year: int) -> int:
    """The year's weekly and monthly meeting duties of one neighborhood; returns how many were new.

    Idempotent (a partial unique index backs it), so the scheduled task may run any number of times.
    """
    created = 0
    for kind, period, due_on in cadence_of_meetings(year):
        _duty, new = Duty.objects.get_or_create(
            party_org=None,
            neighborhood=neighborhood,
            kind=kind,
            period=period,
            defaults={"subdistrict_id": neighborhood.subdistrict_id, "due_on": due_on},
        )
        created += new
    return created


@transaction.atomic
def schedule_meeting_cadence(*, actor, neighborhood: Neighborhood, year: int) -> int:
    """Staff create a year's meeting duties by hand (the task does it for the current year)."""
    if not permissions.can_create(actor, Duty, _place_path(neighborhood=neighborhood)):
        raise PermissionDenied(_("You may not schedule duties here."))
    created = ensure_meeting_duties(neighborhood, year)
    audit.record("schedule", neighborhood, actor=actor, summary=f"{neighborhood.name}: {year}")
    return created


@transaction.atomic
def schedule_all_meeting_duties(*, year: int) -> int:
    """Run by the scheduled task for every neighborhood: no actor, so it is audited as the system."""
    created = sum(ensure_meeting_duties(n, year) for n in Neighborhood.objects.order_by("pk"))
    if created:
        audit.record("schedule", None, summary=f"meeting duties {year}: {created}")
    return created


MEETING_DUTY = {
    Meeting.Kind.WEEKLY: Duty.Kind.WEEKLY_MEETING,
    Meeting.Kind.MONTHLY: Duty.Kind.MONTHLY_MEETING,
}


def _complete_meeting_duty(actor, meeting: Meeting) -> None:
    """A weekly or monthly meeting fulfils its neighborhood's duty for that week or month."""
    kind = MEETING_DUTY.get(meeting.kind)
    if kind is None or meeting.neighborhood_id is None:
        return
    day = timezone.localtime(meeting.held_at).date()
    if kind == Duty.Kind.WEEKLY_MEETING:
        iso = day.isocalendar()
        period, due_on = f"{iso.year}-W{iso.week:02d}", date.fromisocalendar(iso.year, iso.week, 7)
    else:
        period, due_on = f"{day.year}-{day.month:02d}", _month_end(day.year, day.month)
    # The daily task may not have reached this period yet (a meeting planned far ahead): make the
    # one duty now, so the meeting still counts once the rest of the year is scheduled.
    Duty.objects.get_or_create(
        party_org=None,
        neighborhood_id=meeting.neighborhood_id,
        kind=kind,
        period=period,
        defaults={"subdistrict_id": meeting.subdistrict_id, "due_on": due_on},
    )
    duty = Duty.objects.select_for_update().get(
        party_org=None, neighborhood_id=meeting.neighborhood_id, kind=kind, period=period
    )
    if duty.done_at is None:
        duty.done_at, duty.meeting = timezone.now(), meeting
        duty.save(update_fields=["done_at", "meeting"])
        audit.record("complete", duty, actor=actor)
