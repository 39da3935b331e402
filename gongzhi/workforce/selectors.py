"""Every read of the workforce app, already limited to what the user may see.

Workforce records follow area scope. Personnel records (rounds, scores, bonuses) follow it too, but
only the subdistrict's personnel roles hold that data class: a worker reads their own results and a
rater their own scores through the functions below, nobody else reads any.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, QuerySet, Sum

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import POST_LEVELS
from gongzhi.deliberation.models import Meeting
from gongzhi.deliberation.selectors import meetings_visible_to as deliberation_meetings
from gongzhi.grids.models import MicroGrid
from gongzhi.org.models import Neighborhood, PartyOrg
from gongzhi.projects.models import Project
from gongzhi.workforce import criteria
from gongzhi.workforce.models import (
    AssessmentRound,
    Bonus,
    Chief,
    Forum,
    HoursCredit,
    LeadGooseClass,
    Line,
    Mentorship,
    MicroProjectDesign,
    NeighborhoodRating,
    PersonalScore,
    Promotion,
    RaterGroup,
    RequiredHours,
    TrainingPlan,
    TrainingSession,
    WorkerProfile,
)

ZERO = Decimal(0)


def _visible(user, queryset: QuerySet) -> QuerySet:
    return permissions.scoped(user, queryset)


def get_visible(queryset: QuerySet, pk):
    """One record from an already scoped queryset, or NotInScope (404) when it is not there."""
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotInScope("No such record in your area.")
    return found


def profile_of(user) -> WorkerProfile | None:
    return WorkerProfile.objects.select_related("neighborhood").filter(user_id=user.pk).first()


def profiles_visible_to(user) -> QuerySet[WorkerProfile]:
    return _visible(user, WorkerProfile.objects.select_related("neighborhood"))


def may_write(user, data_class: str) -> bool:
    """Whether any role of the user writes `data_class` somewhere (to show its forms)."""
    return any(data_class in permissions.ROLES[a.role].write for a in permissions.assignments_of(user))


def may_read(user, data_class: str) -> bool:
    """Whether any role of the user reads `data_class` (to show the way to its pages)."""
    return permissions.may_read_class(user, data_class)


def plans_visible_to(user) -> QuerySet[TrainingPlan]:
    return _visible(user, TrainingPlan.objects.all())


def plan_for(user, year: int) -> TrainingPlan | None:
    """The plan of `year` the user may read: their own subdistrict's (workers read theirs by profile)."""
    profile = profile_of(user)
    if profile is not None:
        return TrainingPlan.objects.filter(subdistrict_id=profile.subdistrict_id, year=year).first()
    return plans_visible_to(user).filter(year=year).first()


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    return _visible(user, TrainingSession.objects.select_related("course"))


def credits_of(profile: WorkerProfile, year: int) -> QuerySet[HoursCredit]:
    """A worker's hours of a year, latest session first."""
    latest = F("session__starts_at").desc(nulls_last=True)
    return profile.hours_credits.filter(year=year).select_related("session").order_by(latest, "-pk")


def required_hours(plan: TrainingPlan | None) -> dict[tuple[str, str], Decimal]:
    if plan is None:
        return {}
    return {(r.post_level, r.line): r.hours for r in RequiredHours.objects.filter(plan=plan)}


def hours_by_line(profile: WorkerProfile, year: int) -> dict[str, Decimal]:
    rows = profile.hours_credits.filter(year=year).values("line").annotate(total=Sum("hours"))
    return {r["line"]: r["total"] for r in rows}


def progress_of(profile: WorkerProfile, plan: TrainingPlan | None, year: int) -> list[dict]:
    """Per line: hours required of the worker's level, hours credited, and the share done."""
    required, done = required_hours(plan), hours_by_line(profile, year)
    rows = []
    for line, label in Line.choices:
        need, have = required.get((profile.post_level, line), ZERO), done.get(line, ZERO)
        rows.append(
            {
                "line": line,
                "label": label,
                "required": need,
                "credited": have,
                "percent": min(int(have * 100 / need), 100) if need else 100,
            }
        )
    return rows


def training_dashboard(user, year: int) -> dict:
    """Hours by line, level and neighborhood over the workers the user may read, and who is behind."""
    plan = plan_for(user, year)
    required = required_hours(plan)
    profiles = list(profiles_visible_to(user))
    credits = (
        HoursCredit.objects.filter(profile__in=profiles, year=year)
        .values("profile_id", "line")
        .annotate(total=Sum("hours"))
    )
    done: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for c in credits:
        done[c["profile_id"]][c["line"]] = c["total"]
    by_line, by_level, by_neighborhood = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    behind = []
    for p in profiles:
        hours = done.get(p.pk, {})
        total = sum(hours.values(), ZERO)
        for line, h in hours.items():
            by_line[line] += h
        by_level[p.post_level] += total
        by_neighborhood[p.neighborhood.name] += total
        owed = sum(
            (
                max(required.get((p.post_level, line), ZERO) - hours.get(line, ZERO), ZERO)
                for line in Line.values
            ),
            ZERO,
        )
        if owed > 0:
            behind.append({"profile": p, "credited": total, "owed": owed})
    behind.sort(key=lambda b: (-b["owed"], b["profile"].name))
    return {
        "plan": plan,
        "workers": len(profiles),
        "total": sum(by_line.values(), ZERO),
        "by_line": [(label, by_line.get(line, ZERO)) for line, label in Line.choices],
        "by_level": [(label, by_level.get(level, ZERO)) for level, label in POST_LEVELS.items()],
        "by_neighborhood": sorted(by_neighborhood.items()),
        "behind": behind,
    }


def attendance(klass: LeadGooseClass) -> tuple[int, dict[int, int]]:
    """(sessions held of the class's course, member profile id → sessions attended)."""
    sessions = TrainingSession.objects.filter(course=klass.course)
    members = list(klass.members.values_list("profile_id", flat=True))
    attended: dict[int, int] = dict.fromkeys(members, 0)
    for profile_id in HoursCredit.objects.filter(session__in=sessions, profile_id__in=members).values_list(
        "profile_id", flat=True
    ):
        attended[profile_id] += 1
    return sessions.count(), attended


def classes_visible_to(user, year: int) -> list:
    """The year's 头雁 classes the user may read, each with its members' attendance."""
    found = list(_visible(user, LeadGooseClass.objects.filter(plan__year=year).select_related("course")))
    for klass in found:
        klass.held, attended = attendance(klass)
        klass.rows = [
            (m, attended[m.profile_id]) for m in klass.members.select_related("profile__neighborhood")
        ]
    return found


def mentorships_visible_to(user) -> QuerySet[Mentorship]:
    """Pairs in the user's area, and the pairs the user belongs to as mentor or mentee."""
    own = Mentorship.objects.filter(mentor__user_id=user.pk) | Mentorship.objects.filter(
        mentee__user_id=user.pk
    )
    scoped = _visible(user, Mentorship.objects.all())
    return (own | scoped).select_related("mentor", "mentee", "neighborhood").distinct()


def forums_visible_to(user) -> QuerySet[Forum]:
    """Forums of the user's subdistrict (a worker's through their profile)."""
    profile = profile_of(user)
    mine = Forum.objects.filter(subdistrict_id=profile.subdistrict_id) if profile else Forum.objects.none()
    return (mine | _visible(user, Forum.objects.all())).select_related("speaker", "meeting").distinct()


def forum_averages(forum: Forum) -> dict:
    return forum.ratings.aggregate(
        learning=Avg("learning"),
        writing=Avg("writing"),
        speaking=Avg("speaking"),
        reviewing=Avg("reviewing"),
        count=Count("id"),
    )


def rounds_visible_to(user) -> QuerySet[AssessmentRound]:
    """Rounds for the personnel roles only."""
    return _visible(user, AssessmentRound.objects.all())


def own_subdistrict(user):
    """The subdistrict where the user keeps personnel data (NotInScope when they keep none)."""
    for a in permissions.assignments_of(user):
        if a.unit_kind == "subdistrict" and "personnel" in permissions.ROLES[a.role].write:
            return a.subdistrict
    raise NotInScope("No subdistrict in your area.")


def account_named(username: str):
    """The active account of a username (raters come from any body: offices, grids, departments)."""
    return get_user_model().objects.filter(username=username.strip(), is_active=True).first()


def rating_groups_of(user) -> QuerySet[RaterGroup]:
    """The groups of open rounds the user scores in."""
    return RaterGroup.objects.filter(raters=user, round__status=AssessmentRound.Status.OPEN).select_related(
        "round"
    )


def round_neighborhoods(assessment: AssessmentRound) -> QuerySet[Neighborhood]:
    """The neighborhoods a round's raters score: every one of its subdistrict."""
    return Neighborhood.objects.filter(subdistrict_id=assessment.subdistrict_id).order_by("name")


def own_ratings(user, group: RaterGroup) -> dict[int, Decimal]:
    """neighborhood id → the score this rater gave for this group; nobody else's."""
    rows = NeighborhoodRating.objects.filter(group=group, rater=user).values_list("neighborhood_id", "score")
    return dict(rows)


def round_results(user, assessment: AssessmentRound) -> dict:
    """A round as the personnel roles see it: groups, ratings count, scores, bonuses, promotions."""
    permissions.require(user, assessment, action=permissions.READ)
    return {
        "round": assessment,
        "groups": assessment.groups.prefetch_related("raters"),
        "ratings": assessment.ratings.count(),
        "personal": PersonalScore.objects.filter(round=assessment).select_related("profile__neighborhood"),
        "bonuses": Bonus.objects.filter(round=assessment).select_related("profile__neighborhood"),
        "promotions": Promotion.objects.filter(round=assessment).select_related("profile"),
    }


def round_workers(assessment: AssessmentRound) -> QuerySet[WorkerProfile]:
    """The workers a round assesses: every worker of its subdistrict."""
    return WorkerProfile.objects.filter(subdistrict_id=assessment.subdistrict_id).select_related(
        "neighborhood"
    )


def personal_sheet(assessment: AssessmentRound) -> list[tuple[WorkerProfile, Decimal | None]]:
    """Each worker of the round with the personal score entered so far (None: not yet)."""
    entered = dict(assessment.personal_scores.values_list("profile_id", "score"))
    return [(p, entered.get(p.pk)) for p in round_workers(assessment).order_by("neighborhood__name", "name")]


def own_bonuses(user) -> QuerySet[Bonus]:
    """A worker's own results of adopted rounds."""
    return Bonus.objects.filter(profile__user_id=user.pk).select_related("round").order_by("-round_id")


def chiefs_visible_to(user) -> QuerySet[Chief]:
    return _visible(user, Chief.objects.select_related("neighborhood"))


def own_chief_posts(user) -> QuerySet[Chief]:
    return Chief.objects.filter(user_id=user.pk).select_related("neighborhood").prefetch_related("events")


def chief_for(user, pk) -> Chief:
    """A chief record the user may read: in their area, or their own."""
    return get_visible(chiefs_visible_to(user) | own_chief_posts(user), pk)


def chief_duties(chief: Chief, since: date, until: date) -> dict[str, int]:
    """What the chief did, measured from the platform's own records between two dates."""
    from gongzhi.workforce.duties import measured_duties

    return measured_duties(chief.user_id, since, until)


# --- what the forms offer ------------------------------------------------------------------------


def writable_neighborhoods(user) -> list[Neighborhood]:
    """The neighborhoods where the user may enter workers (their secretary's, the subdistrict's all)."""
    visible = permissions.scoped(user, Neighborhood.objects.order_by("name"))
    return [
        nb
        for nb in visible
        if permissions.can_create(
            user, WorkerProfile, {"subdistrict": nb.subdistrict_id, "neighborhood": nb.pk}
        )
    ]


def outposts_in(neighborhood_ids) -> QuerySet[PartyOrg]:
    """The outpost branches (前哨支部) a worker of these neighborhoods may instruct."""
    return PartyOrg.objects.filter(
        neighborhood_id__in=neighborhood_ids, branch_kind=PartyOrg.BranchKind.OUTPOST
    ).order_by("neighborhood_id", "name")


def grids_in(neighborhood_ids) -> QuerySet[MicroGrid]:
    return MicroGrid.objects.filter(neighborhood_id__in=neighborhood_ids).order_by("neighborhood_id", "name")


def may_plan(user, subdistrict_id: int) -> bool:
    """Whether the user keeps the subdistrict's training plan (its personnel and workforce roles)."""
    return permissions.can_create(user, TrainingPlan, {"subdistrict": subdistrict_id, "neighborhood": None})


def designs_visible_to(user) -> QuerySet[MicroProjectDesign]:
    """Designs of the user's area, and the user's own."""
    own = MicroProjectDesign.objects.filter(profile__user_id=user.pk)
    scoped = _visible(user, MicroProjectDesign.objects.all())
    return (own | scoped).select_related("profile__neighborhood", "project").distinct()


def projects_for_design(design: MicroProjectDesign) -> QuerySet[Project]:
    """The projects of the designer's neighborhood a design may be linked to."""
    return Project.objects.filter(neighborhood_id=design.profile.neighborhood_id).order_by("-pk")


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return deliberation_meetings(user)


def meetings_for_chiefs(user) -> QuerySet[Meeting]:
    """Meetings the user may read, latest first: the sign-in sheet picks one."""
    return deliberation_meetings(user).order_by("-held_at")[:40]


def round_criteria_rows(assessment: AssessmentRound, sheet) -> dict[int, dict]:
    """profile id → the criteria that count for the worker: the red-property score and the blend."""
    if not assessment.criteria:
        return {}
    places = {p.neighborhood for p, _score in sheet}
    found = criteria.scores_by_neighborhood(assessment, places)
    rows = {}
    for profile, entered in sheet:
        own = [c for c in assessment.criteria if c["level"] == profile.post_level]
        if not own:
            continue
        value = found.get((own[0]["code"], profile.neighborhood_id))
        used = None
        if entered is not None:
            used = criteria.blended(
                entered, profile.post_level, profile.neighborhood_id, assessment.criteria, found
            )
        rows[profile.pk] = {"criterion": own[0], "value": value, "used": used}
    return rows


def may_change(user, record) -> bool:
    """Whether the user may change this record (to show its forms; the services check again)."""
    return permissions.can(user, record, permissions.WRITE)


def planning_subdistrict(user):
    """The subdistrict whose training the user keeps (None for the neighborhoods' staff)."""
    for a in permissions.assignments_of(user):
        if a.unit_kind == "subdistrict" and "workforce" in permissions.ROLES[a.role].write:
            return a.subdistrict
    return None
