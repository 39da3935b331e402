"""Counting, closing, publishing: the result always recomputed from the stored rows by the rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.permissions import require
from gongzhi.deliberation import rules
from gongzhi.deliberation.models import AgendaItem, Ballot, Vote, VoterReceipt
from gongzhi.deliberation.services.places import VOTE_DENIED


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
    require(actor, vote, denied=VOTE_DENIED)
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
