"""Casting: a resident's online ballot, paper ballots typed in by staff, voiding one."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.permissions import require
from gongzhi.deliberation import rules, seal
from gongzhi.deliberation.models import Ballot, Channel, Elector, SealedBallot, Vote, VoterReceipt
from gongzhi.deliberation.services.counting import KEY_REFUSED, count_vote
from gongzhi.deliberation.services.places import VOTE_DENIED
from gongzhi.deliberation.services.setup import MIN_REASON
from gongzhi.org.models import PartyMember, Resident


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
    if vote.secret:
        # Sealed: the row sits beside the receipt (same transaction), but reads as noise of one
        # length until the scrutineers unseal every box at closing (services/counting.py).
        box = seal.seal(vote.seal_key, {"choice": choice, "ticks": ticks, "area": str(elector.area)})
        SealedBallot.objects.create(vote=vote, box=box)
    else:
        Ballot.objects.create(vote=vote, elector=elector, choice=choice, ticks=ticks, area=elector.area)
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
    require(actor, vote, denied=VOTE_DENIED)
    return _record_ballot(
        vote=vote, elector=elector, choice=choice, ticks=ticks, channel=Channel.PAPER, entered_by=actor
    )


@transaction.atomic
def void_ballot(
    *, actor, vote: Vote, reason: str, elector: Elector | None = None, ballot_id=None, scrutineer_key=""
) -> None:
    """The only correction: audited, with a reason. An open ballot is voided with its receipt, so
    the voter may vote again; a secret ballot is voided by its number once the scrutineers have
    unsealed the ballots at closing, and its voter stays voted. A secret owners' ballot takes the
    scrutineers' key too: its area is sealed and leaves the tally with it."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote, denied=VOTE_DENIED)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("State why the ballot is void (at least 4 characters).")})
    if vote.status not in (Vote.Status.OPEN, Vote.Status.CLOSED):
        raise ValidationError(_("Ballots can be voided only before the result is published."))
    now = timezone.now()
    live = Ballot.objects.filter(vote=vote, voided_at__isnull=True)
    if vote.secret:
        if vote.status != Vote.Status.CLOSED:
            raise ValidationError(_("Secret ballots can be voided once the vote is closed and unsealed."))
        ballot = live.filter(pk=ballot_id).first() if ballot_id else None
        count = _void_secret(vote, ballot, now, reason, scrutineer_key) if ballot else 0
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


def _void_secret(vote: Vote, ballot: Ballot, now, reason: str, scrutineer_key: str) -> int:
    if vote.kind == Vote.Kind.OWNERS:
        try:
            weight = seal.unseal(seal.private_key(scrutineer_key, vote.seal_key), ballot.weight_box)
        except seal.SealError:
            raise ValidationError({"scrutineer_key": KEY_REFUSED()}) from None
        weights = dict(vote.secret_weights or {})
        weights[ballot.choice] = weights.get(ballot.choice, 0) - rules.area_cents(weight["area"])
        vote.secret_weights = weights
        vote.save(update_fields=["secret_weights"])
    return Ballot.objects.filter(pk=ballot.pk).update(voided_at=now, void_reason=reason[:255])
