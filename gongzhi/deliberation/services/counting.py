"""Counting, closing, publishing: the result always recomputed from the stored rows by the rules."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.permissions import require
from gongzhi.deliberation import rules, seal
from gongzhi.deliberation.models import AgendaItem, Ballot, SealedBallot, Vote, VoterReceipt
from gongzhi.deliberation.services.places import VOTE_DENIED


def KEY_REFUSED() -> str:  # noqa: N802 - a message, translated when raised
    return _(
        "The scrutineers' key does not open this vote's ballots: give the private key of the vote, "
        "or all its shares joined by '+'."
    )


def _owner_ballots(vote: Vote, ballots: list[Ballot]) -> list[rules.OwnerBallot]:
    """Area and choice per ballot; for a secret vote the areas only as sums per choice, which is
    all the rule adds up (`rules._sums`): one ballot of a choice carries the sum, the others 0."""
    if not vote.secret:
        return [rules.OwnerBallot(rules.area_cents(b.area), b.choice) for b in ballots]
    weights, out = dict(vote.secret_weights or {}), []
    for b in ballots:
        out.append(rules.OwnerBallot(weights.pop(b.choice, 0), b.choice))
    return out


def count_vote(vote: Vote) -> dict:
    """The result recomputed from the stored electorate and live ballots by the rule functions.
    Sealed ballots of a running secret vote are counted as ballots but tallied only once unsealed."""
    electors = vote.electors.all()
    ballots = list(Ballot.objects.filter(vote=vote, voided_at__isnull=True))
    sealed = SealedBallot.objects.filter(vote=vote).count()
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
            ballots=_owner_ballots(vote, ballots),
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
    return result | {"ballots": len(ballots) + sealed, "receipts": receipts}


@transaction.atomic
def close_vote(*, actor, vote: Vote, scrutineer_key: str = "") -> Vote:
    """Close and count. A secret vote's boxes are unsealed with the scrutineers' key (typed in
    here, never stored) and tallied in this transaction, which writes no receipt."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote, denied=VOTE_DENIED)
    if vote.status != Vote.Status.OPEN:
        raise ValidationError(_("Only an open vote can be closed."))
    if timezone.now() < vote.closes_at:
        raise ValidationError(_("The voting window has not ended yet."))
    if vote.secret:
        _unseal_ballots(vote, scrutineer_key)
    vote.status, vote.closed_at, vote.result = Vote.Status.CLOSED, timezone.now(), count_vote(vote)
    vote.save(update_fields=["status", "closed_at", "result", "secret_weights"])
    audit.record(
        "close", vote, actor=actor, changes={"valid": vote.result["valid"], "passed": vote.result["passed"]}
    )
    return vote


def _unseal_ballots(vote: Vote, scrutineer_key: str) -> None:
    """Open every box, shuffle, write the tallied ballots (random ids, no voter, no time, no area;
    an owner's area sealed again on its own, only to void it) and delete the boxes."""
    boxes = list(SealedBallot.objects.filter(vote=vote).values_list("box", flat=True))
    vote.secret_weights = {}
    if not boxes:
        return
    try:
        private = seal.private_key(scrutineer_key, vote.seal_key)
        opened = [seal.unseal(private, box) for box in boxes]
    except seal.SealError:
        raise ValidationError({"scrutineer_key": KEY_REFUSED()}) from None
    secrets.SystemRandom().shuffle(opened)  # insertion order (ids, ctid, rowid) says nothing
    owners = vote.kind == Vote.Kind.OWNERS
    tallied = []
    for ballot in opened:
        if owners:
            cents = rules.area_cents(ballot["area"])
            vote.secret_weights[ballot["choice"]] = vote.secret_weights.get(ballot["choice"], 0) + cents
        tallied.append(
            Ballot(
                vote=vote,
                choice=ballot["choice"],
                ticks=ballot["ticks"],
                weight_box=seal.seal(vote.seal_key, {"area": ballot["area"]}) if owners else None,
            )
        )
    Ballot.objects.bulk_create(tallied)
    SealedBallot.objects.filter(vote=vote).delete()


@transaction.atomic
def publish_result(*, actor, vote: Vote) -> Vote:
    """The notice with the full tally (公示); on a tick-list, projects at their threshold go on the agenda."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    require(actor, vote, denied=VOTE_DENIED)
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
