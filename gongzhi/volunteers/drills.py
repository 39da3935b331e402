"""The figures of call-up drills (reads only; services.drills writes): who a drill calls, the
history a tabletop drill predicts from (volunteers.prediction), the live drill's real answers,
and the report both end in.

A drill's figures are one dict of ids and numbers (no names: they are resolved when the report is
shown, in the viewer's scope), stored on the drill when it runs (tabletop) or stands down (live),
so a past drill's report and the table comparing drills do not move when the roster changes.
"""

from collections import Counter, defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications.models import Message
from gongzhi.volunteers import prediction
from gongzhi.volunteers.models import CallUpAnswer, Emergency, PostNeed, Volunteer
from gongzhi.volunteers.services.planning import fill_curve

# Why a person has no phone a call-up can count on (the report's "unreachable" table).
PHONE_PROBLEMS = {
    "opted_out": _("asked for no call-up messages"),
    "no_contact": _("no phone and no account"),
    "no_phone": _("no phone (reached in the platform's inbox only)"),
    "phone_unreachable": _("phone marked unreachable"),
    "sms_failed": _("an SMS to their phone failed"),
}
# Why a post has no chief it can count on.
CHIEFLESS = {"none": _("no post lead"), "no_yes": _("the post lead did not answer yes")}
CHIEFLESS_PREDICTED = {"none": _("no post lead"), "no_yes": _("the post lead is not predicted to answer yes")}
BASIS = {
    "own": _("their own past answers"),
    "area": _("the area's rate (no history of their own)"),
    "default": _("the default prior (no history in the area)"),
}
# Those with these problems are not reached at all (no account to fall back on, or asked for none).
NOT_REACHED = {"opted_out", "no_contact"}


def drill_people(emergency: Emergency):
    """The roster a drill calls: the members of its teams in the emergency's area."""
    found = Volunteer.objects.filter(
        neighborhood__subdistrict_id=emergency.subdistrict_id,
        team_id__in=emergency.drill_teams.values_list("pk", flat=True),
    )
    if emergency.neighborhood_id:
        found = found.filter(neighborhood_id=emergency.neighborhood_id)
    return found.select_related("resident", "team", "partner_unit").order_by("pk")


def _failed_sms(volunteer_ids, emergency_id: int | None = None) -> set[int]:
    """Volunteers an SMS of a call-up (or only of `emergency_id`'s) failed to reach."""
    answers = CallUpAnswer.objects.filter(volunteer_id__in=volunteer_ids)
    if emergency_id is not None:
        answers = answers.filter(emergency_id=emergency_id)
    owner = dict(answers.values_list("pk", "volunteer_id"))
    if not owner:
        return set()
    keys = [f"callup:{pk}/sms" for pk in owner]
    failed = set()
    for start in range(0, len(keys), 500):
        for key in Message.objects.filter(
            key__in=keys[start : start + 500], status=Message.Status.FAILED
        ).values_list("key", flat=True):
            failed.add(owner[int(key.split(":")[1].split("/")[0])])
    return failed


def phone_problems(people: list[Volunteer], emergency_id: int | None = None) -> dict[int, str]:
    """Per volunteer with one, the first phone problem (PHONE_PROBLEMS): opted out, no phone and
    no account, no phone, phone marked unreachable, or an SMS of a call-up failed."""
    failed = _failed_sms([v.pk for v in people], emergency_id)
    found = {}
    for v in people:
        if v.call_ups_opt_out:
            found[v.pk] = "opted_out"
        elif not v.contact_phone():
            found[v.pk] = "no_phone" if v.user_id else "no_contact"
        elif v.phone_unreachable:
            found[v.pk] = "phone_unreachable"
        elif v.pk in failed:
            found[v.pk] = "sms_failed"
    return found


def _reached(volunteer: Volunteer, problem: str | None) -> bool:
    """Would a call-up message reach them: not when they asked for none or no channel is left
    (a dead or failing phone and no account)."""
    if problem in NOT_REACHED:
        return False
    if problem in ("phone_unreachable", "sms_failed") and volunteer.user_id is None:
        return False
    return True


def histories(emergency: Emergency) -> dict[int, prediction.History]:
    """Every volunteer's answers to the closed call-ups and live drills of the subdistrict (not
    this one): called, yes, and minutes from call to answer."""
    rows = (
        CallUpAnswer.objects.filter(
            emergency__subdistrict_id=emergency.subdistrict_id, emergency__status=Emergency.Status.CLOSED
        )
        .exclude(emergency__kind=Emergency.Kind.TABLETOP)
        .exclude(emergency_id=emergency.pk)
        .values_list("volunteer_id", "answer", "answered_at", "called_at", "emergency__opened_at")
    )
    called: Counter = Counter()
    yes: Counter = Counter()
    delays: dict[int, list[float]] = defaultdict(list)
    for vid, answer, answered_at, called_at, opened_at in rows.iterator(chunk_size=2000):
        called[vid] += 1
        if answer in (CallUpAnswer.Answer.YES, CallUpAnswer.Answer.DROPPED):
            yes[vid] += 1
        if answered_at is not None:
            delays[vid].append(max(0.0, (answered_at - (called_at or opened_at)).total_seconds() / 60))
    return {vid: prediction.History(called[vid], yes[vid], tuple(delays[vid])) for vid in called}


def _tally(people: dict[int, Volunteer], said: dict[int, str], key) -> list[dict]:
    """Called, yes, no and no answer per team or partner unit (`key` gives the group's id and name)."""
    groups: dict = {}
    for vid, answer in said.items():
        gid, name = key(people[vid])
        row = groups.setdefault(gid, {"id": gid, "name": name, "called": 0, "yes": 0, "no": 0, "pending": 0})
        row["called"] += 1
        row["yes" if answer in ("yes", "dropped") else "no" if answer == "no" else "pending"] += 1
    for row in groups.values():
        row["rate"] = round(100 * row["yes"] / row["called"]) if row["called"] else 0
    return sorted(groups.values(), key=lambda r: (-r["called"], str(r["name"])))


def _team(v: Volunteer):
    return (v.team_id, v.team.name if v.team_id else "")


def _unit(v: Volunteer):
    return (v.partner_unit_id, v.partner_unit.name if v.partner_unit_id else "")


def _figures(emergency, people, said, problems, yes_minutes, *, predicted: bool) -> dict:
    """The report's figures from who was called and what each said (or is predicted to say)."""
    total, curve, plan = fill_curve(emergency, yes_minutes)
    filled = Counter((p.post_id, p.shift_id) for p in plan.placements)
    needed: Counter = Counter()
    for need in PostNeed.objects.filter(post__emergency=emergency):
        needed[(need.post_id, need.shift_id)] += need.count
    yes_ids = {vid for vid, _m in yes_minutes}
    chiefless = []
    for post in emergency.posts.order_by("name", "pk"):
        if post.post_lead_id is None:
            chiefless.append({"post": post.pk, "reason": "none"})
        elif post.post_lead_id not in yes_ids:
            chiefless.append({"post": post.pk, "reason": "no_yes", "lead": post.post_lead_id})
    return {
        "predicted": predicted,
        "places": total,
        "filled": len(plan.placements),
        "called": len(said),
        "yes": sum(1 for a in said.values() if a in ("yes", "dropped")),
        "no": sum(1 for a in said.values() if a == "no"),
        "pending": sum(1 for a in said.values() if a == "pending"),
        "times": {str(k): v for k, v in prediction.times_to_fill(curve, total).items()},
        "curve": [[m, n] for m, n in curve],
        "by_team": _tally(people, said, _team),
        "by_unit": _tally(people, said, _unit),
        "unreachable": [{"volunteer": vid, "reason": why} for vid, why in sorted(problems.items())],
        "chiefless": chiefless,
        "open": [
            {"post": post, "shift": shift, "needed": n, "filled": filled.get((post, shift), 0)}
            for (post, shift), n in sorted(needed.items())
            if filled.get((post, shift), 0) < n
        ],
    }


def tabletop_figures(emergency: Emergency, seed: int) -> dict:
    """Run the call-up on the real roster without sending anything: who it would reach, who
    would say yes and when (volunteers.prediction, seeded), and what the plan would fill."""
    roster = list(drill_people(emergency))
    problems = phone_problems(roster)
    reached = [v for v in roster if _reached(v, problems.get(v.pk))]
    past = histories(emergency)
    area_rate, area_delay, known = prediction.area_prior(past)
    estimates = [
        prediction.estimate(v.pk, past.get(v.pk, prediction.History()), area_rate, area_delay, known)
        for v in reached
    ]
    outcomes = prediction.simulate(estimates, seed)
    said = {o.volunteer_id: "yes" if o.answers_yes else "no" for o in outcomes}
    yes_minutes = [(o.volunteer_id, o.minutes) for o in outcomes if o.answers_yes]
    figures = _figures(emergency, {v.pk: v for v in roster}, said, problems, yes_minutes, predicted=True)
    by_id = {e.volunteer_id: e for e in estimates}
    figures["prior"] = {"rate": round(area_rate, 4), "delay": round(area_delay, 1), "known": known}
    figures["seed"] = seed
    figures["people"] = [
        {
            "volunteer": o.volunteer_id,
            "rate": by_id[o.volunteer_id].rate,
            "delay": by_id[o.volunteer_id].delay_minutes,
            "basis": by_id[o.volunteer_id].basis,
            "yes": o.answers_yes,
            "minutes": o.minutes,
        }
        for o in outcomes
    ]
    return figures


def live_figures(emergency: Emergency) -> dict:
    """The live drill's figures from its real answers: minutes count from each person's call."""
    answers = list(
        emergency.answers.select_related("volunteer__resident", "volunteer__team", "volunteer__partner_unit")
    )
    people = {a.volunteer_id: a.volunteer for a in answers}
    said = {a.volunteer_id: a.answer for a in answers}
    yes_minutes = [
        (
            a.volunteer_id,
            round((a.answered_at - (a.called_at or emergency.opened_at)).total_seconds() / 60, 1),
        )
        for a in answers
        if a.answer in (CallUpAnswer.Answer.YES, CallUpAnswer.Answer.DROPPED) and a.answered_at
    ]
    roster = list(drill_people(emergency))
    problems = phone_problems(roster, emergency.pk)
    for v in roster:
        people.setdefault(v.pk, v)
    figures = _figures(emergency, people, said, problems, yes_minutes, predicted=False)
    # Who answered, in the order they did (minutes from their call-up), for the report's list.
    answered = sorted((a for a in answers if a.answered_at), key=lambda a: (a.answered_at, a.pk))
    figures["answers"] = [
        {
            "volunteer": a.volunteer_id,
            "answer": a.answer,
            "minutes": round((a.answered_at - (a.called_at or emergency.opened_at)).total_seconds() / 60, 1),
        }
        for a in answered
    ]
    return figures


def live_summary(emergency: Emergency) -> dict:
    """What a live drill stores as it stands down (services.emergencies.close_emergency)."""
    return live_figures(emergency)


def figures_of(emergency: Emergency) -> dict | None:
    """The report's figures: stored for a tabletop drill and a finished live drill, live from the
    answers while a live drill runs; None before a tabletop drill has run."""
    stored = (emergency.drill_result or {}).get("summary")
    if stored is not None:
        return stored
    if emergency.kind == Emergency.Kind.LIVE and emergency.ran_at is not None:
        return live_figures(emergency)
    return None


def summary_row(emergency: Emergency, figures: dict | None) -> dict:
    """One line of the table comparing drills."""
    figures = figures or {}
    called = figures.get("called", 0)
    times = {int(k): v for k, v in (figures.get("times") or {}).items()}
    return {
        "emergency": emergency,
        "called": called,
        "yes": figures.get("yes", 0),
        "rate": round(100 * figures.get("yes", 0) / called) if called else None,
        "places": figures.get("places", 0),
        "filled": figures.get("filled", 0),
        "times": times,
        "time_list": [(share, times.get(share)) for share in prediction.THRESHOLDS],
        "unreachable": len(figures.get("unreachable", [])),
        "chiefless": len(figures.get("chiefless", [])),
    }


def earlier_drills(emergency: Emergency, visible) -> list[dict]:
    """The same area's drills opened before this one that have figures, newest first (visible: the
    caller's emergencies)."""
    others = (
        visible.filter(subdistrict_id=emergency.subdistrict_id)
        .exclude(kind=Emergency.Kind.REAL)
        .exclude(pk=emergency.pk)
        .filter(opened_at__lt=emergency.opened_at)
        .order_by("-opened_at", "-pk")[:20]
    )
    rows = []
    for other in others:
        figures = figures_of(other)
        if figures is not None:
            rows.append(summary_row(other, figures))
    return rows


def now_minutes(emergency: Emergency) -> float | None:
    """Minutes since a live drill's call-up went out (for the running board)."""
    if emergency.ran_at is None:
        return None
    return round((timezone.now() - emergency.ran_at).total_seconds() / 60, 1)
