"""Allocation rules and allocations: next year's budget per owner organisation from the ranking."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.separation import require_second_person
from gongzhi.org.models import PartyOrg, Subdistrict
from gongzhi.projects import allocation, rules
from gongzhi.projects.models import (
    Allocation,
    AllocationLine,
    AllocationRule,
    Project,
    ReviewRound,
    RoundBaseline,
)
from gongzhi.projects.services.access import require_subdistrict
from gongzhi.projects.services.money import fen
from gongzhi.projects.services.reviews import Ranked, ranking
from gongzhi.projects.services.work import requested_budget


@transaction.atomic
def save_rule(
    *, actor, subdistrict: Subdistrict, name: str, top: int, raise_percent, bottom: int, cut_percent
) -> AllocationRule:
    require_subdistrict(actor, subdistrict.pk)
    try:
        allocation.Rule(int(top), Decimal(str(raise_percent)), int(bottom), Decimal(str(cut_percent)))
    except (allocation.AllocationError, InvalidOperation, ValueError) as e:
        raise ValidationError({"rule": str(e)}) from None
    rule = AllocationRule(
        subdistrict=subdistrict,
        name=(name or "").strip(),
        top=top,
        raise_percent=raise_percent,
        bottom=bottom,
        cut_percent=cut_percent,
    )
    rule.full_clean()
    rule.save()
    audit.record(
        "create",
        rule,
        actor=actor,
        changes={"top": top, "raise": str(raise_percent), "bottom": bottom, "cut": str(cut_percent)},
    )
    return rule


@dataclass
class OrgBudget:
    """An owner organisation's budget for the next round, from its latest adopted allocation."""

    line: AllocationLine
    allocated: Decimal  # the line's new amount
    approved_since: Decimal  # approved for the organisation's other projects since adoption
    left: Decimal
    suggested: Decimal  # the approval pre-fill for this project


def org_budget(project: Project) -> OrgBudget | None:
    """What the latest adopted allocation gives the project's owner organisation, what its other
    projects approved since that round's first adoption already took, and this project's share of
    the rest: the rest in proportion to the requested budgets of the organisation's projects
    awaiting approval (all of it when this is the only one)."""
    line = (
        AllocationLine.objects.filter(org_id=project.owner_id, allocation__status=Allocation.Status.ADOPTED)
        .select_related("allocation")
        .order_by("-allocation__adopted_at", "-id")
        .first()
    )
    if line is None:
        return None
    since = Allocation.objects.filter(
        review_round_id=line.allocation.review_round_id, adopted_at__isnull=False
    ).aggregate(t=Min("adopted_at"))["t"]
    others = (
        Project.objects.filter(owner_id=project.owner_id, approved_budget__isnull=False)
        .filter(steps__to_state=rules.APPROVED, steps__at__gte=since)
        .exclude(pk=project.pk)
        .distinct()
    )
    taken = fen(sum((p.approved_budget for p in others), Decimal(0)))
    left = max(line.new - taken, Decimal("0.00"))
    awaiting = Project.objects.filter(
        owner_id=project.owner_id, state__in=(rules.SUBMITTED, rules.UNDER_REVIEW)
    ).exclude(pk=project.pk)
    mine = requested_budget(project)
    total = mine + sum((requested_budget(p) for p in awaiting), Decimal(0))
    suggested = left if total <= 0 or total == mine else fen(left * mine / total)
    return OrgBudget(line, line.new, taken, left, min(suggested, left))


def current_budget(project: Project) -> Decimal:
    return project.approved_budget if project.approved_budget is not None else requested_budget(project)


GROUP_REASONS = {
    allocation.TOP: "top",
    allocation.BOTTOM: "bottom",
    allocation.BOTH: "both",
    allocation.MIDDLE: "middle",
}


def reason_text(line: allocation.Line, rule: allocation.Rule, total: int) -> str:
    """The allocation's reason for one line, in the reader's language (the command writes English)."""
    values = {
        "rank": line.rank,
        "total": total,
        "from_bottom": line.rank_from_bottom,
        "top": rule.top,
        "bottom": rule.bottom,
        "up": allocation.percent_text(rule.raise_percent),
        "cut": allocation.percent_text(rule.cut_percent),
    }
    return {
        allocation.TOP: _("rank %(rank)s of %(total)s: in the top %(top)s, +%(up)s%%"),
        allocation.BOTTOM: _(
            "rank %(rank)s of %(total)s (%(from_bottom)s from the bottom): in the bottom %(bottom)s, -%(cut)s%%"
        ),
        allocation.BOTH: _(
            "rank %(rank)s of %(total)s (%(from_bottom)s from the bottom): in both the top %(top)s and the bottom "
            "%(bottom)s (too few organisations), budget kept"
        ),
        allocation.MIDDLE: _("rank %(rank)s of %(total)s: budget kept"),
    }[line.group] % values


def notes_text(lines: list[allocation.Line], rule: allocation.Rule) -> str:
    texts = {
        allocation.TIE_TOP: _("tie at the top edge: %(n)s organisations share the top %(top)s ranks"),
        allocation.TIE_BOTTOM: _(
            "tie at the bottom edge: %(n)s organisations share the bottom %(bottom)s ranks"
        ),
        allocation.BOTH_GROUPS: _("%(n)s organisations fall in both groups and keep their budget"),
    }
    return "; ".join(texts[code] % values for code, values in allocation.edge_notes(lines, rule))


def baselines(review_round: ReviewRound, projects) -> dict[int, Decimal]:
    """Each project's budget as the round's allocation first saw it, pinned on first sight so that
    a second preview (after approving at the allocated amount) starts from the same place."""
    pinned = dict(RoundBaseline.objects.filter(review_round=review_round).values_list("project_id", "budget"))
    fresh = [
        RoundBaseline(review_round=review_round, project=p, budget=current_budget(p))
        for p in projects
        if p.pk not in pinned
    ]
    RoundBaseline.objects.bulk_create(fresh)
    pinned.update({b.project_id: b.budget for b in fresh})
    return pinned


SCORE_PLACES = Decimal("0.0001")


@dataclass
class OrgRound:
    """An owner organisation in a round: the mean of its projects' panel results and the sum of
    their baseline budgets."""

    org: PartyOrg
    rows: list
    score: Decimal
    budget: Decimal


def org_rounds(rows: list[Ranked], pinned: dict[int, Decimal]) -> list[OrgRound]:
    grouped: dict[int, list[Ranked]] = {}
    for r in rows:
        grouped.setdefault(r.project.owner_id, []).append(r)
    result = []
    for members in grouped.values():
        mean = sum(r.result for r in members) / len(members)
        result.append(
            OrgRound(
                members[0].project.owner,
                members,
                mean.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP),
                fen(sum(pinned[r.project.pk] for r in members)),
            )
        )
    return result


@transaction.atomic
def preview_allocation(*, actor, review_round: ReviewRound, rule: AllocationRule | None = None) -> Allocation:
    """Apply the round's rule per owner organisation: a preview that changes nothing until adopted.
    The round is locked so two previews pin the same baselines."""
    require_subdistrict(actor, review_round.subdistrict_id)
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    rule = rule or review_round.rule
    if rule is None:
        raise ValidationError({"rule": _("Choose an allocation rule for this round first.")})
    if rule.subdistrict_id != review_round.subdistrict_id:
        raise ValidationError({"rule": _("The allocation rule belongs to another subdistrict.")})
    rows = ranking(review_round)
    unscored = [r.project for r in rows if r.result is None]
    if not rows:
        raise ValidationError({"projects": _("The round has no projects.")})
    if unscored:
        raise ValidationError(
            {"scores": _("%(project)s has no complete score yet.") % {"project": unscored[0]}}
        )
    pure_rule = allocation.Rule(rule.top, rule.raise_percent, rule.bottom, rule.cut_percent)
    orgs = {str(o.org.pk): o for o in org_rounds(rows, baselines(review_round, [r.project for r in rows]))}
    lines = allocation.allocate(
        {k: o.score for k, o in orgs.items()}, {k: o.budget for k, o in orgs.items()}, pure_rule
    )
    result = Allocation.objects.create(
        review_round=review_round,
        rule_name=rule.name,
        top=rule.top,
        raise_percent=rule.raise_percent,
        bottom=rule.bottom,
        cut_percent=rule.cut_percent,
        explanation=notes_text(lines, pure_rule),
        created_by=actor,
    )
    pinned = dict(RoundBaseline.objects.filter(review_round=review_round).values_list("project_id", "budget"))
    AllocationLine.objects.bulk_create(
        AllocationLine(
            allocation=result,
            org=orgs[line.org].org,
            rank=line.rank,
            score=line.score,
            old=line.old,
            new=line.new,
            reason=reason_text(line, pure_rule, len(lines)),
            projects=[
                {
                    "id": r.project.pk,
                    "title": r.project.title,
                    "result": str(r.result),
                    "budget": str(pinned[r.project.pk]),
                }
                for r in orgs[line.org].rows
            ],
        )
        for line in lines
    )
    audit.record("preview", result, actor=actor, summary=f"{review_round} · {rule.name}")
    return result


@transaction.atomic
def adopt_allocation(*, actor, allocation_obj: Allocation, reason: str = "") -> Allocation:
    """Adopt a preview; an earlier adopted allocation of the round is superseded, never changed.
    Four eyes (core/separation.py): a subdistrict colleague adopts, not the one who previewed, as
    adopting sets every owner organisation's budget for the next round."""
    require_subdistrict(actor, allocation_obj.review_round.subdistrict_id)
    ReviewRound.objects.select_for_update().get(pk=allocation_obj.review_round_id)  # one adoption at a time
    target = Allocation.objects.select_for_update().get(pk=allocation_obj.pk)
    require_second_person(target.created_by_id, actor, step=_("Adopting an allocation"))
    if target.status != Allocation.Status.PREVIEW:
        raise ValidationError(
            {
                "status": _("Only a preview can be adopted; this one is %(status)s.")
                % {"status": target.get_status_display()}
            }
        )
    previous = Allocation.objects.filter(
        review_round_id=target.review_round_id, status=Allocation.Status.ADOPTED
    ).first()
    if previous is not None:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for replacing the adopted allocation.")})
        previous.status = Allocation.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        audit.record("supersede", previous, actor=actor, reason=reason, changes={"by": target.pk})
        target.supersedes = previous
    target.status = Allocation.Status.ADOPTED
    target.adopted_by, target.adopted_at, target.reason = actor, timezone.now(), (reason or "").strip()
    target.save(update_fields=["status", "adopted_by", "adopted_at", "reason", "supersedes"])
    audit.record(
        "adopt",
        target,
        actor=actor,
        reason=reason,
        changes={str(x.org_id): [str(x.old), str(x.new)] for x in target.lines.all()},
    )
    return target
