"""The promotion list written when a round is adopted: top scores, and early promotion for those
who served in emergencies (call-ups answered and posts held, from gongzhi.volunteers)."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.volunteers.models import CallUpAnswer, Volunteer
from gongzhi.workforce.models import Promotion

NEXT_LEVEL = {"novice": "regular", "regular": "team_lead", "team_lead": "secretary"}
TOP_SCORE = Decimal(90)  # a personal score from which a worker is put forward
EMERGENCY_WINDOW = timedelta(days=365)


def emergency_service(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """user id → (call-ups answered yes, posts held) over the last year."""
    since = timezone.now() - EMERGENCY_WINDOW
    rows = (
        Volunteer.objects.filter(user_id__in=user_ids)
        .annotate(
            answered=Count(
                "call_up_answers",
                filter=Q(
                    call_up_answers__answer=CallUpAnswer.Answer.YES,
                    call_up_answers__answered_at__gte=since,
                    call_up_answers__emergency__kind="real",  # a drill is rehearsal, not service
                ),
                distinct=True,
            ),
            posts=Count(
                "post_assignments",
                filter=Q(post_assignments__created_at__gte=since, post_assignments__emergency__kind="real"),
                distinct=True,
            ),
        )
        .values_list("user_id", "answered", "posts")
    )
    return {user_id: (answered, posts) for user_id, answered, posts in rows if answered}


def promotion_list(assessment, personal_scores: list) -> list[Promotion]:
    """Write and return the round's promotion list with each entry's reason."""
    entries = []
    for s in personal_scores:
        level = s.profile.post_level
        if level in NEXT_LEVEL and s.score >= TOP_SCORE:
            detail = f"{s.score}"
            entries.append(
                Promotion(
                    round=assessment,
                    profile=s.profile,
                    to_level=NEXT_LEVEL[level],
                    reason=Promotion.Reason.TOP_SCORE,
                    detail=detail,
                )
            )
    listed = {e.profile.pk for e in entries}
    eligible = [s.profile for s in personal_scores if s.profile.post_level in ("novice", "regular")]
    served = emergency_service([p.user_id for p in eligible if p.pk not in listed])
    for profile in eligible:
        if profile.user_id in served:
            answered, posts = served[profile.user_id]
            entries.append(
                Promotion(
                    round=assessment,
                    profile=profile,
                    to_level=NEXT_LEVEL[profile.post_level],
                    reason=Promotion.Reason.EMERGENCY,
                    detail=f"{answered}/{posts}",
                )
            )
    return Promotion.objects.bulk_create(entries)
