"""多头打分: rounds with weighted rater groups, phone scoring, adoption with bonuses and promotions.

A round is adopted once: the bonus rule (gongzhi.workforce.bonus, the same function as the
command line) fixes every worker's share, and nothing in the round changes afterwards.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.workforce import bonus as rule
from gongzhi.workforce import criteria as round_criteria
from gongzhi.workforce.models import (
    AssessmentRound,
    Bonus,
    NeighborhoodRating,
    PersonalScore,
    RaterGroup,
    WorkerProfile,
)
from gongzhi.workforce.services.common import decimal, require_create, text
from gongzhi.workforce.services.promotions import promotion_list

HUNDRED = Decimal(100)


@transaction.atomic
def open_round(
    *,
    actor,
    subdistrict,
    title: str,
    kind: str,
    period: str,
    pool,
    groups: list[tuple[str, str, str]],
    level_factors: dict | None = None,
    criteria: list[dict] | None = None,
) -> AssessmentRound:
    """A round open for scoring; `groups` are (code, name, weight) of the rater groups, `criteria`
    the criteria blended into a level's personal score (gongzhi.workforce.criteria)."""
    path = {"subdistrict": subdistrict.pk}
    require_create(
        actor, AssessmentRound, path, refusal=_("Only the subdistrict's personnel roles run assessments.")
    )
    if kind not in AssessmentRound.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of round.")})
    if not groups or len({code for code, _n, _w in groups}) != len(groups):
        raise ValidationError({"groups": _("Give each rater group once, with a code, a name and a weight.")})
    factors = {
        k: str(decimal(v, field="level_factors", low=Decimal("0.01"), high=Decimal(100)))
        for k, v in (level_factors or rule.DEFAULT_LEVELS).items()
    }
    assessment = AssessmentRound.objects.create(
        subdistrict=subdistrict,
        title=text(title, field="title", max_length=128),
        kind=kind,
        period=text(period, field="period", max_length=16),
        level_factors=factors,
        criteria=round_criteria.clean(criteria),
        pool=decimal(pool, field="pool", low=Decimal(0), high=Decimal("999999999999.99")),
    )
    for code, name, weight in groups:
        RaterGroup.objects.create(
            round=assessment,
            code=text(code, field="groups", max_length=32),
            name=text(name, field="groups", max_length=64),
            weight=decimal(weight, field="groups", low=Decimal("0.01"), high=Decimal(1000)),
        )
    audit.record(
        "create",
        assessment,
        actor=actor,
        changes={"pool": str(assessment.pool), "groups": len(groups), "criteria": assessment.criteria},
    )
    return assessment


def _open_locked(actor, assessment: AssessmentRound) -> AssessmentRound:
    permissions.require(actor, assessment, denied=_("Only the subdistrict's personnel roles change rounds."))
    locked = AssessmentRound.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentRound.Status.OPEN:
        raise ValidationError({"round": _("The round has been adopted and can no longer change.")})
    return locked


@transaction.atomic
def add_rater(*, actor, group: RaterGroup, user) -> RaterGroup:
    """Make an account a rater of a group (a department head, a 微社区 group leader)."""
    _open_locked(actor, group.round)
    group.raters.add(user)
    audit.record("update", group, actor=actor, changes={"rater_added": user.pk})
    return group


@transaction.atomic
def score_neighborhood(*, actor, group: RaterGroup, neighborhood, score) -> NeighborhoodRating:
    """A rater scores a neighborhood for their group, from a phone; a later score replaces theirs."""
    if not group.raters.filter(pk=actor.pk).exists():
        raise NotInScope(_("You are not a rater of this group."))
    assessment = AssessmentRound.objects.select_for_update().get(pk=group.round_id)
    if assessment.status != AssessmentRound.Status.OPEN:
        raise ValidationError({"score": _("The round has been adopted and can no longer change.")})
    if neighborhood.subdistrict_id != assessment.subdistrict_id:
        raise ValidationError({"neighborhood": _("The neighborhood is not part of this round.")})
    value = decimal(score, field="score", low=Decimal(0), high=HUNDRED)
    rating, created = NeighborhoodRating.objects.update_or_create(
        group=group, rater=actor, neighborhood=neighborhood, defaults={"round": assessment, "score": value}
    )
    audit.record("create" if created else "update", rating, actor=actor, changes={"score": str(value)})
    return rating


@transaction.atomic
def set_personal_score(*, actor, round: AssessmentRound, profile: WorkerProfile, score) -> PersonalScore:
    """A worker's personal score for the round (0–100)."""
    assessment = _open_locked(actor, round)
    if profile.subdistrict_id != assessment.subdistrict_id:
        raise ValidationError({"profile": _("The worker is not part of this round.")})
    value = decimal(score, field="score", low=Decimal(0), high=HUNDRED)
    entry, _created = PersonalScore.objects.update_or_create(
        round=assessment, profile=profile, defaults={"score": value}
    )
    audit.record("update", entry, actor=actor, changes={"score": str(value)})
    return entry


def personal_scores(assessment: AssessmentRound) -> list[tuple[PersonalScore, Decimal]]:
    """Each entered personal score with the score the rule takes (blended with the round's criteria)."""
    scores = list(
        assessment.personal_scores.select_related("profile__neighborhood").order_by(
            "profile__name", "profile_id"
        )
    )
    if not assessment.criteria:
        return [(s, s.score) for s in scores]
    places = {s.profile.neighborhood for s in scores}
    found = round_criteria.scores_by_neighborhood(assessment, places)
    return [
        (
            s,
            round_criteria.blended(
                s.score, s.profile.post_level, s.profile.neighborhood_id, assessment.criteria, found
            ),
        )
        for s in scores
    ]


def rule_inputs(assessment: AssessmentRound):
    """The round's records as the bonus rule's inputs: ratings, weights, workers, levels."""
    ratings = [
        rule.Rating(r.group.code, str(r.rater_id), str(r.neighborhood_id), r.score)
        for r in assessment.ratings.select_related("group")
    ]
    weights = {g.code: g.weight for g in assessment.groups.all()}
    workers = [
        rule.Worker(
            str(s.profile_id), str(s.profile.neighborhood_id), s.profile.post_level, used, s.profile.name
        )
        for s, used in personal_scores(assessment)
    ]
    levels = {k: Decimal(v) for k, v in assessment.level_factors.items()}
    return ratings, weights, workers, levels


def bonus_error_message(error: rule.BonusError) -> str:
    """The bonus rule's refusal in the reader's language. On a round the rule's `where` is the
    worker's name; groups and levels are the round's own codes."""
    params = {**error.params, "where": error.where}
    messages = {
        "pool_negative": _("The bonus pool cannot be negative."),
        "pool_precision": _("The bonus pool must be in yuan with at most 2 decimals, below 10^12."),
        "group_without_weight": _("Rater group %(group)s has no weight."),
        "unknown_level": _("%(where)s: unknown post level %(level)s."),
        "unscored_neighborhood": _("%(where)s: nobody has scored this worker's neighborhood yet."),
        "duplicate_worker": _("%(where)s is listed twice."),
        "no_points": _("No points to share: every worker has 0 points. Enter personal scores first."),
    }
    message = messages.get(error.code, _("The round's records do not give a bonus yet."))
    return message % params


def preview_round(*, actor, round: AssessmentRound) -> list[rule.Share]:
    """What adoption would pay, computed by the same rule, for the personnel roles to check first."""
    permissions.require(actor, round, action=permissions.READ)
    ratings, weights, workers, levels = rule_inputs(round)
    try:
        return rule.compute(ratings, weights, workers, round.pool, levels)
    except rule.BonusError as e:
        raise ValidationError({"round": ValidationError(bonus_error_message(e), code=e.code)}) from None


@transaction.atomic
def adopt_round(*, actor, round: AssessmentRound) -> AssessmentRound:
    """Fix the round: every worker's bonus and the promotion list; afterwards nothing changes."""
    assessment = _open_locked(actor, round)
    if not permissions.can(actor, assessment, permissions.WRITE):
        raise PermissionDenied(_("Only the subdistrict's personnel roles change rounds."))
    shares = preview_round(actor=actor, round=assessment)
    used = {s.profile_id: (s, score) for s, score in personal_scores(assessment)}
    Bonus.objects.bulk_create(
        Bonus(
            round=assessment,
            profile_id=int(s.worker),
            post_level=used[int(s.worker)][0].profile.post_level,
            personal_score=used[int(s.worker)][1],
            neighborhood_score=rule.display(s.neighborhood_score),
            points=rule.display(s.points),
            amount=s.bonus,
        )
        for s in shares
    )
    scores = {pk: entry for pk, (entry, _used) in used.items()}
    promotion_list(assessment, list(scores.values()))
    assessment.status, assessment.adopted_at, assessment.adopted_by = (
        AssessmentRound.Status.ADOPTED,
        timezone.now(),
        actor,
    )
    assessment.save(update_fields=["status", "adopted_at", "adopted_by"])
    audit.record(
        "adopt", assessment, actor=actor, changes={"workers": len(shares), "pool": str(assessment.pool)}
    )
    return assessment
