"""Emergency call-ups: posts, shifts, needs, the call-up itself, answers and standing down."""

import functools
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, jobs, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import require
from gongzhi.notifications import services as notify_services
from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.volunteers import assignment as engine
from gongzhi.volunteers.models import (
    DRILL_MARK,
    CallUpAnswer,
    Emergency,
    EmergencyPost,
    EmergencyShift,
    PostNeed,
    Volunteer,
)
from gongzhi.volunteers.services.common import clean_skills
from gongzhi.volunteers.services.planning import drop_out_answer


@transaction.atomic
def open_emergency(
    *,
    actor,
    subdistrict: Subdistrict,
    title: str,
    neighborhood: Neighborhood | None = None,
    min_rest_minutes=480,
) -> Emergency:
    path = {"subdistrict": subdistrict.pk, "neighborhood": neighborhood.pk if neighborhood else None}
    if not permissions.can_create(actor, Emergency, path):
        raise PermissionDenied(_("You may not open an emergency here."))
    emergency = Emergency(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        title=(title or "").strip(),
        min_rest_minutes=min_rest_minutes,
    )
    emergency.full_clean()
    emergency.save()
    audit.record("create", emergency, actor=actor)
    return emergency


@transaction.atomic
def add_post(*, actor, emergency: Emergency, name: str, latitude, longitude, post_lead=None) -> EmergencyPost:
    require(actor, emergency)
    post = EmergencyPost(
        emergency=emergency,
        name=(name or "").strip(),
        latitude=latitude,
        longitude=longitude,
        post_lead=post_lead,
    )
    post.full_clean()
    post.save()
    audit.record("create", post, actor=actor, area=(emergency.subdistrict_id, emergency.neighborhood_id))
    return post


@transaction.atomic
def add_shift(*, actor, emergency: Emergency, starts_at, ends_at) -> EmergencyShift:
    require(actor, emergency)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    shift = EmergencyShift.objects.create(emergency=emergency, starts_at=starts_at, ends_at=ends_at)
    audit.record("create", shift, actor=actor, area=(emergency.subdistrict_id, emergency.neighborhood_id))
    return shift


@transaction.atomic
def set_need(*, actor, post: EmergencyPost, shift: EmergencyShift, count, skill: str = "") -> PostNeed:
    require(actor, post.emergency)
    if post.emergency_id != shift.emergency_id:
        raise ValidationError(_("The post and the shift belong to different emergencies."))
    need, _created = PostNeed.objects.update_or_create(
        post=post, shift=shift, skill=clean_skills(skill), defaults={"count": int(count)}
    )
    audit.record(
        "update", need, actor=actor, changes={"count": need.count}, area=(post.emergency.subdistrict_id, None)
    )
    return need


@transaction.atomic
def call_up(
    *,
    actor,
    emergency: Emergency,
    skill: str = "",
    in_service_only: bool = False,
    partner_units=(),
    reserve_only: bool = False,
    within_km=None,
) -> int:
    """Call up the emergency's area's volunteers, narrowed by any of: a skill, in-service party
    members, the staff of chosen partner units, reserve volunteers, and homes within `within_km`
    of a post (someone whose home is unknown is then left out: nobody can say they are near).

    Each one reached gets one `CallUpAnswer` whose unguessable token is in their yes and no links,
    sent through notifications (inbox, email and SMS of those with an account, else SMS to their
    phone); the messages are queued here and carried after the commit. Those no message can reach
    (no account and no phone) or who asked for none are not called, and are listed with why: the
    called count is the people messaged. Calling up twice reaches only those not yet called (and
    those reachable since).

    A live drill calls up only the members of its teams (every message marked 【演练】); a tabletop
    drill calls up nobody (services.drills predicts instead).
    """
    require(actor, emergency)
    if emergency.status != Emergency.Status.OPEN:
        raise ValidationError(_("This emergency is closed."))
    if emergency.kind == Emergency.Kind.TABLETOP:
        raise ValidationError(_("A tabletop drill sends nothing: run it from the drill's page."))
    found = Volunteer.objects.filter(neighborhood__subdistrict_id=emergency.subdistrict_id)
    if emergency.kind == Emergency.Kind.LIVE:
        teams = list(emergency.drill_teams.values_list("pk", flat=True))
        if not teams:
            raise ValidationError({"teams": _("Choose at least one team for the drill.")})
        found = found.filter(team_id__in=teams)
    if emergency.neighborhood_id:
        found = found.filter(neighborhood_id=emergency.neighborhood_id)
    if in_service_only:
        found = found.filter(party_member__in_service=True)
    units = list(partner_units or ())
    if any(u.subdistrict_id != emergency.subdistrict_id for u in units):
        raise ValidationError({"partner_units": _("A partner unit is not in this emergency's subdistrict.")})
    if units:
        found = found.filter(partner_unit__in=units)
    if reserve_only:
        found = found.filter(reserve=True)
    wanted = clean_skills(skill)
    chosen = [v for v in found.only("id", "skills") if not wanted or wanted in v.skill_set]
    if within_km is not None:
        chosen = _near_posts(emergency, chosen, within_km)
    already = set(emergency.answers.values_list("volunteer_id", flat=True))
    unreached = _unreachable([v.pk for v in chosen if v.pk not in already])
    new_ids = [v.pk for v in chosen if v.pk not in already and v.pk not in unreached]
    now = timezone.now()
    CallUpAnswer.objects.bulk_create(
        [CallUpAnswer(emergency=emergency, volunteer_id=pk, called_at=now) for pk in new_ids],
        ignore_conflicts=True,
        batch_size=1000,
    )
    answers = CallUpAnswer.objects.filter(emergency=emergency, volunteer_id__in=new_ids).select_related(
        "volunteer__user", "volunteer__resident"
    )
    items = []
    for answer in answers.iterator(chunk_size=1000):
        answer.emergency = emergency
        items += call_up_messages(answer)
    queued = notify_services.send_many(items)
    audit.record(
        "create",
        emergency,
        actor=actor,
        summary=f"call-up: {len(new_ids)} volunteers",
        changes={
            "called": len(new_ids),
            "messages": queued,
            "unreached": [{"volunteer": pk, "reason": reason} for pk, reason in unreached.items()],
            "skill": wanted,
            "in_service_only": in_service_only,
            "partner_units": [u.pk for u in units],
            "reserve_only": reserve_only,
            "within_km": None if within_km is None else str(within_km),
        },
    )
    if new_ids and emergency.ran_at is None:
        Emergency.objects.filter(pk=emergency.pk, ran_at__isnull=True).update(ran_at=now)
    if queued:
        from gongzhi.notifications.tasks import deliver_pending

        jobs.enqueue_once(deliver_pending)  # in-process after the commit, or a worker's
    return CallUpResult(called=len(new_ids), messages=queued, unreached=unreached)


class CallUpResult(NamedTuple):
    """What a call-up did: people called (each sent at least one message), messages queued, and
    those not reached by volunteer id with the reason (models.UNREACHED_REASONS)."""

    called: int
    messages: int
    unreached: dict[int, str]


def _unreachable(ids: list[int]) -> dict[int, str]:
    """Volunteers of `ids` no call-up message goes to, with why: opted out, or no account (inbox)
    and no phone of their own or in the registry."""
    found = {}
    people = Volunteer.objects.filter(pk__in=ids).select_related("resident").order_by("name", "pk")
    for volunteer in people.iterator(chunk_size=1000):
        if volunteer.call_ups_opt_out:
            found[volunteer.pk] = "opted_out"
        elif volunteer.user_id is None and not volunteer.contact_phone():
            found[volunteer.pk] = "no_contact"
        elif volunteer.user_id is None and volunteer.phone_unreachable:
            found[volunteer.pk] = "phone_unreachable"
    return found


def _near_posts(emergency: Emergency, chosen: list[Volunteer], within_km) -> list[Volunteer]:
    """Those whose home is within the distance of the nearest of the emergency's posts."""
    try:
        limit_m = float(within_km) * 1000
    except (TypeError, ValueError):
        raise ValidationError({"within_km": _("Distance must be a number of kilometres.")}) from None
    if limit_m <= 0:
        raise ValidationError({"within_km": _("Distance must be more than zero.")})
    posts = [engine.Post(p.pk, float(p.latitude), float(p.longitude)) for p in emergency.posts.all()]
    if not posts:
        raise ValidationError({"within_km": _("Add the posts first: distance is measured to them.")})
    homes = Volunteer.objects.filter(pk__in=[v.pk for v in chosen]).select_related(
        "resident__household__building"
    )
    located = [(v, v.home()) for v in homes]
    located = [(v, home) for v, home in located if home is not None]
    if not located:
        return []
    points = [engine.Volunteer(v.pk, home[0], home[1]) for v, home in located]
    nearest = engine.distances_m(points, posts).min(axis=1)
    return [v for (v, _home), metres in zip(located, nearest, strict=True) if metres <= limit_m]


def answer_paths(answer: CallUpAnswer) -> tuple[str, str]:
    # One reverse for the pattern, then the token put in: a call-up builds thousands of links
    # (a reverse each was a sixth of a 20,000-person call-up's time).
    pattern = _answer_pattern(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF).replace(
        "TOKEN", answer.token
    )
    return pattern.replace("CHOICE", "yes"), pattern.replace("CHOICE", "no")


@functools.lru_cache(maxsize=8)
def _answer_pattern(_prefix: str, _urlconf) -> str:
    return reverse("volunteers:answer_choice", args=["TOKEN", "CHOICE"])


def call_up_messages(answer: CallUpAnswer) -> list[dict]:
    """The messages calling up one volunteer: keyed by the answer, so a retry sends nothing new."""
    volunteer, emergency = answer.volunteer, answer.emergency
    yes_path, no_path = answer_paths(answer)
    yes, no = notify_services.outside_link(yes_path), notify_services.outside_link(no_path)
    subject = _("Call-up: %(title)s") % {"title": emergency.title}
    body = _("%(name)s, can you serve? Yes: %(yes)s  No: %(no)s") % {
        "name": volunteer.name,
        "yes": yes,
        "no": no,
    }
    if emergency.is_drill:
        subject, body = DRILL_MARK + subject, DRILL_MARK + body
    key = f"callup:{answer.pk}"
    targets: list[tuple[str, str]] = []
    user = volunteer.user
    if user is not None:
        targets = [("inbox", "")] + notify_services.contact_channels(user)
    if volunteer.phone_unreachable:
        targets = [(channel, address) for channel, address in targets if channel != "sms"]
    elif not any(channel == "sms" for channel, _address in targets) and volunteer.contact_phone():
        targets.append(("sms", volunteer.contact_phone()))
    return [
        {
            "key": f"{key}/{channel}",
            "channel": channel,
            "address": address,
            "subject": subject,
            "body": body,
            "link": yes_path if channel == "inbox" else yes,
            "user": user if channel == "inbox" else None,
        }
        for channel, address in targets
    ]


@transaction.atomic
def answer_call_up(*, token: str, accept: bool, at=None) -> CallUpAnswer:
    """The volunteer answers from the link; the token is their proof. A later 'no' drops them out.
    `at`: when the answer was given (one saved offline and synced later); now by default."""
    answer = CallUpAnswer.objects.select_for_update().select_related("emergency").filter(token=token).first()
    if answer is None or answer.emergency.status != Emergency.Status.OPEN:
        raise NotInScope(_("This call-up link is not valid."))
    if (
        not accept
        and answer.answer == CallUpAnswer.Answer.YES
        and answer.volunteer.post_assignments.filter(emergency=answer.emergency).exists()
    ):
        return drop_out_answer(answer, actor=answer.volunteer.user)
    answer.answer = CallUpAnswer.Answer.YES if accept else CallUpAnswer.Answer.NO
    answer.answered_at = at or timezone.now()
    answer.save(update_fields=["answer", "answered_at"])
    audit.record(
        "update",
        answer,
        actor=answer.volunteer.user,
        changes={"answer": answer.answer},
        area=(answer.emergency.subdistrict_id, None),
    )
    return answer


@transaction.atomic
def close_emergency(*, actor, emergency: Emergency) -> Emergency:
    """Stand down: answer links stop working; the plan and answers are kept as the record."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if emergency.status == Emergency.Status.CLOSED:
        return emergency
    emergency.status = Emergency.Status.CLOSED
    emergency.closed_at = timezone.now()
    if emergency.kind == Emergency.Kind.LIVE:
        from gongzhi.volunteers import drills

        # The live drill's figures as they stand down: the past-drill table reads these.
        emergency.drill_result = {**emergency.drill_result, "summary": drills.live_summary(emergency)}
    emergency.save(update_fields=["status", "closed_at", "drill_result"])
    # Its temporary branches and squads are dissolved; their records stay.
    emergency.squads.filter(dissolved_at__isnull=True).update(dissolved_at=timezone.now())
    audit.record("update", emergency, actor=actor, changes={"status": "closed"})
    return emergency
