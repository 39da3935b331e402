"""结对帮带 (1+1): pairs with goals, monthly logs by both, a review and outcome at the end."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.workforce.models import MentorLog, Mentorship, WorkerProfile
from gongzhi.workforce.services.common import area_path, require_create, text

MENTOR_LEVELS = ("team_lead", "secretary")  # heads and deputies mentor
MENTEE_LEVELS = ("novice", "regular")


@transaction.atomic
def pair_mentor(
    *, actor, mentor: WorkerProfile, mentee: WorkerProfile, goals: str, started_on: date, ends_on: date
) -> Mentorship:
    """Pair a head or deputy with a young worker, recorded in the mentee's neighborhood."""
    require_create(
        actor, Mentorship, area_path(mentee.neighborhood), refusal=_("You may not pair workers here.")
    )
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentee": _("A worker cannot mentor themself.")})
    if mentor.post_level not in MENTOR_LEVELS:
        raise ValidationError({"mentor": _("The mentor must be a team lead or secretary.")})
    if mentee.post_level not in MENTEE_LEVELS:
        raise ValidationError({"mentee": _("The mentee must be a novice or regular worker.")})
    if ends_on <= started_on:
        raise ValidationError({"ends_on": _("The pair must end after it starts.")})
    if Mentorship.objects.filter(mentee=mentee, status=Mentorship.Status.ACTIVE).exists():
        raise ValidationError({"mentee": _("This worker already has an active mentor.")})
    pair = Mentorship.objects.create(
        subdistrict_id=mentee.subdistrict_id,
        neighborhood=mentee.neighborhood,
        mentor=mentor,
        mentee=mentee,
        goals=text(goals, field="goals", max_length=2000),
        started_on=started_on,
        ends_on=ends_on,
    )
    audit.record("create", pair, actor=actor)
    return pair


def _require_member(actor, pair: Mentorship) -> WorkerProfile:
    """The actor's profile when they are the pair's mentor or mentee; others are refused."""
    if actor.pk in (pair.mentor.user_id, pair.mentee.user_id):
        return pair.mentor if actor.pk == pair.mentor.user_id else pair.mentee
    if permissions.can(actor, pair):
        raise PermissionDenied(_("Only the mentor and the mentee write the pair's logs."))
    raise NotInScope(_("No such record in your area."))


@transaction.atomic
def write_mentor_log(*, actor, mentorship: Mentorship, month: date, text_: str) -> MentorLog:
    """One log a month from each side of an active pair."""
    author = _require_member(actor, mentorship)
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise ValidationError({"month": _("The pair has been reviewed; its logs are closed.")})
    first = month.replace(day=1)
    if not mentorship.started_on.replace(day=1) <= first <= mentorship.ends_on:
        raise ValidationError({"month": _("The month lies outside the pair's time.")})
    if MentorLog.objects.filter(mentorship=mentorship, author=author, month=first).exists():
        raise ValidationError({"month": _("You have already written this month's log.")})
    log = MentorLog.objects.create(
        mentorship=mentorship, author=author, month=first, text=text(text_, field="text", max_length=4000)
    )
    audit.record("create", log, actor=actor)
    return log


@transaction.atomic
def review_pair(*, actor, mentorship: Mentorship, review: str, outcome: str = "") -> Mentorship:
    """The mentor or the neighborhood closes the pair with a review and its outcome."""
    pair = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if actor.pk != pair.mentor.user_id:
        permissions.require(actor, pair, denied=_("Only the mentor or the neighborhood reviews a pair."))
    if pair.status != Mentorship.Status.ACTIVE:
        raise ValidationError({"review": _("The pair has already been reviewed.")})
    pair.review = text(review, field="review", max_length=4000)
    pair.outcome = text(outcome, field="outcome", required=False)
    pair.status = Mentorship.Status.REVIEWED
    pair.save(update_fields=["review", "outcome", "status"])
    audit.record("update", pair, actor=actor, changes={"outcome": pair.outcome})
    return pair
