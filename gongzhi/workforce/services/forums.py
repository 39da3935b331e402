"""社工论坛 on the 23rd with speakers in rotation and 学写讲评 ratings; secretaries' roundtables as meetings."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import NotInScope
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Meeting
from gongzhi.org.models import PartyOrg
from gongzhi.workforce.models import Forum, ForumRating, WorkerProfile
from gongzhi.workforce.services.common import require_create, text

FORUM_DAY = 23  # 余姚's 社工论坛 meets on the 23rd of each month


def forum_dates(year: int, first_month: int, months: int, day: int = FORUM_DAY) -> list[date]:
    """The forum days of `months` months from `first_month` of `year`."""
    found = []
    for i in range(months):
        y, m = divmod(first_month - 1 + i, 12)
        found.append(date(year + y, m + 1, day))
    return found


def next_speaker(subdistrict) -> WorkerProfile | None:
    """Whose turn it is: the worker who has spoken least, then longest ago, then by name."""
    spoken = (
        Forum.objects.filter(subdistrict=subdistrict, kind=Forum.Kind.WORKER_FORUM, speaker__isnull=False)
        .values("speaker")
        .annotate(n=Count("id"), last=Max("held_on"))
    )
    record = {row["speaker"]: (row["n"], row["last"]) for row in spoken}
    workers = WorkerProfile.objects.filter(subdistrict=subdistrict)
    return min(workers, key=lambda w: (*record.get(w.pk, (0, date.min)), w.name, w.pk), default=None)


@transaction.atomic
def schedule_forums(
    *, actor, subdistrict, year: int, first_month: int, months: int, topics: list[str]
) -> list:
    """Forums on the 23rd for `months` months, each with the next speaker in rotation."""
    require_create(
        actor, Forum, {"subdistrict": subdistrict.pk}, refusal=_("Only the subdistrict runs forums.")
    )
    if len(topics) != months or not 1 <= months <= 12:
        raise ValidationError({"topics": _("Give one topic for each month (at most 12).")})
    made = []
    for held_on, topic in zip(forum_dates(year, first_month, months), topics, strict=True):
        if Forum.objects.filter(
            subdistrict=subdistrict, kind=Forum.Kind.WORKER_FORUM, held_on=held_on
        ).exists():
            raise ValidationError(
                {"first_month": _("A forum is already scheduled on %(d)s.") % {"d": held_on}}
            )
        speaker = next_speaker(subdistrict)  # counts the forums made above: the rotation moves on
        forum = Forum.objects.create(
            subdistrict=subdistrict,
            kind=Forum.Kind.WORKER_FORUM,
            held_on=held_on,
            topic=text(topic, field="topics", max_length=200),
            speaker=speaker,
        )
        audit.record("create", forum, actor=actor)
        made.append(forum)
    return made


@transaction.atomic
def hold_roundtable(*, actor, subdistrict, held_on: date, topic: str, minutes: str) -> Forum:
    """A secretaries' roundtable, kept as a round-table meeting of the subdistrict party committee."""
    require_create(
        actor, Forum, {"subdistrict": subdistrict.pk}, refusal=_("Only the subdistrict runs forums.")
    )
    committee = PartyOrg.objects.filter(subdistrict=subdistrict, level=PartyOrg.Level.COMMITTEE).first()
    if committee is None:
        raise ValidationError({"topic": _("The subdistrict has no party committee to hold the roundtable.")})
    held_at = timezone.make_aware(datetime.combine(held_on, time(14, 0)))
    title = text(topic, field="topic", max_length=200)
    meeting = deliberation.create_meeting(
        actor=actor, kind=Meeting.Kind.ROUND_TABLE, title=title, held_at=held_at, party_org=committee
    )
    deliberation.record_minutes(
        actor=actor, meeting=meeting, minutes=text(minutes, field="minutes", max_length=20000)
    )
    forum = Forum.objects.create(
        subdistrict=subdistrict, kind=Forum.Kind.ROUNDTABLE, held_on=held_on, topic=title, meeting=meeting
    )
    audit.record("create", forum, actor=actor)
    return forum


def _rating_value(value, field: str) -> int:
    text_value = str(value).strip()
    if text_value not in {"1", "2", "3", "4", "5"}:
        raise ValidationError({field: _("Rate from 1 to 5.")})
    return int(text_value)


@transaction.atomic
def rate_forum(*, actor, forum: Forum, learning, writing, speaking, reviewing) -> ForumRating:
    """An attending worker rates the talk on 学、写、讲、评; the speaker does not rate themself."""
    rater = WorkerProfile.objects.filter(user_id=actor.pk, subdistrict_id=forum.subdistrict_id).first()
    if rater is None:
        raise NotInScope(_("No such record in your area."))
    if forum.kind != Forum.Kind.WORKER_FORUM or forum.speaker_id == rater.pk:
        raise PermissionDenied(_("You cannot rate this forum."))
    if forum.held_on > timezone.localdate():
        raise ValidationError({"learning": _("The forum has not taken place yet.")})
    given = {"learning": learning, "writing": writing, "speaking": speaking, "reviewing": reviewing}
    values = {field: _rating_value(value, field) for field, value in given.items()}
    rating, created = ForumRating.objects.update_or_create(forum=forum, rater=rater, defaults=values)
    audit.record("create" if created else "update", rating, actor=actor, changes=values)
    return rating
