"""Call-up drills (演练): creating one, running it (a tabletop drill predicts and sends nothing; a
live drill calls up its teams with every message marked 【演练】) and marking a dead phone.

A drill is an `Emergency` whose kind is fixed when it is created (a database trigger refuses any
change), so no path turns it into a real call-up; its posts, shifts and needs are set on the
call-up board like a real one's, and it stands down with `close_emergency`.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, idempotency, permissions
from gongzhi.core.permissions import require
from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.volunteers.models import Emergency, PostNeed, Volunteer
from gongzhi.volunteers.services.emergencies import CallUpResult, call_up

DRILL_KINDS = (Emergency.Kind.TABLETOP, Emergency.Kind.LIVE)


def create_drill(
    *,
    actor,
    subdistrict: Subdistrict,
    title: str,
    kind: str,
    teams,
    neighborhood: Neighborhood | None = None,
    key: str = "",
    min_rest_minutes: int = 480,
    copy_from: Emergency | None = None,
) -> Emergency:
    """A drill of `kind` (tabletop or live) for the members of `teams`, optionally with the posts
    (and their leads), shifts and needs of an earlier call-up of the area, its shifts moved to
    start at the next full hour. A retried request with the same `key` returns the drill the
    first one made."""
    stored_key = idempotency.sender_key(f"user{actor.pk}", (key or "").strip()) if actor else None
    if stored_key:
        earlier = Emergency.objects.filter(idempotency_key=stored_key).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            drill = _create(
                actor, subdistrict, neighborhood, title, kind, list(teams), stored_key, min_rest_minutes
            )
            if copy_from is not None:
                _copy_plan(actor, drill, copy_from)
            return drill
    except IntegrityError:
        earlier = Emergency.objects.filter(idempotency_key=stored_key).first() if stored_key else None
        if earlier is None:
            raise
        return earlier


def _create(actor, subdistrict, neighborhood, title, kind, teams, stored_key, min_rest_minutes) -> Emergency:
    path = {"subdistrict": subdistrict.pk, "neighborhood": neighborhood.pk if neighborhood else None}
    if not permissions.can_create(actor, Emergency, path):
        raise PermissionDenied(_("You may not open an emergency here."))
    if kind not in DRILL_KINDS:
        raise ValidationError({"kind": _("Choose a tabletop or a live drill.")})
    if not teams:
        raise ValidationError({"teams": _("Choose at least one team for the drill.")})
    for team in teams:
        outside = team.neighborhood.subdistrict_id != subdistrict.pk or (
            neighborhood is not None and team.neighborhood_id != neighborhood.pk
        )
        if outside:
            raise ValidationError(
                {"teams": _("The team %(team)s is not in the drill's area.") % {"team": team}}
            )
    drill = Emergency(
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        title=(title or "").strip(),
        kind=kind,
        min_rest_minutes=min_rest_minutes,
        idempotency_key=stored_key,
    )
    drill.full_clean(exclude=["drill_teams"])
    drill.save()
    drill.drill_teams.set(teams)
    audit.record("create", drill, actor=actor, changes={"kind": kind, "teams": [t.pk for t in teams]})
    return drill


def _copy_plan(actor, drill: Emergency, source: Emergency) -> None:
    from gongzhi.volunteers.services.emergencies import add_post, add_shift, set_need

    require(actor, source, permissions.READ)
    if source.subdistrict_id != drill.subdistrict_id:
        raise ValidationError({"copy_from": _("The call-up to copy is not in the drill's subdistrict.")})
    shifts = list(source.shifts.order_by("starts_at", "pk"))
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    moved_by = (start - shifts[0].starts_at) if shifts else timedelta(0)
    new_shifts = {
        s.pk: add_shift(
            actor=actor, emergency=drill, starts_at=s.starts_at + moved_by, ends_at=s.ends_at + moved_by
        )
        for s in shifts
    }
    new_posts = {
        p.pk: add_post(
            actor=actor,
            emergency=drill,
            name=p.name,
            latitude=p.latitude,
            longitude=p.longitude,
            post_lead=p.post_lead,
        )
        for p in source.posts.select_related("post_lead").order_by("pk")
    }
    for need in PostNeed.objects.filter(post__emergency=source).order_by("pk"):
        set_need(
            actor=actor,
            post=new_posts[need.post_id],
            shift=new_shifts[need.shift_id],
            count=need.count,
            skill=need.skill,
        )


def _check_ready(drill: Emergency) -> None:
    if not drill.is_drill:
        raise ValidationError(_("This is a real call-up, not a drill."))
    if drill.status != Emergency.Status.OPEN:
        raise ValidationError(_("This drill has finished."))
    if not drill.posts.exists() or not drill.shifts.exists():
        raise ValidationError(_("Add the drill's posts, shifts and the people they need first."))


@transaction.atomic
def run_tabletop(*, actor, drill: Emergency) -> dict:
    """Predict the call-up on today's roster and finish the drill: nothing is sent, no answer is
    recorded; the figures are stored as the drill's report. Running a finished one is refused."""
    from gongzhi.volunteers import drills

    require(actor, drill)
    drill = Emergency.objects.select_for_update().get(pk=drill.pk)
    if drill.kind != Emergency.Kind.TABLETOP:
        raise ValidationError(_("Only a tabletop drill is predicted."))
    _check_ready(drill)
    seed = drill.pk
    figures = drills.tabletop_figures(drill, seed)
    now = timezone.now()
    drill.drill_result = {"seed": seed, "summary": figures}
    drill.ran_at, drill.closed_at, drill.status = now, now, Emergency.Status.CLOSED
    drill.save(update_fields=["drill_result", "ran_at", "closed_at", "status"])
    audit.record(
        "update",
        drill,
        actor=actor,
        summary="tabletop drill predicted",
        changes={
            "seed": seed,
            "called": figures["called"],
            "yes": figures["yes"],
            "filled": figures["filled"],
        },
    )
    return figures


def run_live(*, actor, drill: Emergency) -> CallUpResult:
    """Call up the drill's teams for real (messages marked 【演练】); running again reaches only
    those not called yet, like a call-up."""
    require(actor, drill)
    if drill.kind != Emergency.Kind.LIVE:
        raise ValidationError(_("Only a live drill sends messages."))
    _check_ready(drill)
    return call_up(actor=actor, emergency=drill)


@transaction.atomic
def mark_phone(*, actor, volunteer: Volunteer, unreachable: bool) -> Volunteer:
    """Staff mark a volunteer's phone dead (no SMS goes to it) or working again."""
    require(actor, volunteer)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.phone_unreachable != unreachable:
        volunteer.phone_unreachable = unreachable
        volunteer.save(update_fields=["phone_unreachable"])
        audit.record("update", volunteer, actor=actor, changes={"phone_unreachable": unreachable})
    return volunteer
