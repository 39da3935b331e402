"""Every read of projects, rounds and disclosures, already filtered for the caller."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.core import permissions
from gongzhi.core.permissions import READ, WRITE
from gongzhi.core.pii import mask_name
from gongzhi.core.separation import same_account
from gongzhi.org.models import Compound, Department, Neighborhood, PartnerUnit
from gongzhi.projects import rules
from gongzhi.projects.models import (
    Allocation,
    AllocationRule,
    Comment,
    Disclosure,
    Expense,
    Milestone,
    PanelMember,
    Project,
    RequiredAction,
    ReviewRound,
    Task,
)
from gongzhi.projects.services.access import is_subdistrict_staff
from gongzhi.projects.services.money import fen
from gongzhi.projects.services.reviews import ranking


def projects_visible_to(user) -> QuerySet[Project]:
    """Projects in the user's area, plus those a panel the user sits on reviews."""
    in_area = permissions.scope_q(user, Project, READ)
    if getattr(user, "is_authenticated", False):
        in_area |= Q(panels__members__user=user)
    return Project.objects.filter(in_area).distinct().select_related("neighborhood", "owner", "compound")


def project_for(user, pk: int) -> Project | None:
    return projects_visible_to(user).filter(pk=pk).first()


def may_edit(user, project: Project) -> bool:
    return permissions.can(user, project, WRITE)


def may_create(user) -> bool:
    return permissions.may_read_class(user, "project") and bool(creatable_neighborhoods(user))


def creatable_neighborhoods(user) -> list:
    return [
        nb
        for nb in permissions.scoped(user, Neighborhood.objects.all()).order_by("code")[:500]
        if permissions.can_create(user, Project, {"subdistrict": nb.subdistrict_id, "neighborhood": nb.pk})
    ]


def dashboard(user, projects: QuerySet[Project] | None = None) -> dict:
    """Projects by state, budget use, overdue milestones, and the latest scores."""
    projects = projects if projects is not None else projects_visible_to(user)
    ids = list(projects.values_list("pk", flat=True))
    base = Project.objects.filter(pk__in=ids)
    by_state = dict(base.values_list("state").annotate(n=Count("id")))
    approved = fen(base.aggregate(t=Sum("approved_budget"))["t"])
    spent = fen(Expense.objects.filter(project_id__in=ids).aggregate(t=Sum("amount"))["t"])
    today = timezone.localdate()
    overdue = (
        Milestone.objects.filter(project_id__in=ids, done_on__isnull=True, due_on__lt=today)
        .exclude(project__state__in=[rules.CLOSED, rules.REJECTED, rules.STOPPED])
        .select_related("project")
        .order_by("due_on")
    )
    spent_by_project = {
        k: fen(v)
        for k, v in Expense.objects.filter(project_id__in=ids)
        .values_list("project_id")
        .annotate(t=Sum("amount"))
    }
    use = [
        {
            "project": p,
            "budget": p.approved_budget,
            "spent": spent_by_project.get(p.pk, Decimal("0.00")),
            "percent": _percent(spent_by_project.get(p.pk, Decimal("0.00")), p.approved_budget),
        }
        for p in base.filter(approved_budget__isnull=False)
        .select_related("neighborhood")
        .order_by("-approved_budget")[:30]
    ]
    return {
        "by_state": [(value, label, by_state.get(value, 0)) for value, label in Project.State.choices],
        "total": len(ids),
        "approved": approved,
        "spent": spent,
        "spent_percent": _percent(spent, approved),
        "overdue": list(overdue[:50]),
        "overdue_count": overdue.count(),
        "use": use,
    }


def _percent(part: Decimal, whole: Decimal | None) -> int | None:
    if not whole:
        return None
    return int((part * 100 / whole).quantize(Decimal(1)))


def budget_by_organisation(user) -> list[dict]:
    """Approved budget and spending per owning party organisation."""
    projects = projects_visible_to(user)
    ids = list(projects.values_list("pk", flat=True))
    budgets = (
        Project.objects.filter(pk__in=ids, approved_budget__isnull=False)
        .values("owner_id", "owner__name")
        .annotate(budget=Sum("approved_budget"), n=Count("id"))
    )
    spent = dict(
        Expense.objects.filter(project_id__in=ids).values_list("project__owner_id").annotate(t=Sum("amount"))
    )
    return [
        {
            "owner": row["owner__name"],
            "projects": row["n"],
            "budget": fen(row["budget"]),
            "spent": fen(spent.get(row["owner_id"])),
        }
        for row in budgets.order_by("owner__name")
    ]


def tasks_of(user, *, open_only: bool = True) -> QuerySet[Task]:
    """The user's own work list: tasks assigned to them."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    tasks = Task.objects.filter(assignee=user).select_related("project", "milestone")
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return tasks.order_by("due_on", "id")


def checklist(project: Project) -> list[dict]:
    done = {d.action_id: d for d in project.actions_done.all()}
    actions = RequiredAction.objects.filter(subdistrict_id=project.neighborhood.subdistrict_id, active=True)
    return [{"action": a, "done": done.get(a.pk)} for a in actions]


def rounds_visible_to(user) -> QuerySet[ReviewRound]:
    q = permissions.scope_q(user, ReviewRound, READ)
    if getattr(user, "is_authenticated", False):
        q |= Q(panels__members__user=user)
    return ReviewRound.objects.filter(q).distinct()


def round_for(user, pk: int) -> ReviewRound | None:
    return rounds_visible_to(user).filter(pk=pk).first()


def round_ranking(user, review_round: ReviewRound) -> list:
    """The round's ranking rows the user may see: all for the funding subdistrict's staff, else only
    projects in the user's area or on their panel. The table, chart and export all read this one."""
    rows = ranking(review_round)
    if is_subdistrict_staff(user, review_round.subdistrict_id):
        return rows
    visible = set(projects_visible_to(user).filter(review_rounds=review_round).values_list("pk", flat=True))
    return [r for r in rows if r.project.pk in visible]


def round_allocations(user, review_round: ReviewRound) -> list[Allocation]:
    """The round's allocations with the lines the user may see: every line for the funder, else only
    lines of owner organisations whose every project in the round the user may see."""
    allocations = list(allocations_of(review_round))
    if is_subdistrict_staff(user, review_round.subdistrict_id):
        for a in allocations:
            a.shown_lines = list(a.lines.all())
            # four eyes: whoever made a preview sees who must adopt it, not a button that fails
            a.previewed_by_viewer = same_account(a.created_by_id, user)
        return allocations
    shown = {r.project.pk for r in round_ranking(user, review_round)}
    hidden_orgs = {p.owner_id for p in review_round.projects.all() if p.pk not in shown}
    seen = []
    for a in allocations:
        a.shown_lines = [
            line
            for line in a.lines.all()
            if line.org_id not in hidden_orgs and all(p.get("id") in shown for p in line.projects)
        ]
        if a.shown_lines:
            seen.append(a)
    return seen


def seats_of(user, review_round: ReviewRound) -> QuerySet[PanelMember]:
    if not getattr(user, "is_authenticated", False):
        return PanelMember.objects.none()
    return PanelMember.objects.filter(panel__review_round=review_round, user=user).select_related("panel")


def projects_to_score(user, review_round: ReviewRound) -> list[dict]:
    """The projects the user's panels review in this round, with whether the user has scored them."""
    seats = list(seats_of(user, review_round))
    if not seats:
        return []
    projects = (
        Project.objects.filter(panels__members__in=seats, review_rounds=review_round)
        .distinct()
        .select_related("neighborhood")
        .order_by("id")
    )
    scored = set(
        review_round.criteria.first().scores.filter(member__in=seats).values_list("project_id", flat=True)
        if review_round.criteria.exists()
        else []
    )
    return [{"project": p, "scored": p.pk in scored} for p in projects]


def vote_for(user, pk: int):
    """A vote the user may read (a deliberation record: its own scope rules decide)."""
    from gongzhi.deliberation.models import Vote

    return permissions.scoped(user, Vote.objects.filter(pk=pk)).first()


def origin_vote_for(user, project: Project):
    """The vote a project came from, if the user may read it (else the page shows no link)."""
    if project.origin_vote_id is None:
        return None
    from gongzhi.deliberation.models import Vote

    return permissions.scoped(user, Vote.objects.filter(pk=project.origin_vote_id)).first()


def origin_hot_issues_for(user, project: Project):
    """The hot issues (问题清单) the project was made from, those the user may read (the link back
    from the project to the issue; the issue links to the project). Through the reverse relation:
    projects sits below insights and imports nothing of it."""
    return permissions.scoped(user, project.hot_issues.all()).order_by("id")


def allocations_of(review_round: ReviewRound) -> QuerySet[Allocation]:
    return review_round.allocations.prefetch_related("lines__org").order_by("-created_at", "-id")


# --- public disclosure: no login, de-identified ---------------------------------------------


def open_disclosure(token: str) -> Disclosure | None:
    return (
        Disclosure.objects.filter(token=token)
        .select_related("project__neighborhood", "project__compound")
        .first()
    )


def public_accounts(disclosure: Disclosure) -> dict:
    """What the notice shows: approved budget, budget lines, expenses (payees de-identified),
    comments masked."""
    project = disclosure.project
    expenses = [
        dict(e, payee=payee_shown(e.pop("payee"), e.pop("payee_is_person")))
        for e in project.expenses.order_by("spent_on", "id").values(
            "spent_on", "category", "description", "amount", "payee", "payee_is_person"
        )
    ]
    spent = sum((e["amount"] for e in expenses), Decimal("0.00"))
    comments = [
        {
            "kind": c.get_kind_display(),
            "name": mask_name(c.name) if c.name else "",
            "body": c.body,
            "reply": c.reply,
            "at": c.created_at,
        }
        for c in Comment.objects.filter(disclosure=disclosure).order_by("created_at", "id")
    ]
    today = timezone.localdate()
    lines = list(project.budget_lines.all())
    return {
        "project": project,
        "lines": lines,
        "lines_total": sum((line.amount for line in lines), Decimal("0.00")),
        "apportioned": any(line.requested_amount is not None for line in lines),
        "expenses": [
            dict(e, category_label=Expense(category=e["category"]).get_category_display()) for e in expenses
        ],
        "spent": spent,
        "balance": (project.approved_budget or Decimal("0.00")) - spent,
        "comments": comments,
        "is_open": disclosure.opens_on <= today <= disclosure.closes_on,
    }


def compound_disclosures(compound_id: int) -> tuple[Compound | None, list[Disclosure]]:
    compound = Compound.objects.filter(pk=compound_id).select_related("neighborhood").first()
    if compound is None:
        return None, []
    disclosures = (
        Disclosure.objects.filter(project__compound_id=compound_id)
        .select_related("project")
        .order_by("-opens_on", "-id")
    )
    return compound, list(disclosures)


def payee_shown(name: str, is_person: bool) -> str:
    """A contractor is named on the public accounts; a private person only masked (张*)."""
    name = (name or "").strip()
    if not name:
        return ""
    return mask_name(name) if is_person else name


def maintenance_account(compound_id: int, today: datetime.date | None = None) -> dict:
    """维修账目: the works and maintenance expenses of the compound's projects whose notice has been
    published (opened), as one public account: item, date, amount, payee de-identified, with a
    total per project and in all."""
    today = today or timezone.localdate()
    disclosed = Disclosure.objects.filter(project__compound_id=compound_id, opens_on__lte=today)
    expenses = (
        Expense.objects.filter(
            project__compound_id=compound_id, project__in=disclosed.values("project_id"), category="works"
        )
        .select_related("project")
        .order_by("spent_on", "id")
    )
    rows = [
        {
            "spent_on": e.spent_on,
            "project": e.project.title,
            "project_id": e.project_id,
            "item": e.description,
            "amount": e.amount,
            "payee": payee_shown(e.payee, e.payee_is_person),
        }
        for e in expenses
    ]
    totals: dict[int, dict] = {}
    for row in rows:
        entry = totals.setdefault(row["project_id"], {"project": row["project"], "amount": Decimal("0.00")})
        entry["amount"] += row["amount"]
    return {
        "rows": rows,
        "per_project": list(totals.values()),
        "total": fen(sum((r["amount"] for r in rows), Decimal(0))),
        "as_of": today,
    }


def notice_days_left(disclosure: Disclosure, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return max(0, (disclosure.closes_on - today).days)


def people_for(project: Project) -> QuerySet:
    """Who a task can go to: staff with a role in the project's neighborhood or on its subdistrict."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(role_assignments__neighborhood_id=project.neighborhood_id)
            | Q(
                role_assignments__subdistrict_id=project.neighborhood.subdistrict_id,
                role_assignments__neighborhood__isnull=True,
            )
            | Q(project_teams=project)
        )
        .distinct()
        .order_by("username")
    )


def judges_for(subdistrict_id: int) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(role_assignments__subdistrict_id=subdistrict_id, is_active=True)
        .distinct()
        .order_by("username")
    )


# --- what the staff pages pick from -----------------------------------------------------------


def may_see_projects(user) -> bool:
    """Project pages are for roles that read projects and for panel members (who may have none)."""
    return permissions.may_read_class(user, "project") or user.panel_seats.exists()


def neighborhood_choices(user) -> QuerySet[Neighborhood]:
    return Neighborhood.objects.filter(pk__in=[n.pk for n in creatable_neighborhoods(user)])


def form_choices(user, neighborhood: Neighborhood | None = None) -> dict:
    """The compounds, partner units and departments a project form offers: the project's
    neighborhood's, else those of every neighborhood the user may create projects in."""
    creatable = [neighborhood] if neighborhood else creatable_neighborhoods(user)
    sub_ids = [n.subdistrict_id for n in creatable]
    return {
        "compounds": Compound.objects.filter(neighborhood__in=creatable).order_by("name"),
        "partners": PartnerUnit.objects.filter(subdistrict_id__in=sub_ids).order_by("name"),
        "departments": Department.objects.filter(subdistrict_id__in=sub_ids).order_by("name"),
    }


def task_of(project: Project, pk: int) -> Task | None:
    return project.tasks.filter(pk=pk).first()


def milestone_of(project: Project, pk: int) -> Milestone | None:
    return project.milestones.filter(pk=pk).first()


def required_action_of(project: Project, pk: int) -> RequiredAction | None:
    """An item of the checklist of the project's subdistrict."""
    return RequiredAction.objects.filter(subdistrict_id=project.neighborhood.subdistrict_id, pk=pk).first()


def disclosure_of(project: Project, pk: int) -> Disclosure | None:
    return project.disclosures.filter(pk=pk).first()


def comment_of(disclosure: Disclosure, pk: int | None) -> Comment | None:
    return disclosure.comments.filter(pk=pk).first() if pk is not None else None


def candidate_of(vote, pk: int | None):
    return vote.candidates.filter(pk=pk).first() if pk is not None else None


def funder_subdistrict(user):
    """The subdistrict on which the user funds projects (its rounds, rules and settings), if any."""
    for a in permissions.assignments_of(user):
        if a.unit_kind == "subdistrict" and is_subdistrict_staff(user, a.subdistrict_id):
            return a.subdistrict
    return None


def funds_somewhere(user) -> bool:
    return any(is_subdistrict_staff(user, a.subdistrict_id) for a in permissions.assignments_of(user))


def projects_for_round(subdistrict) -> QuerySet[Project]:
    """The projects a new round may review: submitted or under way in the subdistrict."""
    return Project.objects.filter(
        neighborhood__subdistrict=subdistrict,
        state__in=[rules.SUBMITTED, rules.UNDER_REVIEW, rules.RUNNING, rules.MIDTERM, rules.FINAL_REPORT],
    ).order_by("title")


def allocation_rules_of(subdistrict_id: int) -> QuerySet[AllocationRule]:
    return AllocationRule.objects.filter(subdistrict_id=subdistrict_id)


def allocation_rule_for(review_round: ReviewRound, pk: int | None) -> AllocationRule | None:
    return allocation_rules_of(review_round.subdistrict_id).filter(pk=pk).first() if pk is not None else None


def allocation_for(review_round: ReviewRound, pk: int) -> Allocation | None:
    return Allocation.objects.filter(pk=pk, review_round=review_round).first()


def project_in_round(review_round: ReviewRound, pk: int) -> Project | None:
    return Project.objects.filter(pk=pk, review_rounds=review_round).select_related("neighborhood").first()


def scores_given(seat: PanelMember, project: Project) -> dict:
    """Criterion id → the value this panel seat gave the project."""
    return {s.criterion_id: s.value for s in project.scores.filter(member=seat)}
