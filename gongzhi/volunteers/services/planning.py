"""Planning an emergency's assignment with the engine, drop-outs and the plan's export."""

from io import BytesIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.permissions import EXPORT, require
from gongzhi.volunteers import assignment as engine
from gongzhi.volunteers import availability, skills
from gongzhi.volunteers.models import (
    CallUpAnswer,
    Emergency,
    EmergencyShift,
    PostAssignment,
    PostNeed,
    Volunteer,
)


def _engine_inputs(emergency: Emergency, volunteer_ids=None):
    """The engine's problem for the emergency: its accepted volunteers, or those of
    `volunteer_ids` (a tabletop drill's predicted yes, a live drill's answers so far)."""
    posts = list(emergency.posts.all())
    shifts = list(emergency.shifts.all())
    needs = [
        engine.Need(n.post_id, n.shift_id, n.count, n.skill or None)
        for n in PostNeed.objects.filter(post__emergency=emergency)
    ]
    if volunteer_ids is None:
        accepted = Volunteer.objects.filter(
            call_up_answers__emergency=emergency, call_up_answers__answer=CallUpAnswer.Answer.YES
        )
    else:
        accepted = Volunteer.objects.filter(pk__in=list(volunteer_ids))
    accepted = accepted.select_related("resident__household__building")
    # Someone without a recorded home is placed at the posts' centre: travel then does not
    # favour or punish them, and the other rules still hold.
    centre = (
        sum(float(p.latitude) for p in posts) / max(len(posts), 1),
        sum(float(p.longitude) for p in posts) / max(len(posts), 1),
    )
    people = []
    for v in accepted:
        lat, lon = v.home() or centre
        people.append(
            engine.Volunteer(v.pk, lat, lon, v.skill_set, v.max_shifts, _available_shifts(v, shifts))
        )
    origin = min((s.starts_at for s in shifts), default=timezone.now())
    minutes = [
        engine.Shift(
            s.pk,
            int((s.starts_at - origin).total_seconds() // 60),
            int((s.ends_at - origin).total_seconds() // 60),
        )
        for s in shifts
    ]
    places = [engine.Post(p.pk, float(p.latitude), float(p.longitude)) for p in posts]
    return people, places, minutes, needs, engine.Rules(min_rest_minutes=emergency.min_rest_minutes)


# A fill curve runs the engine on growing groups of answers; past this many it samples them.
CURVE_POINTS = 60


def fill_curve(emergency: Emergency, answered: list[tuple[int, float]]):
    """Places filled as the yes answers come in: `answered` is (volunteer id, minutes after the
    call) of each yes; the engine plans for the first k of them in time order, for every k (or
    `CURVE_POINTS` evenly spaced k when there are more). Returns the places needed, the curve as
    (minutes, places filled) and the plan for everyone. Nothing is stored."""
    order = sorted(answered, key=lambda a: (a[1], a[0]))
    people, places, shifts, needs, rules = _engine_inputs(emergency, [vid for vid, _m in order])
    total = sum(n.count for n in needs)
    by_id = {p.id: p for p in people}
    order = [(vid, m) for vid, m in order if vid in by_id]
    if not order or not needs:
        return total, [], engine.Plan([])
    step = max(1, -(-len(order) // CURVE_POINTS))
    ks = sorted({*range(step, len(order) + 1, step), len(order)})
    curve, plan = [], engine.Plan([])
    for k in ks:
        plan = engine.assign([by_id[vid] for vid, _m in order[:k]], places, shifts, needs, rules)
        curve.append((order[k - 1][1], len(plan.placements)))
    return total, curve, plan


def _available_shifts(volunteer: Volunteer, shifts: list[EmergencyShift]) -> frozenset[int] | None:
    """The shifts inside the volunteer's daily windows (local time); None when they set none."""
    try:
        windows = availability.parse(volunteer.availability)
    except ValueError:
        return None  # text from before the windows were checked: no limit rather than no shifts
    if not windows:
        return None
    fitting = set()
    for shift in shifts:
        start = timezone.localtime(shift.starts_at)
        minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
        if availability.fits(windows, start.hour * 60 + start.minute, minutes):
            fitting.add(shift.pk)
    return frozenset(fitting)


def _current_plan(emergency: Emergency) -> engine.Plan:
    return engine.Plan(
        [
            engine.Placement(a.volunteer_id, a.post_id, a.shift_id, a.skill or None)
            for a in emergency.assignments.all()
        ]
    )


def _store_plan(emergency: Emergency, plan: engine.Plan) -> None:
    PostAssignment.objects.bulk_create(
        PostAssignment(
            emergency=emergency,
            post_id=p.post_id,
            shift_id=p.shift_id,
            volunteer_id=p.volunteer_id,
            skill=p.skill or "",
        )
        for p in plan.placements
    )


@transaction.atomic
def plan_assignment(*, actor, emergency: Emergency) -> int:
    """Assign every accepted volunteer afresh; returns the number of places filled."""
    require(actor, emergency)
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    plan = engine.assign(*_engine_inputs(emergency))
    emergency.assignments.all().delete()
    _store_plan(emergency, plan)
    audit.record(
        "update", emergency, actor=actor, summary="assignment plan", changes={"filled": len(plan.placements)}
    )
    return len(plan.placements)


def drop_out_answer(answer: CallUpAnswer, actor) -> CallUpAnswer:
    emergency = Emergency.objects.select_for_update().get(pk=answer.emergency_id)
    people, places, shifts, needs, rules = _engine_inputs(emergency)
    before = _current_plan(emergency)
    answer.answer, answer.answered_at = CallUpAnswer.Answer.DROPPED, timezone.now()
    answer.save(update_fields=["answer", "answered_at"])
    after = engine.reassign(before, answer.volunteer_id, people, places, shifts, needs, rules)
    emergency.assignments.filter(volunteer_id=answer.volunteer_id).delete()
    kept = set(before.placements)
    _store_plan(emergency, engine.Plan([p for p in after.placements if p not in kept]))
    audit.record(
        "update", answer, actor=actor, changes={"answer": "dropped"}, area=(emergency.subdistrict_id, None)
    )
    return answer


@transaction.atomic
def drop_out(*, actor, emergency: Emergency, volunteer: Volunteer) -> CallUpAnswer:
    """Staff record that someone cannot serve: only their places are refilled."""
    require(actor, emergency)
    answer = CallUpAnswer.objects.select_for_update().get(emergency=emergency, volunteer=volunteer)
    return drop_out_answer(answer, actor)


def export_plan(*, actor, emergency: Emergency) -> bytes:
    """The assignment plan as xlsx: one sheet per post and shift, one per person; audited."""
    from gongzhi.core.sheets import Workbook

    if not permissions.can(actor, emergency, EXPORT):
        require(actor, emergency, permissions.READ)
        raise PermissionDenied(_("You may not export the plan."))
    from gongzhi.volunteers import selectors

    book = Workbook()
    by_post = book.active
    by_post.title = _("by post")
    by_post.append([_("post"), _("post lead"), _("shift"), _("people needed"), _("filled"), _("volunteers")])
    for row in selectors.plan_rows(emergency):
        lead = row["post"].post_lead
        by_post.append(
            [
                row["post"].name,
                lead.name if lead else "",
                _shift_label(row["shift"]),
                row["needed"],
                row["filled"],
                "、".join(row["people"]),
            ]
        )
    by_person = book.create_sheet(_("by person"))
    by_person.append([_("volunteer"), _("shift"), _("post"), _("skill")])
    for row in selectors.person_rows(emergency):
        for place in row["places"]:
            by_person.append(
                [
                    row["volunteer"].name,
                    _shift_label(place["shift"]),
                    place["post"].name,
                    skills.label(place["skill"]),
                ]
            )
    out = BytesIO()
    book.save(out)
    audit.record(
        "export",
        emergency,
        actor=actor,
        summary=_("assignment plan of %(emergency)s") % {"emergency": emergency},
    )
    return out.getvalue()


def _shift_label(shift: EmergencyShift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
