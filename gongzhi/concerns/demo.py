"""Demo concerns for the demo subdistrict (`gongzhi demo load` calls `load_demo`).

About 200 concerns written from real public citizen messages (the committed slices in
tests/fixtures of the 2020 Teddy Cup 智慧政务 data: messages with their official replies, the
hot-issue messages, labelled messages), placed in the demo town's households over the last 80
days, in every state of the lifecycle, with their history, ratings, overdue ones on the 督办 list
and a cluster of similar reports joined to one concern, so the queue, KPI, supervision and
hot-issue pages have something to show. The category is the intake suggestion's (classifier +
taxonomy mapping), corrected by "staff" on a few.

Historical dates cannot go through the services (they stamp the present), so the rows are written
in bulk with the same rules the services apply (tier, routing, working-day deadlines), and the load
itself is one audit record. Idempotent: a second run finds the demo keys and changes nothing.
"""

import csv
import random
import time
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongzhi.concerns import assist, deadlines, lifecycle, selectors, services, tiering
from gongzhi.concerns.models import Concern, ConcernEvent, Rating, Supervision
from gongzhi.core import audit
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Household, Neighborhood, RoleAssignment, Subdistrict

FIXTURES = Path(__file__).with_name("tests") / "fixtures"
KEY_PREFIX = "demo:"
SEED = 2026
TOTAL = 200
GENERIC_REPLIES = [
    "已联系相关单位现场核实，{topic}问题已安排整改，整改完成后将再次回访。",
    "经现场查看，{topic}情况属实，已督促责任单位限期处理，现已处理完毕。",
    "已协调物业和居委会共同处理{topic}，并在楼道张贴告示，后续每周巡查。",
]


def _rows(name: str) -> list[dict]:
    with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _messages() -> list[dict]:
    """(source id, title, body, real reply or "") of up to TOTAL real messages."""
    picked = []
    for row in _rows("replied_messages_sample.csv"):
        picked.append(
            {
                "key": f"r{row['message_id']}",
                "title": row["title"],
                "body": row["body"],
                "reply": row["reply"],
            }
        )
    for row in _rows("hot_issue_messages_sample.csv"):
        picked.append(
            {"key": f"h{row['message_id']}", "title": row["title"], "body": row["body"], "reply": ""}
        )
    for row in _rows("labeled_messages_sample.csv"):
        if (row.get("title") or "").strip() and (row.get("body") or "").strip():
            picked.append(
                {"key": f"l{row['message_id']}", "title": row["title"], "body": row["body"], "reply": ""}
            )
    return picked[:TOTAL]


def _state_for(rng: random.Random, age_days: float) -> str:
    if age_days > 20:
        table = [
            (lifecycle.CLOSED, 80),
            (lifecycle.HANDLING, 6),
            (lifecycle.VERIFYING, 4),
            (lifecycle.REOPENED, 5),
            (lifecycle.RETURNED, 5),
        ]
    elif age_days > 5:
        table = [
            (lifecycle.CLOSED, 40),
            (lifecycle.VERIFYING, 20),
            (lifecycle.HANDLING, 20),
            (lifecycle.DISPATCHED, 10),
            (lifecycle.RETURNED, 5),
            (lifecycle.ACCEPTED, 5),
        ]
    else:
        table = [
            (lifecycle.ACCEPTED, 40),
            (lifecycle.DISPATCHED, 30),
            (lifecycle.HANDLING, 20),
            (lifecycle.VERIFYING, 10),
        ]
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


# The steps that lead to each state, after acceptance.
PATHS = {
    lifecycle.ACCEPTED: [],
    lifecycle.DISPATCHED: ["dispatch"],
    lifecycle.HANDLING: ["dispatch", "start"],
    lifecycle.RETURNED: ["dispatch", "return"],
    lifecycle.VERIFYING: ["dispatch", "start", "resolve"],
    lifecycle.CLOSED: ["dispatch", "start", "resolve", "close", "rate"],
    lifecycle.REOPENED: ["dispatch", "start", "resolve", "close", "rate", "reopen"],
}
TARGET = {
    "dispatch": lifecycle.DISPATCHED,
    "start": lifecycle.HANDLING,
    "return": lifecycle.RETURNED,
    "resolve": lifecycle.VERIFYING,
    "close": lifecycle.CLOSED,
    "reopen": lifecycle.REOPENED,
}


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if subdistrict is None:
        return "concerns: no demo town loaded; run `gongzhi demo load` first."
    if Concern.objects.filter(subdistrict=subdistrict, idempotency_key__startswith=KEY_PREFIX).exists():
        routed = _route_to_handlers(subdistrict)
        if routed:
            return f"concerns: demo concerns already loaded; {routed} routed to the demo handlers."
        return "concerns: demo concerns already loaded, nothing changed."
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["secretary", "socialworker", "gridworker", "property"]
        )
    }
    staff = [users[n] for n in ("socialworker", "gridworker", "secretary") if n in users]
    neighborhoods = list(Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code")[:6])
    if not neighborhoods:
        return "concerns: the demo town has no neighborhoods."
    rng = random.Random(SEED)
    homes = _households(neighborhoods, rng)
    categories = list(selectors.categories_for(subdistrict.pk))
    if not categories:  # the taxonomy comes from a data migration; a flushed test database lacks it
        return "concerns: no concern categories, nothing loaded."
    now = timezone.now()
    with transaction.atomic():
        concerns, plans = _concerns(subdistrict, _messages(), homes, categories, staff, rng, now)
        events = _events(concerns, plans, staff, rng, now)  # also sets the concerns' outcome fields
        Concern.objects.bulk_create(concerns)
        ConcernEvent.objects.bulk_create(events)
        for event in events:  # auto_now_add stamped the present: put back the step's own time
            event.at = event.demo_at
        ConcernEvent.objects.bulk_update(events, ["at"], batch_size=300)
        _join_cluster(concerns, now)
        supervised = _supervise(concerns, now)
        routed = _route_to_handlers(subdistrict)
        audit.record(
            "create",
            None,
            summary=f"demo: {len(concerns)} concerns loaded",
            area=(subdistrict.pk, None),
        )
    states = sorted({c.state for c in concerns})
    return (
        f"concerns: {len(concerns)} demo concerns in {len(neighborhoods)} neighborhoods ({', '.join(states)}), "
        f"{supervised} on the supervision list, {routed} routed to the demo handlers, "
        f"in {time.perf_counter() - started:.1f} s."
    )


def _households(neighborhoods, rng) -> list[Household]:
    """Half in the demo logins' neighborhood (and a good share in its first grid), half elsewhere."""
    first = list(
        Household.objects.filter(neighborhood=neighborhoods[0])
        .select_related("building", "neighborhood")
        .order_by("building__micro_grid_id", "pk")[:120]
    )
    rest = []
    for nb in neighborhoods[1:]:
        rest += list(
            Household.objects.filter(neighborhood=nb)
            .select_related("building", "neighborhood")
            .order_by("pk")[:40]
        )
    rng.shuffle(rest)
    return first + rest


def _concerns(subdistrict, messages, homes, categories, staff, rng, now):
    concerns, plans = [], []
    by_code = {c.code: c for c in categories}
    suggestions = assist.suggest_many([f"{m['title']}\n{m['body']}" for m in messages], categories)
    for n, message in enumerate(messages):
        household = (
            homes[n % len(homes)] if n % 2 == 0 or len(homes) < 2 else homes[rng.randrange(len(homes))]
        )
        place = services.place_of(household=household)
        text = f"{message['title']}\n{message['body']}"
        suggestion = suggestions[n]
        category = (
            suggestion.category if suggestion and suggestion.category else by_code.get("other", categories[0])
        )
        if n % 17 == 5 and len(categories) > 1:  # staff corrected a few suggestions
            category = categories[(categories.index(category) + 3) % len(categories)]
        households = rng.choices([1, rng.randint(12, 40), 120], weights=[88, 10, 2])[0]
        urgent = n % 41 == 7
        tier = tiering.tier_for(category_tier=category.tier, households=households, cost=None, urgent=urgent)
        age = rng.uniform(0.2, 80)
        cluster = "丽发" in text
        if cluster:  # a hot issue of these weeks: the first report is handled, the later ones wait
            age = (
                12.0 if not any("丽发" in c.title + c.description for c in concerns) else rng.uniform(0.2, 10)
            )
        accepted = now - timedelta(days=age)
        response_due, resolution_due = deadlines.due_dates(accepted, category, tier)
        handler = services.handler_for(
            services.route(
                subdistrict_id=subdistrict.pk, category=category, neighborhood_id=place.neighborhood.pk
            ),
            place,
        )
        state = _state_for(rng, age)
        if cluster:
            state = lifecycle.HANDLING if age == 12.0 else lifecycle.ACCEPTED
        concern = Concern(
            subdistrict=subdistrict,
            neighborhood=place.neighborhood,
            micro_grid_id=place.path()["micro_grid"],
            building=place.building,
            household=household,
            category=category,
            title=message["title"][:120],
            description=message["body"][:4000],
            channel=rng.choice(["visit", "visit", "hotline", "resident", "partner", "open311"]),
            place=str(household.building)[:255],
            households_affected=households,
            urgent=urgent,
            tier=tier,
            tier_by_rule=tier,
            handler_kind=handler.kind,
            handler_department_id=handler.department_id,
            handler_partner_unit_id=handler.partner_unit_id,
            handler_compound_id=handler.compound_id,
            accepted_at=accepted,
            response_due=response_due,
            resolution_due=resolution_due,
            created_by=staff[n % len(staff)] if staff else None,
            idempotency_key=f"{KEY_PREFIX}{message['key']}",
            suggested_category=suggestion.category if suggestion else None,
            suggestion_confidence=round(suggestion.confidence, 4) if suggestion else None,
            state=state,
        )
        concerns.append(concern)
        plans.append((PATHS[state], message["reply"]))
    return concerns, plans


def _events(concerns, plans, staff, rng, now) -> list[ConcernEvent]:
    events = []
    for concern, (path, reply) in zip(concerns, plans, strict=True):
        actor = concern.created_by
        at = concern.accepted_at
        events.append(_ev(concern, "accept", "", lifecycle.ACCEPTED, actor, at, ""))
        state = lifecycle.ACCEPTED
        age_hours = (now - concern.accepted_at).total_seconds() / 3600
        gaps = {
            "dispatch": 0.05,
            "start": 0.15,
            "return": 0.1,
            "resolve": 0.45,
            "close": 0.15,
            "rate": 0.05,
            "reopen": 0.05,
        }
        for action in path:
            at = at + timedelta(hours=age_hours * gaps[action] * rng.uniform(0.6, 1.0))
            if action == "rate":
                concern.rating = rng.choices(Rating.values, weights=[72, 20, 8])[0]
                if concern.rating == Rating.DISSATISFIED and "reopen" not in path:
                    concern.rating = Rating.BASICALLY
                label = concern.get_rating_display()
                events.append(_ev(concern, "rate", state, state, None, at, str(label), label="resident"))
                continue
            note = ""
            if action == "resolve":
                topic = concern.category.name
                note = reply.strip() or rng.choice(GENERIC_REPLIES).format(topic=topic)
            elif action == "return":
                note = "不属于本单位职责，请重新派遣"
            elif action == "reopen":
                note = "居民不满意：问题仍未解决"
                concern.rating = Rating.DISSATISFIED
                events.append(
                    _ev(concern, "reopen", state, lifecycle.REOPENED, None, at, note, label="resident")
                )
                state = lifecycle.REOPENED
                concern.reopen_count = 1
                concern.closed_at, concern.close_hours, concern.rating = None, None, ""
                continue
            target = TARGET[action]
            events.append(
                _ev(
                    concern,
                    action,
                    state,
                    target,
                    staff[len(events) % len(staff)] if staff else actor,
                    at,
                    note,
                )
            )
            if action in lifecycle.RESPONSE_ACTIONS and concern.responded_at is None:
                concern.responded_at = at
                concern.responded_on_time = at <= concern.response_due
            if action == "close":
                concern.closed_at = at
                concern.close_hours = round((at - concern.accepted_at).total_seconds() / 3600, 2)
                concern.overdue = at > concern.resolution_due
            state = target
        concern.version = 1 + len(path)
    return events


def _ev(concern, action, source, target, actor, at, note, *, label=None) -> ConcernEvent:
    event = ConcernEvent(
        concern=concern,
        action=action,
        from_state=source,
        to_state=target,
        actor=actor,
        actor_label=label or (str(actor) if actor else "system"),
        note=note,
    )
    event.demo_at = at
    return event


def _join_cluster(concerns, now) -> None:
    """The 丽发新城 mixing-plant complaints of the last weeks: the first open one is the main
    concern, later reports of the same building follow it (the duplicate offer at intake)."""
    cluster = [
        c
        for c in concerns
        if "丽发" in c.title + c.description and c.is_open and c.state == lifecycle.ACCEPTED
    ]
    others = [
        c
        for c in concerns
        if "丽发" in c.title + c.description and c.state in (lifecycle.HANDLING, lifecycle.DISPATCHED)
    ]
    if not others or not cluster:
        return
    main = others[0]
    followers = [c for c in cluster if c.pk != main.pk][:8]
    for c in followers:
        c.joined_to = main
        c.building_id, c.neighborhood_id, c.micro_grid_id = (
            main.building_id,
            main.neighborhood_id,
            main.micro_grid_id,
        )
    Concern.objects.bulk_update(followers, ["joined_to", "building", "neighborhood", "micro_grid"])
    main.supporters = len(followers)
    main.households_affected += len(followers)
    Concern.objects.filter(pk=main.pk).update(
        supporters=main.supporters, households_affected=main.households_affected
    )
    ConcernEvent.objects.bulk_create(
        [
            ConcernEvent(
                concern=c,
                action="join",
                from_state=c.state,
                to_state=c.state,
                actor_label="system",
                note=f"#{main.pk}",
            )
            for c in followers
        ]
        + [
            ConcernEvent(
                concern=main,
                action="joined",
                from_state=main.state,
                to_state=main.state,
                actor_label="system",
                note=f"#{c.pk}",
            )
            for c in followers
        ]
    )


def _supervise(concerns, now) -> int:
    """Open concerns past a deadline go on the 督办 list as the escalation task would put them."""
    items, late = [], []
    for c in concerns:
        if not c.is_open or c.joined_to_id:
            continue
        if c.responded_at is None and c.response_due < now:
            items.append(
                Supervision(concern=c, reason=Supervision.Reason.RESPONSE_OVERDUE, level="neighborhood")
            )
        if c.resolution_due < now:
            items.append(
                Supervision(concern=c, reason=Supervision.Reason.RESOLUTION_OVERDUE, level="neighborhood")
            )
            c.overdue = True
            late.append(c)
        if c.urgent:
            items.append(Supervision(concern=c, reason=Supervision.Reason.URGENT, level="neighborhood"))
    Supervision.objects.bulk_create(items, ignore_conflicts=True)
    for c in {i.concern_id for i in items}:
        Concern.objects.filter(pk=c).update(escalation_level=1)
    Concern.objects.filter(pk__in=[c.pk for c in late]).update(overdue=True)
    return len({i.concern_id for i in items})


# Which demo login handles how many of the open, dispatched concerns: without these every demo
# concern stays with the residents' committee and the handlers' workbenches are empty.
DEMO_HANDLERS = (
    ("department", "department", 3),
    ("property", "property_company", 3),
    ("owners", "owners_committee", 2),
    ("partner", "partner_unit", 2),
)


def _route_to_handlers(subdistrict) -> int:
    """Hand a few dispatched or in-hand concerns to the demo department, property company, owners'
    committee and partner unit (once: nothing happens when any demo concern has a handler unit)."""
    demo = Concern.objects.filter(subdistrict=subdistrict, idempotency_key__startswith=KEY_PREFIX)
    if demo.exclude(handler_kind="residents_committee").exists():
        return 0
    units = {
        a.user.username: a
        for a in RoleAssignment.objects.filter(
            subdistrict=subdistrict, user__username__in=[u for u, _k, _n in DEMO_HANDLERS]
        ).select_related("user")
    }
    waiting = list(
        demo.filter(state__in=[lifecycle.DISPATCHED, lifecycle.HANDLING], joined_to__isnull=True).order_by(
            "pk"
        )
    )
    routed = []
    for username, kind, count in DEMO_HANDLERS:
        unit = units.get(username)
        for concern in waiting[len(routed) : len(routed) + count] if unit else []:
            concern.handler_kind = kind
            concern.handler_department_id = unit.department_id if kind == "department" else None
            concern.handler_partner_unit_id = unit.partner_unit_id if kind == "partner_unit" else None
            concern.handler_compound_id = (
                unit.compound_id if kind in ("property_company", "owners_committee") else None
            )
            routed.append(concern)
    fields = ["handler_kind", "handler_department_id", "handler_partner_unit_id", "handler_compound_id"]
    Concern.objects.bulk_update(routed, fields)
    return len(routed)
