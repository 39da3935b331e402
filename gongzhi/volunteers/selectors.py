"""Every read of volunteers, activities and the ledger, already filtered to the caller."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core.models import AuditRecord
from gongzhi.core.permissions import EXPORT, WRITE, assignments_of, can, can_create, scoped
from gongzhi.core.roles import ROLES
from gongzhi.governance import selectors as governance
from gongzhi.org import selectors as org_selectors
from gongzhi.org.models import Compound, Household, Neighborhood, PartnerUnit, Subdistrict
from gongzhi.volunteers import skills
from gongzhi.volunteers.models import (
    Activity,
    CallUpAnswer,
    Emergency,
    HonourRollEntry,
    HouseholdRating,
    LedgerEntry,
    MicroWish,
    PointRule,
    PostNeed,
    RedemptionItem,
    RosterDuty,
    RosterPattern,
    RosterShift,
    SignUp,
    SwapRequest,
    Volunteer,
    VolunteerTeam,
)
from gongzhi.volunteers.models.emergencies import UNREACHED_REASONS


def volunteer_of(user) -> Volunteer | None:
    """The volunteer record a signed-in person acts as on their phone, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.select_related("neighborhood").filter(user=user).first()


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    return scoped(user, Volunteer.objects.select_related("neighborhood", "team"))


def search_talents(user, *, skill: str = "", neighborhood_id: int | None = None) -> QuerySet[Volunteer]:
    """The talent pool (达人库): volunteers in the caller's area by skill and place."""
    found = volunteers_visible_to(user)
    if skill.strip():
        # Stored as codes, comma-joined: a whole-code match needs the commas around it. The text
        # may be a Chinese label ("医疗"), an alias or a code; a word outside the taxonomy still
        # finds the same word typed as a skill.
        words = skills.codes_matching(skill) | {skills.code_for(skill)}
        q = Q()
        for word in words:
            q |= (
                Q(skills=word)
                | Q(skills__startswith=word + ",")
                | Q(skills__endswith="," + word)
                | Q(skills__contains="," + word + ",")
            )
        found = found.filter(q)
    if neighborhood_id:
        found = found.filter(neighborhood_id=neighborhood_id)
    return found


def activities_visible_to(user) -> QuerySet[Activity]:
    """Staff see their area's activities; a volunteer also sees open ones in their subdistrict."""
    visible = scoped(user, Activity.objects.all())
    me = volunteer_of(user)
    if me is not None:
        opened = Activity.objects.filter(
            status=Activity.Status.OPEN, neighborhood__subdistrict_id=me.neighborhood.subdistrict_id
        )
        visible = Activity.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=opened.values("pk")))
    confirmed = Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED))
    return visible.select_related("team", "neighborhood").annotate(confirmed=confirmed)


def signups_of(user, activity: Activity) -> QuerySet[SignUp]:
    return scoped(user, SignUp.objects.filter(activity=activity).select_related("volunteer", "ledger_entry"))


def activity_by_token(token: str) -> Activity | None:
    """The activity a check-in code belongs to (the code is printed on site, not a secret)."""
    return Activity.objects.select_related("team").filter(check_in_token=token).first()


def my_signup(user, activity: Activity) -> SignUp | None:
    me = volunteer_of(user)
    return SignUp.objects.filter(activity=activity, volunteer=me).first() if me else None


def ledger_of(user, volunteer: Volunteer) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(volunteer=volunteer).select_related(
        "signup__activity", "redemption__item"
    )
    return scoped(user, entries).order_by("created_at", "id")


def reversible_entries(user, volunteer: Volunteer) -> QuerySet[LedgerEntry]:
    """The person's entries the caller may correct: not corrections, not corrected already."""
    entries = LedgerEntry.objects.filter(volunteer=volunteer, reversed_by__isnull=True).exclude(
        kind=LedgerEntry.Kind.REVERSAL
    )
    return scoped(user, entries, WRITE).order_by("-created_at", "-id")


def neighborhoods_visible_to(user) -> QuerySet[Neighborhood]:
    return scoped(user, Neighborhood.objects.all()).order_by("name", "id")


def writable_neighborhoods(user) -> QuerySet[Neighborhood]:
    """Neighborhoods where the caller may add volunteers and teams."""
    mine = [
        n.pk
        for n in neighborhoods_visible_to(user)
        if can_create(user, Volunteer, {"subdistrict": n.subdistrict_id, "neighborhood": n.pk})
    ]
    return Neighborhood.objects.filter(pk__in=mine).order_by("name", "id")


def households_visible_to(user) -> QuerySet[Household]:
    return scoped(user, Household.objects.select_related("building"))


def partner_units_of_subdistrict(user, subdistrict_id: int) -> QuerySet[PartnerUnit]:
    """The partner units of a subdistrict the caller may see (call-ups, registration)."""
    return scoped(user, PartnerUnit.objects.filter(subdistrict_id=subdistrict_id)).order_by("name", "id")


def partner_units_visible_to(user) -> QuerySet[PartnerUnit]:
    return scoped(user, PartnerUnit.objects.all()).order_by("name", "id")


def teams_visible_to(user) -> QuerySet[VolunteerTeam]:
    members = Count("members", distinct=True)
    return scoped(user, VolunteerTeam.objects.select_related("neighborhood", "chief")).annotate(
        members_n=members
    )


def chief_candidates(user) -> QuerySet[Volunteer]:
    """Volunteers with an account in the caller's writable area: who may lead a team."""
    return volunteers_visible_to(user).filter(
        user__isnull=False, neighborhood__in=writable_neighborhoods(user)
    )


def settings_subdistricts(user) -> QuerySet[Subdistrict]:
    """Subdistricts whose point rules and redemption items the caller may set (its own)."""
    mine = [
        s.pk
        for s in scoped(user, Subdistrict.objects.all())
        if can_create(user, PointRule, {"subdistrict": s.pk})
        or can_create(user, RedemptionItem, {"subdistrict": s.pk})
    ]
    return Subdistrict.objects.filter(pk__in=mine).order_by("name", "id")


def points_subdistrict_read(user) -> Subdistrict | None:
    """The subdistrict whose rules a keeper of volunteers reads (a team chief: their neighborhood's)."""
    if not any("volunteer" in ROLES[a.role].read for a in assignments_of(user)):
        return None
    neighborhood = neighborhoods_visible_to(user).select_related("subdistrict").first()
    return neighborhood.subdistrict if neighborhood else None


def point_rules_of(subdistrict: Subdistrict) -> QuerySet[PointRule]:
    return PointRule.objects.filter(subdistrict=subdistrict).order_by("-created_at", "-id")


def redemption_items_of(subdistrict: Subdistrict) -> QuerySet[RedemptionItem]:
    return RedemptionItem.objects.filter(subdistrict=subdistrict).order_by("name", "id")


def redemption_items_for(user, volunteer: Volunteer) -> QuerySet[RedemptionItem]:
    return scoped(
        user, RedemptionItem.objects.filter(subdistrict_id=volunteer.neighborhood.subdistrict_id, stock__gt=0)
    )


def emergencies_visible_to(user) -> QuerySet[Emergency]:
    return scoped(user, Emergency.objects.all())


def real_call_ups_visible_to(user) -> QuerySet[Emergency]:
    """Real call-ups a drill may copy its posts, shifts and needs from."""
    return emergencies_visible_to(user).filter(kind=Emergency.Kind.REAL).order_by("-opened_at")


def drills_visible_to(user) -> QuerySet[Emergency]:
    return emergencies_visible_to(user).exclude(kind=Emergency.Kind.REAL)


def may_open_emergency(user) -> bool:
    """Whether the caller may open a call-up (or a drill) somewhere: the menu and the form ask."""
    if not getattr(user, "is_authenticated", False):
        return False
    for place in writable_neighborhoods(user):
        if can_create(user, Emergency, {"subdistrict": place.subdistrict_id, "neighborhood": place.pk}):
            return True
    own = own_subdistrict(user)
    return own is not None and can_create(user, Emergency, {"subdistrict": own.pk, "neighborhood": None})


def drill_rows(user) -> list[dict]:
    """The caller's drills, newest first, with their figures' summary."""
    from gongzhi.volunteers import drills

    found = drills_visible_to(user).prefetch_related("drill_teams").order_by("-opened_at", "-pk")[:100]
    return [drills.summary_row(d, (d.drill_result or {}).get("summary")) for d in found]


def drill_page(user, drill: Emergency) -> dict:
    """The drill's page: its teams, posts, shifts and needs, and how the answers stand."""
    from gongzhi.volunteers import drills

    rights = rights_on(user, drill)
    return {
        "drill": drill,
        "teams": drill.drill_teams.select_related("neighborhood").order_by("name"),
        "roster_size": drills.drill_people(drill).count(),
        "rows": plan_rows(drill),
        "posts": drill.posts.select_related("post_lead").order_by("name", "pk"),
        "summary": fill_summary(drill),
        "answers": answer_counts(drill),
        "minutes": drills.now_minutes(drill),
        "may_run": rights.may_write and drill.status == Emergency.Status.OPEN,
        "ready": drill.posts.exists() and drill.shifts.exists(),
    }


def _chart(labels, values, unit, kind: str = "bar") -> dict:
    return {"labels": [str(label) for label in labels], "values": values, "unit": str(unit), "type": kind}


def drill_report(user, drill: Emergency) -> dict:
    """The drill's report with names resolved in the caller's scope (someone they may not see
    shows as a dash) and the data of its charts."""
    from django.utils.translation import gettext as _

    from gongzhi.volunteers import drills

    figures = drills.figures_of(drill)
    context = {"drill": drill, "figures": figures, "teams": drill.drill_teams.order_by("name")}
    context["earlier"] = drills.earlier_drills(drill, emergencies_visible_to(user))
    if figures is None:
        return context
    ids = [u["volunteer"] for u in figures["unreachable"]] + [
        p["volunteer"] for p in figures.get("people", [])
    ]
    ids += [c["lead"] for c in figures["chiefless"] if c.get("lead")]
    ids += [a["volunteer"] for a in figures.get("answers", [])]
    people = volunteers_visible_to(user).select_related("resident").in_bulk(ids)
    posts = drill.posts.in_bulk()
    shifts = drill.shifts.in_bulk()
    predicted = figures["predicted"]
    chiefless_reasons = drills.CHIEFLESS_PREDICTED if predicted else drills.CHIEFLESS
    times = {int(k): v for k, v in figures["times"].items()}
    none = _("no team")
    context.update(
        {
            "predicted": predicted,
            "times": [(share, times.get(share)) for share in (50, 80, 100)],
            "by_team": [{**row, "name": row["name"] or none} for row in figures["by_team"]],
            "by_unit": [{**row, "name": row["name"] or _("no partner unit")} for row in figures["by_unit"]],
            "unreachable": [
                {
                    "volunteer": people.get(u["volunteer"]),
                    "id": u["volunteer"],
                    "reason": drills.PHONE_PROBLEMS.get(u["reason"], u["reason"]),
                    "code": u["reason"],
                }
                for u in figures["unreachable"]
            ],
            "chiefless": [
                {
                    "post": posts.get(c["post"]),
                    "reason": chiefless_reasons.get(c["reason"], c["reason"]),
                    "lead": people.get(c.get("lead")),
                }
                for c in figures["chiefless"]
            ],
            "open": [
                {**row, "post": posts.get(row["post"]), "shift": shifts.get(row["shift"])}
                for row in figures["open"]
            ],
            "answered": [
                {
                    **row,
                    "volunteer": people.get(row["volunteer"]),
                    "label": CallUpAnswer.Answer(row["answer"]).label,
                }
                for row in figures.get("answers", [])
            ],
            "people": [
                {
                    **row,
                    "volunteer": people.get(row["volunteer"]),
                    "rate_percent": round(100 * row["rate"]),
                    "basis_label": drills.BASIS.get(row["basis"], row["basis"]),
                }
                for row in figures.get("people", [])
            ],
            "time_chart": _chart(
                [f"{share}%" for share in (50, 80, 100)],
                [times.get(s) for s in (50, 80, 100)],
                _("time in minutes"),
            ),
            "team_chart": _chart(
                [row["name"] or none for row in figures["by_team"]],
                [row["yes"] for row in figures["by_team"]],
                _("people"),
            ),
            "unit_chart": _chart(
                [row["name"] or _("no partner unit") for row in figures["by_unit"]],
                [row["yes"] for row in figures["by_unit"]],
                _("people"),
            ),
            "fill_chart": _chart(
                [f"{m:g}" for m, _n in figures["curve"]],
                [
                    round(100 * n / figures["places"]) if figures["places"] else 0
                    for _m, n in figures["curve"]
                ],
                "%",
                "line",
            ),
        }
    )
    return context


def fill_rates(emergency: Emergency) -> list[dict]:
    """Per post and shift: people needed, places filled (call with an emergency already scoped)."""
    needed: dict[tuple[int, int], int] = {}
    for need in PostNeed.objects.filter(post__emergency=emergency):
        key = (need.post_id, need.shift_id)
        needed[key] = needed.get(key, 0) + need.count
    filled = dict(
        ((row["post_id"], row["shift_id"]), row["n"])
        for row in emergency.assignments.values("post_id", "shift_id").annotate(n=Count("id"))
    )
    return [
        {"post_id": post, "shift_id": shift, "needed": n, "filled": filled.get((post, shift), 0)}
        for (post, shift), n in sorted(needed.items())
    ]


def plan_rows(emergency: Emergency) -> list[dict]:
    """The plan per post and shift, with who is on it and the fill rate."""
    posts = {p.pk: p for p in emergency.posts.all()}
    shifts = {s.pk: s for s in emergency.shifts.all()}
    people: dict[tuple[int, int], list[str]] = {}
    for a in emergency.assignments.select_related("volunteer").order_by("volunteer__name"):
        people.setdefault((a.post_id, a.shift_id), []).append(a.volunteer.name)
    return [
        {
            **row,
            "post": posts[row["post_id"]],
            "shift": shifts[row["shift_id"]],
            "people": people.get((row["post_id"], row["shift_id"]), []),
        }
        for row in fill_rates(emergency)
    ]


def answer_counts(emergency: Emergency) -> dict[str, int]:
    return dict(emergency.answers.values_list("answer").annotate(n=Count("id")).values_list("answer", "n"))


def unreached_by_last_call_up(emergency: Emergency) -> list[dict]:
    """Who the latest call-up could not message, and why (its audit record keeps ids and reasons,
    no names): staff phone them or fix their record and call up again."""
    record = (
        AuditRecord.objects.filter(
            object_type=emergency._meta.label_lower, object_id=str(emergency.pk), changes__has_key="unreached"
        )
        .order_by("-at", "-id")
        .first()
    )
    rows = (record.changes.get("unreached") if record else None) or []
    people = Volunteer.objects.in_bulk([row["volunteer"] for row in rows])
    return [
        {"volunteer": people[row["volunteer"]], "reason": UNREACHED_REASONS.get(row["reason"], row["reason"])}
        for row in rows
        if row["volunteer"] in people
    ]


def post_map(emergency: Emergency) -> dict:
    """GeoJSON for placing a post by clicking: the compounds of the emergency's area (no basemap is
    needed to find a gate among them) and the posts already placed."""
    compounds = Compound.objects.filter(neighborhood__subdistrict_id=emergency.subdistrict_id)
    if emergency.neighborhood_id:
        compounds = compounds.filter(neighborhood_id=emergency.neighborhood_id)
    data = org_selectors.compound_points(compounds.annotate(household_count=Count("buildings__households")))
    for post in emergency.posts.all():
        data["features"].append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(post.longitude), float(post.latitude)]},
                "properties": {"name": post.name, "tooltip": post.name, "style": {"color": "#1f6feb"}},
            }
        )
    return data


def call_up_details(token: str) -> dict | None:
    """What the called-up volunteer's link page says (the token is their credential): the call-up's
    title and place, their own post and shift once planned, else the posts and shifts it has."""
    answer = (
        CallUpAnswer.objects.select_related("emergency__neighborhood", "emergency__subdistrict", "volunteer")
        .filter(token=token, emergency__status=Emergency.Status.OPEN)
        .first()
    )
    if answer is None:
        return None
    emergency = answer.emergency
    mine = emergency.assignments.filter(volunteer_id=answer.volunteer_id).select_related("post", "shift")
    return {
        "emergency": emergency,
        "place": emergency.neighborhood or emergency.subdistrict,
        "volunteer_name": answer.volunteer.name,
        "assignments": list(mine.order_by("shift__starts_at")),
        "posts": list(emergency.posts.order_by("pk")),
        "shifts": list(emergency.shifts.order_by("starts_at")),
        "given": answer.answer,
    }


def call_up_link_valid(token: str) -> bool:
    return CallUpAnswer.objects.filter(token=token, emergency__status=Emergency.Status.OPEN).exists()


def person_rows(emergency: Emergency) -> list[dict]:
    """The plan per person: each assigned volunteer with their shifts and posts in time order."""
    rows: dict[int, dict] = {}
    for a in emergency.assignments.select_related("volunteer", "post", "shift").order_by(
        "volunteer__name", "shift__starts_at"
    ):
        row = rows.setdefault(a.volunteer_id, {"volunteer": a.volunteer, "places": []})
        row["places"].append({"shift": a.shift, "post": a.post, "skill": a.skill})
    return list(rows.values())


def fill_summary(emergency: Emergency) -> list[dict]:
    """Fill rate per post over all its shifts, for the live call-up board."""
    posts = {p.pk: p for p in emergency.posts.select_related("post_lead")}
    totals: dict[int, dict] = {}
    for row in fill_rates(emergency):
        total = totals.setdefault(row["post_id"], {"post": posts[row["post_id"]], "needed": 0, "filled": 0})
        total["needed"] += row["needed"]
        total["filled"] += row["filled"]
    for total in totals.values():
        total["percent"] = round(100 * total["filled"] / total["needed"]) if total["needed"] else 0
    return sorted(totals.values(), key=lambda t: t["post"].name)


def emergency_volunteers(user, emergency: Emergency) -> QuerySet[Volunteer]:
    """Volunteers of the emergency's area the caller may see (for post leads)."""
    found = volunteers_visible_to(user).filter(neighborhood__subdistrict_id=emergency.subdistrict_id)
    if emergency.neighborhood_id:
        found = found.filter(neighborhood_id=emergency.neighborhood_id)
    return found


def answers_of(emergency: Emergency) -> QuerySet[CallUpAnswer]:
    return emergency.answers.select_related("volunteer").order_by("answer", "volunteer__name")


def wishes_visible_to(user) -> QuerySet[MicroWish]:
    return scoped(
        user,
        MicroWish.objects.select_related("neighborhood", "building", "claimed_by_member", "claimed_by_unit"),
    )


def public_wishes(neighborhood_id: int | None = None) -> QuerySet[MicroWish]:
    """For anyone: no personal details leave here (the template shows the masked name only)."""
    found = MicroWish.objects.filter(
        status__in=[MicroWish.Status.OPEN, MicroWish.Status.CLAIMED]
    ).select_related("neighborhood", "building", "claimed_by_member", "claimed_by_unit")
    return found.filter(neighborhood_id=neighborhood_id) if neighborhood_id else found


def claimers_for(user, wish: MicroWish) -> tuple[QuerySet, QuerySet]:
    """Party members and partner units of the wish's area the caller may name as claimer."""
    from gongzhi.org.models import PartnerUnit, PartyMember

    members = scoped(user, PartyMember.objects.filter(party_org__neighborhood_id=wish.neighborhood_id))
    units = scoped(user, PartnerUnit.objects.filter(subdistrict_id=wish.neighborhood.subdistrict_id))
    return members, units


MEMBERS_SHOWN = 10


def claimer_members_matching(user, wish: MicroWish, text: str) -> list:
    """The first few party members of the wish's neighborhood whose name holds `text` (the search
    the secretary types in to claim for one; never a list of hundreds)."""
    text = (text or "").strip()[:32]
    if not text:
        return []
    members, _units = claimers_for(user, wish)
    return list(members.filter(name__contains=text).order_by("name", "pk")[:MEMBERS_SHOWN])


def may_post_wishes(user) -> bool:
    """Whether any of the caller's roles posts micro-wishes (said before any form is shown)."""
    return any("wish" in ROLES[a.role].write for a in assignments_of(user))


def wish_households(user) -> QuerySet[Household]:
    """The households the caller may name on a wish: those of their area they see."""
    return scoped(user, Household.objects.select_related("building__compound", "neighborhood"))


def wish_by_token(token: str) -> MicroWish | None:
    return MicroWish.objects.filter(confirm_token=token).first()


def signups_visible_to(user) -> QuerySet[SignUp]:
    return scoped(user, SignUp.objects.select_related("activity", "volunteer"))


def rosters_visible_to(user) -> QuerySet[RosterPattern]:
    """The area's rosters, and those of the teams the caller leads (the chief marks attendance)."""
    visible = scoped(user, RosterPattern.objects.all()).values("pk")
    led = Q(team__chief_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return RosterPattern.objects.filter(Q(pk__in=visible) | led).select_related("team", "neighborhood")


def standby_rosters(user) -> list[RosterPattern]:
    """The rosters designated to stand by in an emergency whose neighborhood is in emergency mode
    now (治理环): they stand ready, on the workbench and the roster page."""
    return [
        p
        for p in rosters_visible_to(user).filter(emergency_standby=True).order_by("neighborhood_id", "name")
        if stands_by(p)
    ]


def stands_by(pattern: RosterPattern) -> bool:
    return pattern.emergency_standby and (
        governance.mode_of(pattern.neighborhood.subdistrict_id, pattern.neighborhood_id)
        == governance.Kind.EMERGENCY
    )


def duties_markable_by(user) -> QuerySet[RosterDuty]:
    """Duties whose attendance the caller may mark: in their area, or on a team they lead."""
    visible = scoped(user, RosterDuty.objects.all()).values("pk")
    led = (
        Q(shift__pattern__team__chief_id=user.pk)
        if getattr(user, "is_authenticated", False)
        else Q(pk__in=[])
    )
    return RosterDuty.objects.filter(Q(pk__in=visible) | led)


def roster_shifts(pattern: RosterPattern, first=None, last=None) -> QuerySet[RosterShift]:
    found = pattern.shifts.prefetch_related("duties__volunteer")
    if first is not None:
        found = found.filter(starts_at__gte=first)
    if last is not None:
        found = found.filter(starts_at__lt=last)
    return found


def attendance_counts(pattern: RosterPattern) -> list[dict]:
    """Per person on the roster: duties, served, no-shows (most no-shows first)."""
    rows = (
        RosterDuty.objects.filter(shift__pattern=pattern)
        .values("volunteer_id", "volunteer__name")
        .annotate(
            duties=Count("id"),
            served=Count("id", filter=Q(attendance=RosterDuty.Attendance.SERVED)),
            no_shows=Count("id", filter=Q(attendance=RosterDuty.Attendance.NO_SHOW)),
        )
    )
    return sorted(rows, key=lambda r: (-r["no_shows"], r["volunteer__name"]))


def duties_of(volunteer: Volunteer) -> QuerySet[RosterDuty]:
    return volunteer.roster_duties.select_related("shift__pattern").order_by("shift__starts_at")


def swaps_for(volunteer: Volunteer) -> tuple[QuerySet[SwapRequest], QuerySet[SwapRequest]]:
    """(asked of me and waiting, asked by me and waiting)."""
    waiting = SwapRequest.objects.filter(status=SwapRequest.Status.REQUESTED).select_related(
        "duty__shift__pattern", "from_volunteer", "to_volunteer"
    )
    return waiting.filter(to_volunteer=volunteer), waiting.filter(from_volunteer=volunteer)


def honour_roll(neighborhood_id: int | None = None) -> QuerySet[HonourRollEntry]:
    """Public: what the entries show is chosen to carry no personal details."""
    found = HonourRollEntry.objects.select_related("neighborhood")
    return found.filter(neighborhood_id=neighborhood_id) if neighborhood_id else found


def ratings_visible_to(user) -> QuerySet[HouseholdRating]:
    return scoped(user, HouseholdRating.objects.select_related("household__building")).order_by("-rated_at")


# --- what a page may offer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What a page may offer on one record: change it, export it."""

    may_write: bool
    may_export: bool


def rights_on(user, record) -> Rights:
    """The caller's rights on one visible record (a volunteer, an activity, an emergency)."""
    return Rights(may_write=can(user, record, WRITE), may_export=can(user, record, EXPORT))


def writable_teams(user) -> QuerySet[VolunteerTeam]:
    """Teams the caller may publish activities and rosters for."""
    return scoped(user, VolunteerTeam.objects.all(), WRITE)


def own_subdistrict(user) -> Subdistrict | None:
    """The subdistrict an emergency of no particular neighborhood opens in."""
    return scoped(user, Subdistrict.objects.all()).first()


def signup_for(user, pk: int) -> SignUp | None:
    """A sign-up the caller may act on: their own, or one of their area; None for any other."""
    signup = SignUp.objects.select_related("activity", "volunteer").filter(pk=pk).first()
    if signup is None:
        return None
    if signup.volunteer.user_id != user.pk and not can(user, signup):
        return None
    return signup


def may_mark_roster(user, pattern: RosterPattern) -> bool:
    """Whether the caller marks attendance on this roster: its area's staff or the team's chief."""
    return can(user, pattern, WRITE) or pattern.team.chief_id == user.pk


def team_candidates(user, pattern: RosterPattern) -> QuerySet[Volunteer]:
    """Volunteers of the roster's neighborhood, not on its team yet, the caller may change."""
    found = scoped(user, Volunteer.objects.filter(neighborhood_id=pattern.team.neighborhood_id), WRITE)
    return found.exclude(team_id=pattern.team_id).order_by("kind", "name")


def teammates_of(volunteer: Volunteer) -> QuerySet[Volunteer] | list:
    """The others of the volunteer's team, to whom a duty may be swapped."""
    if not volunteer.team_id:
        return []
    return Volunteer.objects.filter(team_id=volunteer.team_id).exclude(pk=volunteer.pk)


def duty_to_swap(user, me: Volunteer | None, pk: int) -> RosterDuty | None:
    """A duty whose swap the caller may ask for: their own, else one of their area."""
    duty = RosterDuty.objects.filter(pk=pk, volunteer=me).first() if me else None
    return duty or scoped(user, RosterDuty.objects.all()).filter(pk=pk).first()


def swap_partner(duty: RosterDuty, pk) -> Volunteer | None:
    """The teammate (on the duty's team) a swap is asked of; None for anyone else."""
    return Volunteer.objects.filter(pk=pk or 0, team_id=duty.shift.pattern.team_id).first()


def swap_by_id(pk: int) -> SwapRequest | None:
    """A swap request; the service decides whether the caller may answer it."""
    return SwapRequest.objects.filter(pk=pk).first()


def open_activities(neighborhood_id: int) -> QuerySet[Activity]:
    """Activities still to come in a neighborhood, open for sign-up: the resident home lists their
    title, place and time (no names)."""
    return Activity.objects.filter(
        neighborhood_id=neighborhood_id, status=Activity.Status.OPEN, starts_at__gte=timezone.now()
    ).order_by("starts_at")
