"""Setting a vote up: the draft, its electorate snapshot, grouped units, excused members, disclosure, opening."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.permissions import require
from gongzhi.deliberation import rules, seal
from gongzhi.deliberation.models import Candidate, Elector, ElectorUnit, Vote
from gongzhi.deliberation.services.places import VOTE_DENIED, _place_path
from gongzhi.org.models import Compound, Household, Neighborhood, PartyMember, PartyOrg, Resident

MIN_REASON = 4


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
    require(actor, vote, denied=VOTE_DENIED)
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
def open_vote(*, actor, vote: Vote, seal_key: str = "", shares: int = 1) -> Vote:
    """Open the vote. A secret vote needs the scrutineers' public key: given (made off the server
    with `gongzhi votes keypair`), or made here, its private key handed back once on
    `vote.scrutineer_key_shares` and never stored."""
    vote = _locked_draft(actor, vote)
    if vote.kind == Vote.Kind.PARTY_ASSEMBLY and vote.disclosed_at is None:
        raise ValidationError(_("Disclose principle, content, procedure and accountability before voting."))
    if not vote.electors.exists():
        raise ValidationError(_("The electorate is empty."))
    shares_out: list[str] = []
    if vote.secret:
        try:
            if seal_key.strip():
                vote.seal_key = seal.check_public(seal_key)
            else:
                vote.seal_key, shares_out = seal.new_keypair(shares)
        except seal.SealError:
            raise ValidationError(
                {"seal_key": _("The scrutineers' public key is 64 hexadecimal characters.")}
            ) from None
    vote.status = Vote.Status.OPEN
    vote.save(update_fields=["status", "seal_key"])
    audit.record(
        "open", vote, actor=actor, changes={"electors": vote.electors.count(), "seal_key": vote.seal_key}
    )
    vote.scrutineer_key_shares = shares_out
    return vote
