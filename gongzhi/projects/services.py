"""Every write to projects, reviews, allocations, expenses and disclosures: scope, validate, lock, audit."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions, pii, uploads
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import StoredFile
from gongzhi.core.permissions import READ, WRITE
from gongzhi.org.models import Neighborhood, PartyOrg, Subdistrict
from gongzhi.org.roles import ROLES
from gongzhi.projects import allocation, rules, scoring, spending
from gongzhi.projects.models import (
    ActionDone,
    Allocation,
    AllocationLine,
    AllocationRule,
    BudgetLine,
    CheckIn,
    Comment,
    Criterion,
    Disclosure,
    Expense,
    ExpenseCategory,
    Milestone,
    Panel,
    PanelMember,
    Project,
    RequiredAction,
    ReviewRound,
    RoundBaseline,
    Score,
    SpendingRule,
    Step,
    Task,
)

FEN = Decimal("0.01")


# --- helpers --------------------------------------------------------------------------------


def money(value, field: str) -> Decimal:
    """A yuan amount to the fen; anything else is an error naming the field."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Not an amount: %(value)s") % {"value": value}}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Not an amount: %(value)s") % {"value": value}})
    if amount != amount.quantize(FEN):
        raise ValidationError({field: _("Amounts have at most two decimal places (fen).")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def require(actor, obj, action: str = WRITE) -> None:
    """Refuse an action outside the actor's scope; records they cannot even read look absent."""
    if permissions.can(actor, obj, action):
        return
    if permissions.can(actor, obj, READ):
        raise PermissionDenied(_("You may not change this record."))
    raise NotInScope(_("No such record in your area."))


def is_subdistrict_staff(actor, subdistrict_id: int) -> bool:
    """The funder's side: a role on the subdistrict itself that writes projects."""
    return any(
        ROLES[a.role].unit_kind == "subdistrict"
        and "project" in ROLES[a.role].write
        and a.unit_id == subdistrict_id
        for a in permissions.assignments_of(actor)
    )


def require_subdistrict(actor, subdistrict_id: int, *, seen: bool = False) -> None:
    """The funder's steps; `seen` when the actor may read the record at hand (so: 403, not 404)."""
    if is_subdistrict_staff(actor, subdistrict_id):
        return
    if seen or permissions.scoped(actor, Subdistrict.objects.filter(pk=subdistrict_id)).exists():
        raise PermissionDenied(_("Only the subdistrict may do this."))
    raise NotInScope(_("No such record in your area."))


def _require_create(actor, neighborhood: Neighborhood) -> None:
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    if permissions.can_create(actor, Project, path):
        return
    if permissions.scoped(actor, Neighborhood.objects.filter(pk=neighborhood.pk)).exists():
        raise PermissionDenied(_("You may not add this here."))
    raise NotInScope(_("No such neighborhood in your area."))


def owner_of(neighborhood: Neighborhood) -> PartyOrg:
    """The neighborhood's party organisation: its community committee, else its top branch."""
    orgs = PartyOrg.objects.filter(neighborhood=neighborhood)
    for level in (PartyOrg.Level.COMMUNITY, PartyOrg.Level.BRANCH, PartyOrg.Level.GROUP):
        org = orgs.filter(level=level).order_by("parent_id", "id").first()
        if org is not None:
            return org
    raise ValidationError(
        {
            "owner": _("%(neighborhood)s has no party organisation to own the project.")
            % {"neighborhood": neighborhood}
        }
    )


def _notify_later(user, *, key: str, subject: str, body: str, link: str = "") -> None:
    """Tell a person once the write is committed (inbox plus their contact channels); the key
    makes a retried write send nothing twice."""
    if user is None:
        return
    from gongzhi.notifications.services import notify_user

    transaction.on_commit(lambda: notify_user(user, key=key, subject=subject, body=body, link=link))


def _stored(upload, *, actor, project: Project, field: str) -> StoredFile:
    """Keep an uploaded receipt or document through core.uploads (content-checked, readable by the
    project's readers in its area); a refused file is an error on `field`."""
    try:
        return uploads.store(
            upload, "receipt", actor=actor, data_class="project",
            area=(project.neighborhood.subdistrict_id, project.neighborhood_id),
        )  # fmt: skip
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _require_editable(project: Project) -> None:
    if project.state not in rules.EDITABLE:
        raise ValidationError(
            {
                "state": _("A project can only be edited as a draft (now: %(state)s).")
                % {"state": project.get_state_display()}
            }
        )


# --- projects -------------------------------------------------------------------------------

PROJECT_FIELDS = ("title", "kind", "origin", "origin_note", "summary", "goals", "beneficiaries", "university_teams",
                  "starts_on", "ends_on", "compound", "leader")  # fmt: skip


def _check_dates(project: Project) -> None:
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})
    if project.compound_id and project.compound.neighborhood_id != project.neighborhood_id:
        raise ValidationError({"compound": _("The compound is not in the project's neighborhood.")})


@transaction.atomic
def create_project(
    *,
    actor,
    neighborhood: Neighborhood,
    title: str,
    kind: str = Project.Kind.PRACTICAL,
    origin: str = Project.Origin.PROPOSAL,
    owner: PartyOrg | None = None,
    partners=(),
    departments=(),
    team=(),
    **fields,
) -> Project:
    _require_create(actor, neighborhood)
    owner = owner or owner_of(neighborhood)
    if owner.neighborhood_id != neighborhood.pk:
        raise ValidationError({"owner": _("The owner must be a party organisation of the neighborhood.")})
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    project = Project(
        neighborhood=neighborhood,
        owner=owner,
        title=(title or "").strip(),
        kind=kind,
        origin=origin,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    project.full_clean(exclude=["created_by", "leader"])
    _check_dates(project)
    project.save()
    _set_links(project, partners=partners, departments=departments, team=team)
    audit.record("create", project, actor=actor, changes={"kind": kind, "origin": origin, "owner": owner.pk})
    return project


def _set_links(project: Project, *, partners=None, departments=None, team=None) -> None:
    sub = project.neighborhood.subdistrict_id
    if partners is not None:
        partners = list(partners)
        if any(p.subdistrict_id != sub for p in partners):
            raise ValidationError({"partners": _("Partner units must belong to the project's subdistrict.")})
        project.partners.set(partners)
    if departments is not None:
        departments = list(departments)
        if any(d.subdistrict_id != sub for d in departments):
            raise ValidationError({"departments": _("Departments must belong to the project's subdistrict.")})
        project.departments.set(departments)
    if team is not None:
        project.team.set(list(team))


@transaction.atomic
def update_project(
    *, actor, project: Project, partners=None, departments=None, team=None, **fields
) -> Project:
    require(actor, project)
    project = _locked(project)
    _require_editable(project)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    changes = {}
    for name, value in fields.items():
        if getattr(project, name) != value:
            changes[name] = str(value)
            setattr(project, name, value)
    project.full_clean(exclude=["created_by", "leader"])
    _check_dates(project)
    project.save()
    _set_links(project, partners=partners, departments=departments, team=team)
    audit.record("update", project, actor=actor, changes=changes)
    return project


@transaction.atomic
def draft_from_hot_issue(user, *, neighborhood: Neighborhood, title: str, summary: str) -> Project:
    """A draft practical-matter project for a hot issue (问题清单 → 实事清单), owned by the
    neighborhood's party organisation. The caller stores the link on its hot issue."""
    return create_project(
        actor=user,
        neighborhood=neighborhood,
        title=(title or "")[:128],
        kind=Project.Kind.PRACTICAL,
        origin=Project.Origin.HOT_ISSUE,
        summary=summary or "",
    )


def vote_neighborhood(vote) -> Neighborhood | None:
    """Where a project of a vote's result belongs: the vote's neighborhood, its compound's or its
    party organisation's."""
    if vote.neighborhood_id:
        return vote.neighborhood
    if vote.compound_id:
        return vote.compound.neighborhood
    if vote.party_org_id and vote.party_org.neighborhood_id:
        return vote.party_org.neighborhood
    return None


def vote_winners(vote) -> list[dict]:
    """The results a project may start from: a passed yes/no vote (candidate None), or each
    tick-list option that reached the threshold, with its ticks and rank."""
    from gongzhi.deliberation.models import Vote

    result = vote.result or {}
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED) or not result.get("valid", True):
        return []
    if vote.kind != Vote.Kind.TICK_LIST:
        return [{"candidate": None, "label": vote.subject}] if result.get("passed") else []
    candidates = {str(c.pk): c for c in vote.candidates.all()}
    return [
        {"candidate": candidates[row["candidate_id"]], "label": candidates[row["candidate_id"]].label,
         "ticks": row["ticks"], "rank": row["rank"]}
        for row in result.get("ranking", [])
        if row.get("reaches_threshold") and row["candidate_id"] in candidates
    ]  # fmt: skip


def may_start_from_vote(user, vote) -> bool:
    """Whether the result page offers the button: the user reads the vote and may make projects
    in its neighborhood (the service checks again)."""
    neighborhood = vote_neighborhood(vote)
    if neighborhood is None or not permissions.can(user, vote, READ):
        return False
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    return permissions.can_create(user, Project, path)


@transaction.atomic
def start_from_vote(*, actor, vote, candidate=None) -> Project:
    """A draft project from a passed vote or a tick-list option residents chose, linked to it; a
    second click, or two at once, get the same project (the vote row is locked)."""
    from gongzhi.deliberation.models import Vote

    if not permissions.can(actor, vote, READ):
        raise NotInScope(_("No such record in your area."))
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    winners = {w["candidate"].pk if w["candidate"] else None: w for w in vote_winners(vote)}
    key = candidate.pk if candidate is not None else None
    if key not in winners:
        raise ValidationError(
            {
                "candidate": _(
                    "Only a passed vote or a tick-list option that reached the threshold starts a project."
                )
            }
        )
    existing = Project.objects.filter(origin_vote=vote, origin_candidate_id=key).first()
    if existing is not None:
        return existing
    neighborhood = vote_neighborhood(vote)
    if neighborhood is None:
        raise ValidationError({"vote": _("The vote has no neighborhood to own a project.")})
    winner = winners[key]
    if candidate is None:
        origin, summary = Project.Origin.VOTE, _("Passed by vote: %(subject)s.") % {"subject": vote.subject}
    else:
        origin = Project.Origin.TICK_LIST
        summary = _("Chosen by residents in the tick-list %(subject)s: rank %(rank)s, %(ticks)s ticks.") % {
            "subject": vote.subject, "rank": winner["rank"], "ticks": winner["ticks"],
        }  # fmt: skip
    compound = vote.compound if vote.compound_id else None
    project = create_project(
        actor=actor, neighborhood=neighborhood, title=winner["label"][:128], origin=origin, summary=summary,
        origin_note=vote.subject[:255], compound=compound,
    )  # fmt: skip
    project.origin_vote, project.origin_candidate = vote, candidate
    project.save(update_fields=["origin_vote", "origin_candidate"])
    audit.record("link", project, actor=actor, changes={"origin_vote": vote.pk, "origin_candidate": key})
    return project


# --- budget lines, milestones, tasks, checklist, check-ins ---------------------------------


@transaction.atomic
def add_budget_line(
    *, actor, project: Project, category: str, item: str, amount, note: str = ""
) -> BudgetLine:
    require(actor, project)
    project = _locked(project)
    _require_editable(project)
    line = BudgetLine(
        project=project,
        category=category,
        item=(item or "").strip(),
        amount=money(amount, "amount"),
        note=note,
    )
    line.full_clean()
    line.save()
    audit.record("create", line, actor=actor, changes={"amount": str(line.amount), "category": category})
    return line


@transaction.atomic
def remove_budget_line(*, actor, line: BudgetLine) -> None:
    require(actor, line.project)
    project = _locked(line.project)
    _require_editable(project)
    audit.record("delete", line, actor=actor, changes={"amount": str(line.amount)})
    line.delete()


def fen(value) -> Decimal:
    """A database sum as exact fen (SQLite returns sums of decimals with spurious places)."""
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_HALF_UP)


def requested_budget(project: Project) -> Decimal:
    return fen(project.budget_lines.aggregate(t=Sum("amount"))["t"])


@transaction.atomic
def add_milestone(*, actor, project: Project, title: str, due_on: datetime.date) -> Milestone:
    require(actor, project)
    milestone = Milestone(project=project, title=(title or "").strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    audit.record("create", milestone, actor=actor)
    return milestone


@transaction.atomic
def complete_milestone(*, actor, milestone: Milestone, done_on: datetime.date | None = None) -> Milestone:
    require(actor, milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is None:
        milestone.done_on = done_on or timezone.localdate()
        milestone.save(update_fields=["done_on"])
        audit.record("complete", milestone, actor=actor)
    return milestone


@transaction.atomic
def add_task(*, actor, project: Project, title: str, assignee, due_on: datetime.date, milestone=None) -> Task:
    require(actor, project)
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationError({"milestone": _("The milestone belongs to another project.")})
    if assignee is None:
        raise ValidationError({"assignee": _("A task needs a person.")})
    task = Task(
        project=project, title=(title or "").strip(), assignee=assignee, due_on=due_on, milestone=milestone
    )
    task.full_clean()
    task.save()
    audit.record("create", task, actor=actor, changes={"assignee": assignee.pk, "due_on": str(due_on)})
    _notify_later(
        assignee,
        key=f"projects/task/{task.pk}",
        subject=_("New task: %(title)s") % {"title": task.title},
        body=_("%(project)s: %(title)s, due %(due)s.")
        % {"project": project, "title": task.title, "due": due_on},
        link=reverse("projects:my_tasks"),
    )
    return task


@transaction.atomic
def complete_task(*, actor, task: Task) -> Task:
    if task.assignee_id != getattr(actor, "pk", None):
        require(actor, task.project)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record("complete", task, actor=actor)
    return task


@transaction.atomic
def set_required_actions(*, actor, subdistrict: Subdistrict, names: list[str]) -> list[RequiredAction]:
    """The subdistrict's checklist, in order; items left out are deactivated, never deleted."""
    require_subdistrict(actor, subdistrict.pk)
    clean = [n.strip() for n in names if n and n.strip()]
    if len(set(clean)) != len(clean):
        raise ValidationError({"names": _("An item appears twice in the checklist.")})
    kept = []
    for position, name in enumerate(clean):
        action, _created = RequiredAction.objects.update_or_create(
            subdistrict=subdistrict, name=name[:96], defaults={"position": position, "active": True}
        )
        kept.append(action)
    RequiredAction.objects.filter(subdistrict=subdistrict).exclude(pk__in=[a.pk for a in kept]).update(
        active=False
    )
    audit.record("configure", subdistrict, actor=actor, summary="required actions", changes={"names": clean})
    return kept


@transaction.atomic
def tick_action(
    *, actor, project: Project, action: RequiredAction, done_on: datetime.date, note: str = "", evidence=None
) -> ActionDone:
    require(actor, project)
    if action.subdistrict_id != project.neighborhood.subdistrict_id or not action.active:
        raise ValidationError({"action": _("Not an item of this subdistrict's checklist.")})
    done, created = ActionDone.objects.get_or_create(
        project=project, action=action, defaults={"done_on": done_on, "note": note, "by": actor}
    )
    if created:
        if evidence:
            done.evidence = _stored(evidence, actor=actor, project=project, field="evidence")
            done.save(update_fields=["evidence"])
        audit.record("tick", done, actor=actor, summary=action.name)
    return done


def period_start(cadence: str, day: datetime.date) -> datetime.date:
    """Monday of the week, or the first of the month, that `day` falls in."""
    if cadence == CheckIn.Cadence.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


@transaction.atomic
def record_check_in(*, actor, project: Project, cadence: str, held_on: datetime.date, notes: str) -> CheckIn:
    """One meeting per cadence period; recording it again updates the notes instead of adding one."""
    require(actor, project)
    if cadence not in CheckIn.Cadence.values:
        raise ValidationError({"cadence": _("Unknown cadence.")})
    if not (notes or "").strip():
        raise ValidationError({"notes": _("Write what was discussed.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A check-in cannot be in the future.")})
    start = period_start(cadence, held_on)
    check_in, created = CheckIn.objects.select_for_update().get_or_create(
        project=project,
        cadence=cadence,
        period_start=start,
        defaults={"held_on": held_on, "notes": notes, "by": actor},
    )
    if not created:
        check_in.held_on, check_in.notes, check_in.by = held_on, notes, actor
        check_in.save(update_fields=["held_on", "notes", "by"])
    audit.record("check_in", check_in, actor=actor, changes={"cadence": cadence, "period": str(start)})
    return check_in


def missed_check_ins(
    project: Project, *, today: datetime.date | None = None
) -> dict[str, list[datetime.date]]:
    """Periods since the project started running with no check-in recorded, per cadence."""
    today = today or timezone.localdate()
    if project.state not in rules.ACTIVE or project.starts_on is None or project.starts_on > today:
        return {c: [] for c in CheckIn.Cadence.values}
    held = set(project.check_ins.values_list("cadence", "period_start"))
    missing: dict[str, list[datetime.date]] = {}
    for cadence in CheckIn.Cadence.values:
        periods, day = [], period_start(cadence, project.starts_on)
        current = period_start(cadence, today)
        while day < current:  # the current period is not missed yet
            if (cadence, day) not in held:
                periods.append(day)
            day = (
                day + datetime.timedelta(days=7)
                if cadence == "weekly"
                else (day + datetime.timedelta(days=32)).replace(day=1)
            )
        missing[cadence] = periods
    return missing


# --- lifecycle ------------------------------------------------------------------------------


@transaction.atomic
def transition(
    *,
    actor,
    project: Project,
    to: str,
    note: str = "",
    document=None,
    approved_budget=None,
    expected: str | None = None,
) -> Project:
    """Move a project one step. `expected` is the state the actor saw: if someone else moved the
    project meanwhile, the step is refused instead of applied to a state nobody looked at."""
    require(actor, project, READ)
    project = _locked(project)
    current = project.state
    if expected is not None and expected != current:
        raise ValidationError(
            {
                "state": _("The project was changed meanwhile: it is now %(state)s.")
                % {"state": project.get_state_display()}
            }
        )
    if not rules.allowed(current, to):
        raise ValidationError(
            {"state": _("A project cannot go from %(from)s to %(to)s.")
             % {"from": project.get_state_display(), "to": Project.State(to).label if to in Project.State.values else to}}
        )  # fmt: skip
    subdistrict_id = project.neighborhood.subdistrict_id
    if rules.needs_subdistrict(current, to):
        require_subdistrict(actor, subdistrict_id, seen=True)
    else:
        require(actor, project)
    changes = {"from": current, "to": to}
    if to == rules.SUBMITTED:
        _check_complete(project)
    if to == rules.APPROVED:
        changes.update(_approve(project, approved_budget, note))
    if to in (rules.REJECTED, rules.STOPPED, rules.DRAFT) and not (note or "").strip():
        raise ValidationError({"note": _("Give the reason for this decision.")})
    if to == rules.RUNNING and project.starts_on is None:
        project.starts_on = timezone.localdate()
    project.state = to
    project.save()
    step = Step.objects.create(project=project, from_state=current, to_state=to, note=note or "", actor=actor)
    if document:
        step.document = _stored(document, actor=actor, project=project, field="document")
        step.save(update_fields=["document"])
    audit.record("transition", project, actor=actor, reason=note[:255] if note else "", changes=changes)
    return project


def _approve(project: Project, approved_budget, note: str) -> dict:
    """Set the approved budget: the amount given, else what the owner organisation's adopted
    allocation suggests, else the budget lines. Above what is left of the organisation's allocation
    only with a reason. The organisation's row is locked so two approvals cannot both use the rest."""
    PartyOrg.objects.select_for_update().filter(pk=project.owner_id).first()
    org = org_budget(project)
    if approved_budget in (None, ""):
        budget = org.suggested if org is not None else requested_budget(project)
    else:
        budget = money(approved_budget, "approved_budget")
    if budget <= 0:
        raise ValidationError({"approved_budget": _("An approved project needs a budget above zero.")})
    changes = {"approved_budget": str(budget)}
    if org is not None:
        changes.update(org_allocated=str(org.allocated), org_left=str(org.left))
        if budget > org.left and not (note or "").strip():
            raise ValidationError(
                {"approved_budget": _(
                    "%(budget)s yuan is above what is left of %(org)s's allocated budget (%(left)s yuan); "
                    "give the reason in the note."
                ) % {"budget": budget, "org": project.owner, "left": org.left}}
            )  # fmt: skip
    project.approved_budget = budget
    return changes


def _check_complete(project: Project) -> None:
    missing = [
        name
        for name, value in (("goals", project.goals), ("beneficiaries", project.beneficiaries))
        if not (value or "").strip()
    ]
    if missing:
        raise ValidationError({missing[0]: _("Fill this in before submitting.")})
    if not project.budget_lines.exists():
        raise ValidationError({"budget_lines": _("Add at least one budget line before submitting.")})


# --- review rounds, panels and scores -------------------------------------------------------

ROUND_STATES = {
    ReviewRound.Stage.SETUP: {rules.SUBMITTED, rules.UNDER_REVIEW, rules.APPROVED},
    ReviewRound.Stage.MIDTERM: {rules.RUNNING, rules.MIDTERM},
    ReviewRound.Stage.FINAL: {rules.FINAL_REPORT, rules.CLOSED},
}


@transaction.atomic
def create_round(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    stage: str = ReviewRound.Stage.SETUP,
    criteria: list[tuple[str, object]],
    drop_extremes: bool = False,
    rule: AllocationRule | None = None,
) -> ReviewRound:
    """A round with its scoring criteria (name, weight), both set by the subdistrict."""
    require_subdistrict(actor, subdistrict.pk)
    if rule is not None and rule.subdistrict_id != subdistrict.pk:
        raise ValidationError({"rule": _("The allocation rule belongs to another subdistrict.")})
    if not criteria:
        raise ValidationError({"criteria": _("A round needs at least one criterion.")})
    review_round = ReviewRound(
        subdistrict=subdistrict,
        name=(name or "").strip(),
        stage=stage,
        drop_extremes=drop_extremes,
        rule=rule,
    )
    review_round.full_clean()
    review_round.save()
    seen = set()
    for position, (criterion_name, weight) in enumerate(criteria):
        criterion_name = (criterion_name or "").strip()
        field = f"criteria[{position + 1}]"
        if not criterion_name or criterion_name in seen:
            raise ValidationError({field: _("Each criterion needs its own name.")})
        seen.add(criterion_name)
        try:
            weight = Decimal(str(weight))
        except InvalidOperation:
            raise ValidationError({field: _("The weight is not a number.")}) from None
        if not weight.is_finite() or weight <= 0:
            raise ValidationError({field: _("The weight must be above zero.")})
        Criterion.objects.create(
            review_round=review_round, name=criterion_name, weight=weight, position=position
        )
    audit.record("create", review_round, actor=actor, changes={"criteria": [str(c[0]) for c in criteria]})
    return review_round


@transaction.atomic
def add_to_round(*, actor, review_round: ReviewRound, projects) -> None:
    require_subdistrict(actor, review_round.subdistrict_id)
    projects = list(projects)
    for project in projects:
        if project.neighborhood.subdistrict_id != review_round.subdistrict_id:
            raise ValidationError(
                {"projects": _("%(project)s is in another subdistrict.") % {"project": project}}
            )
        if project.state not in ROUND_STATES[review_round.stage]:
            raise ValidationError(
                {"projects": _("%(project)s is %(state)s and cannot be reviewed at this stage.")
                 % {"project": project, "state": project.get_state_display()}}
            )  # fmt: skip
    review_round.projects.add(*projects)
    audit.record("add_projects", review_round, actor=actor, changes={"projects": [p.pk for p in projects]})


@transaction.atomic
def create_panel(*, actor, review_round: ReviewRound, name: str, members, chair=None, projects=None) -> Panel:
    """A panel reviews the given projects of the round (all of them when none are named)."""
    require_subdistrict(actor, review_round.subdistrict_id)
    panel = Panel(review_round=review_round, name=(name or "").strip())
    panel.full_clean()
    panel.save()
    projects = list(review_round.projects.all()) if projects is None else list(projects)
    if any(not review_round.projects.filter(pk=p.pk).exists() for p in projects):
        raise ValidationError({"projects": _("A panel reviews only projects of its round.")})
    panel.projects.set(projects)
    members = list(members)
    if not members:
        raise ValidationError({"members": _("A panel needs at least one member.")})
    for user in members:
        PanelMember.objects.get_or_create(panel=panel, user=user, defaults={"is_chair": user == chair})
        _notify_later(
            user,
            key=f"projects/panel/{panel.pk}/{user.pk}",
            subject=_("Please score: %(round)s") % {"round": review_round},
            body=_("You sit on the review panel %(panel)s; score each project on your own.")
            % {"panel": panel.name},
            link=reverse("projects:round", args=[review_round.pk]),
        )
    audit.record("create", panel, actor=actor, changes={"members": [u.pk for u in members]})
    return panel


def seat_for(user, review_round: ReviewRound, project: Project) -> PanelMember | None:
    """The user's seat on a panel of this round that reviews this project, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PanelMember.objects.filter(panel__review_round=review_round, panel__projects=project, user=user)
        .select_related("panel")
        .first()
    )


@transaction.atomic
def submit_scores(*, actor, review_round: ReviewRound, project: Project, values: dict) -> list[Score]:
    """One member's scores of one project, all criteria at once; submitting again replaces them."""
    seat = seat_for(actor, review_round, project)
    if seat is None:
        raise NotInScope(_("You do not review this project."))
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state != ReviewRound.State.OPEN:
        raise ValidationError({"state": _("Scoring of this round is closed.")})
    criteria = list(review_round.criteria.all())
    clean = {}
    for criterion in criteria:
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        field = f"criterion_{criterion.pk}"
        if raw in (None, ""):
            raise ValidationError({field: _("Score %(name)s.") % {"name": criterion.name}})
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError({field: _("%(name)s: not a number.") % {"name": criterion.name}}) from None
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            raise ValidationError(
                {
                    field: _("%(name)s: between 0 and %(max)s.")
                    % {"name": criterion.name, "max": criterion.max_score}
                }
            )
        clean[criterion] = value.quantize(FEN, rounding=ROUND_HALF_UP)
    saved = []
    for criterion, value in clean.items():
        score, _created = Score.objects.update_or_create(
            member=seat, project=project, criterion=criterion, defaults={"value": value}
        )
        saved.append(score)
    audit.record(
        "score",
        project,
        actor=actor,
        summary=f"{review_round} · {project}",
        changes={c.name: str(v) for c, v in clean.items()},
    )
    return saved


@transaction.atomic
def close_round(*, actor, review_round: ReviewRound) -> ReviewRound:
    require_subdistrict(actor, review_round.subdistrict_id)
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state != ReviewRound.State.CLOSED:
        review_round.state = ReviewRound.State.CLOSED
        review_round.save(update_fields=["state"])
        audit.record("close", review_round, actor=actor)
    return review_round


@dataclass
class Ranked:
    project: Project
    members: int
    result: Decimal | None
    rank: int | None
    totals: list


def ranking(review_round: ReviewRound) -> list[Ranked]:
    """Every project of the round with its panel result and competition rank (unscored last)."""
    criteria = [scoring.Criterion(c.pk, c.weight, c.max_score) for c in review_round.criteria.all()]
    values: dict[tuple[int, int], dict[int, Decimal]] = {}
    for s in Score.objects.filter(criterion__review_round=review_round).values(
        "member_id", "project_id", "criterion_id", "value"
    ):
        values.setdefault((s["project_id"], s["member_id"]), {})[s["criterion_id"]] = s["value"]
    rows = []
    for project in review_round.projects.select_related("owner", "neighborhood").order_by("id"):
        totals = [
            t
            for (project_id, _member), v in values.items()
            if project_id == project.pk and (t := scoring.member_total(criteria, v)) is not None
        ]
        rows.append(
            Ranked(
                project,
                len(totals),
                scoring.panel_result(totals, drop_extremes=review_round.drop_extremes),
                None,
                sorted(totals),
            )
        )
    scored = {r.project.pk: r.result for r in rows if r.result is not None}
    positions = allocation.ranks(scored)
    for r in rows:
        if r.project.pk in positions:
            r.rank = positions[r.project.pk][0]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.project.pk))


# --- allocation rules and allocations -------------------------------------------------------


@transaction.atomic
def save_rule(
    *, actor, subdistrict: Subdistrict, name: str, top: int, raise_percent, bottom: int, cut_percent
) -> AllocationRule:
    require_subdistrict(actor, subdistrict.pk)
    try:
        allocation.Rule(int(top), Decimal(str(raise_percent)), int(bottom), Decimal(str(cut_percent)))
    except (allocation.AllocationError, InvalidOperation, ValueError) as e:
        raise ValidationError({"rule": str(e)}) from None
    rule = AllocationRule(
        subdistrict=subdistrict, name=(name or "").strip(), top=top, raise_percent=raise_percent, bottom=bottom,
        cut_percent=cut_percent,
    )  # fmt: skip
    rule.full_clean()
    rule.save()
    audit.record(
        "create",
        rule,
        actor=actor,
        changes={"top": top, "raise": str(raise_percent), "bottom": bottom, "cut": str(cut_percent)},
    )
    return rule


@dataclass
class OrgBudget:
    """An owner organisation's budget for the next round, from its latest adopted allocation."""

    line: AllocationLine
    allocated: Decimal  # the line's new amount
    approved_since: Decimal  # approved for the organisation's other projects since adoption
    left: Decimal
    suggested: Decimal  # the approval pre-fill for this project


def org_budget(project: Project) -> OrgBudget | None:
    """What the latest adopted allocation gives the project's owner organisation, what its other
    projects approved since that round's first adoption already took, and this project's share of
    the rest: the rest in proportion to the requested budgets of the organisation's projects
    awaiting approval (all of it when this is the only one)."""
    line = (
        AllocationLine.objects.filter(org_id=project.owner_id, allocation__status=Allocation.Status.ADOPTED)
        .select_related("allocation")
        .order_by("-allocation__adopted_at", "-id")
        .first()
    )
    if line is None:
        return None
    since = Allocation.objects.filter(
        review_round_id=line.allocation.review_round_id, adopted_at__isnull=False
    ).aggregate(t=Min("adopted_at"))["t"]
    others = (
        Project.objects.filter(owner_id=project.owner_id, approved_budget__isnull=False)
        .filter(steps__to_state=rules.APPROVED, steps__at__gte=since)
        .exclude(pk=project.pk)
        .distinct()
    )
    taken = fen(sum((p.approved_budget for p in others), Decimal(0)))
    left = max(line.new - taken, Decimal("0.00"))
    awaiting = Project.objects.filter(
        owner_id=project.owner_id, state__in=(rules.SUBMITTED, rules.UNDER_REVIEW)
    ).exclude(pk=project.pk)
    mine = requested_budget(project)
    total = mine + sum((requested_budget(p) for p in awaiting), Decimal(0))
    suggested = left if total <= 0 or total == mine else fen(left * mine / total)
    return OrgBudget(line, line.new, taken, left, min(suggested, left))


def current_budget(project: Project) -> Decimal:
    return project.approved_budget if project.approved_budget is not None else requested_budget(project)


GROUP_REASONS = {
    allocation.TOP: "top",
    allocation.BOTTOM: "bottom",
    allocation.BOTH: "both",
    allocation.MIDDLE: "middle",
}


def reason_text(line: allocation.Line, rule: allocation.Rule, total: int) -> str:
    """The allocation's reason for one line, in the reader's language (the command writes English)."""
    values = {
        "rank": line.rank,
        "total": total,
        "from_bottom": line.rank_from_bottom,
        "top": rule.top,
        "bottom": rule.bottom,
        "up": allocation.percent_text(rule.raise_percent),
        "cut": allocation.percent_text(rule.cut_percent),
    }
    return {
        allocation.TOP: _("rank %(rank)s of %(total)s: in the top %(top)s, +%(up)s%%"),
        allocation.BOTTOM: _(
            "rank %(rank)s of %(total)s (%(from_bottom)s from the bottom): in the bottom %(bottom)s, -%(cut)s%%"
        ),
        allocation.BOTH: _(
            "rank %(rank)s of %(total)s (%(from_bottom)s from the bottom): in both the top %(top)s and the bottom "
            "%(bottom)s (too few organisations), budget kept"
        ),
        allocation.MIDDLE: _("rank %(rank)s of %(total)s: budget kept"),
    }[line.group] % values


def notes_text(lines: list[allocation.Line], rule: allocation.Rule) -> str:
    texts = {
        allocation.TIE_TOP: _("tie at the top edge: %(n)s organisations share the top %(top)s ranks"),
        allocation.TIE_BOTTOM: _(
            "tie at the bottom edge: %(n)s organisations share the bottom %(bottom)s ranks"
        ),
        allocation.BOTH_GROUPS: _("%(n)s organisations fall in both groups and keep their budget"),
    }
    return "; ".join(texts[code] % values for code, values in allocation.edge_notes(lines, rule))


def baselines(review_round: ReviewRound, projects) -> dict[int, Decimal]:
    """Each project's budget as the round's allocation first saw it, pinned on first sight so that
    a second preview (after approving at the allocated amount) starts from the same place."""
    pinned = dict(RoundBaseline.objects.filter(review_round=review_round).values_list("project_id", "budget"))
    fresh = [
        RoundBaseline(review_round=review_round, project=p, budget=current_budget(p))
        for p in projects
        if p.pk not in pinned
    ]
    RoundBaseline.objects.bulk_create(fresh)
    pinned.update({b.project_id: b.budget for b in fresh})
    return pinned


SCORE_PLACES = Decimal("0.0001")


@dataclass
class OrgRound:
    """An owner organisation in a round: the mean of its projects' panel results and the sum of
    their baseline budgets."""

    org: PartyOrg
    rows: list
    score: Decimal
    budget: Decimal


def org_rounds(rows: list[Ranked], pinned: dict[int, Decimal]) -> list[OrgRound]:
    grouped: dict[int, list[Ranked]] = {}
    for r in rows:
        grouped.setdefault(r.project.owner_id, []).append(r)
    result = []
    for members in grouped.values():
        mean = sum(r.result for r in members) / len(members)
        result.append(
            OrgRound(
                members[0].project.owner,
                members,
                mean.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP),
                fen(sum(pinned[r.project.pk] for r in members)),
            )
        )
    return result


@transaction.atomic
def preview_allocation(*, actor, review_round: ReviewRound, rule: AllocationRule | None = None) -> Allocation:
    """Apply the round's rule per owner organisation: a preview that changes nothing until adopted.
    The round is locked so two previews pin the same baselines."""
    require_subdistrict(actor, review_round.subdistrict_id)
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    rule = rule or review_round.rule
    if rule is None:
        raise ValidationError({"rule": _("Choose an allocation rule for this round first.")})
    if rule.subdistrict_id != review_round.subdistrict_id:
        raise ValidationError({"rule": _("The allocation rule belongs to another subdistrict.")})
    rows = ranking(review_round)
    unscored = [r.project for r in rows if r.result is None]
    if not rows:
        raise ValidationError({"projects": _("The round has no projects.")})
    if unscored:
        raise ValidationError(
            {"scores": _("%(project)s has no complete score yet.") % {"project": unscored[0]}}
        )
    pure_rule = allocation.Rule(rule.top, rule.raise_percent, rule.bottom, rule.cut_percent)
    orgs = {str(o.org.pk): o for o in org_rounds(rows, baselines(review_round, [r.project for r in rows]))}
    lines = allocation.allocate(
        {k: o.score for k, o in orgs.items()}, {k: o.budget for k, o in orgs.items()}, pure_rule
    )
    result = Allocation.objects.create(
        review_round=review_round, rule_name=rule.name, top=rule.top, raise_percent=rule.raise_percent,
        bottom=rule.bottom, cut_percent=rule.cut_percent, explanation=notes_text(lines, pure_rule),
        created_by=actor,
    )  # fmt: skip
    pinned = dict(RoundBaseline.objects.filter(review_round=review_round).values_list("project_id", "budget"))
    AllocationLine.objects.bulk_create(
        AllocationLine(
            allocation=result,
            org=orgs[line.org].org,
            rank=line.rank,
            score=line.score,
            old=line.old,
            new=line.new,
            reason=reason_text(line, pure_rule, len(lines)),
            projects=[
                {
                    "id": r.project.pk,
                    "title": r.project.title,
                    "result": str(r.result),
                    "budget": str(pinned[r.project.pk]),
                }
                for r in orgs[line.org].rows
            ],
        )  # fmt: skip
        for line in lines
    )
    audit.record("preview", result, actor=actor, summary=f"{review_round} · {rule.name}")
    return result


@transaction.atomic
def adopt_allocation(*, actor, allocation_obj: Allocation, reason: str = "") -> Allocation:
    """Adopt a preview; an earlier adopted allocation of the round is superseded, never changed."""
    require_subdistrict(actor, allocation_obj.review_round.subdistrict_id)
    ReviewRound.objects.select_for_update().get(pk=allocation_obj.review_round_id)  # one adoption at a time
    target = Allocation.objects.select_for_update().get(pk=allocation_obj.pk)
    if target.status != Allocation.Status.PREVIEW:
        raise ValidationError(
            {
                "status": _("Only a preview can be adopted; this one is %(status)s.")
                % {"status": target.get_status_display()}
            }
        )
    previous = Allocation.objects.filter(
        review_round_id=target.review_round_id, status=Allocation.Status.ADOPTED
    ).first()
    if previous is not None:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for replacing the adopted allocation.")})
        previous.status = Allocation.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        audit.record("supersede", previous, actor=actor, reason=reason, changes={"by": target.pk})
        target.supersedes = previous
    target.status = Allocation.Status.ADOPTED
    target.adopted_by, target.adopted_at, target.reason = actor, timezone.now(), (reason or "").strip()
    target.save(update_fields=["status", "adopted_by", "adopted_at", "reason", "supersedes"])
    audit.record(
        "adopt", target, actor=actor, reason=reason,
        changes={str(x.org_id): [str(x.old), str(x.new)] for x in target.lines.all()},
    )  # fmt: skip
    return target


# --- spending rules and expenses ------------------------------------------------------------


@transaction.atomic
def save_spending_rule(
    *,
    actor,
    subdistrict: Subdistrict,
    category: str,
    cap_per_person=None,
    cap_per_event=None,
    forbidden_items: str = "",
) -> SpendingRule:
    require_subdistrict(actor, subdistrict.pk)
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    values = {
        "cap_per_person": None if cap_per_person in (None, "") else money(cap_per_person, "cap_per_person"),
        "cap_per_event": None if cap_per_event in (None, "") else money(cap_per_event, "cap_per_event"),
        "forbidden_items": forbidden_items or "",
    }
    rule, _created = SpendingRule.objects.update_or_create(
        subdistrict=subdistrict, category=category, defaults=values
    )
    audit.record("configure", rule, actor=actor, changes={k: str(v) for k, v in values.items()})
    return rule


def may_override(actor, project: Project) -> bool:
    """Overrides are the subdistrict's or the neighborhood secretary's call, not every editor's."""
    if is_subdistrict_staff(actor, project.neighborhood.subdistrict_id):
        return True
    return any(
        a.role == "neighborhood_secretary" and a.neighborhood_id == project.neighborhood_id
        for a in permissions.assignments_of(actor)
    )


def spent(project: Project) -> Decimal:
    return fen(project.expenses.aggregate(t=Sum("amount"))["t"])


def check_expense(
    project: Project, *, category: str, description: str, amount: Decimal, persons: int | None
) -> list[tuple[str, str]]:
    rule = SpendingRule.objects.filter(
        subdistrict_id=project.neighborhood.subdistrict_id, category=category
    ).first()
    limits = None
    if rule is not None:
        limits = spending.Limits(rule.cap_per_person, rule.cap_per_event, tuple(rule.forbidden_list()))
    return spending.breaches(
        limits, description=description, amount=amount, persons=persons, spent_before=spent(project),
        budget=project.approved_budget,
    )  # fmt: skip


def breach_text(code: str, detail: str) -> str:
    return {
        spending.FORBIDDEN: _("forbidden item: %(detail)s"),
        spending.OVER_EVENT_CAP: _("above the cap per event of %(detail)s yuan"),
        spending.OVER_PERSON_CAP: _("above the cap per person of %(detail)s yuan"),
        spending.PERSONS_MISSING: _(
            "the category is capped per person (%(detail)s yuan): give the number of persons"
        ),
        spending.OVER_BUDGET: _("beyond the approved budget (%(detail)s yuan left)"),
    }[code] % {"detail": detail}


@transaction.atomic
def record_expense(
    *,
    actor,
    project: Project,
    category: str,
    description: str,
    amount,
    spent_on: datetime.date,
    persons: int | None = None,
    receipt=None,
    override_reason: str = "",
    request_key: str | None = None,
    payee: str = "",
    payee_is_person: bool = False,
) -> Expense:
    """Record one expense. One that breaks a spending rule is refused, naming the rule, unless
    someone allowed to override gives a reason. A retried form (same request_key) adds nothing."""
    require(actor, project)
    if request_key:
        existing = Expense.objects.filter(request_key=request_key).first()
        if existing is not None:
            if existing.project_id != project.pk:
                raise ValidationError({"request_key": _("This form was already used for another project.")})
            return existing
    project = _locked(project)  # one expense at a time per project: the budget check sees the last one
    if project.state not in rules.SPENDING:
        raise ValidationError({"state": _("Expenses are recorded while a project is approved or running.")})
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    amount = money(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be above zero.")})
    if persons is not None and persons < 0:
        raise ValidationError({"persons": _("The number of persons cannot be negative.")})
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": _("An expense cannot be in the future.")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the expense.")})
    found = check_expense(project, category=category, description=description, amount=amount, persons=persons)
    override_reason = (override_reason or "").strip()
    if found and not override_reason:
        raise ValidationError({"amount": [breach_text(c, d) for c, d in found]})
    if found and not may_override(actor, project):
        raise PermissionDenied(
            _("Only the neighborhood secretary or the subdistrict may override a spending rule.")
        )
    expense = Expense(
        project=project, category=category, description=description, amount=amount, persons=persons,
        spent_on=spent_on, breaches=[list(b) for b in found], override_reason=override_reason if found else "",
        payee=(payee or "").strip()[:128], payee_is_person=bool(payee_is_person),
        overridden_by=actor if found else None, request_key=request_key or None, recorded_by=actor,
    )  # fmt: skip
    if receipt:
        expense.receipt = _stored(receipt, actor=actor, project=project, field="receipt")
    expense.save()
    audit.record(
        "override" if found else "create", expense, actor=actor, reason=override_reason if found else "",
        changes={"amount": str(amount), "category": category, "breaches": expense.breaches},
    )  # fmt: skip
    return expense


def budget_vs_actual(project: Project) -> list[dict]:
    """Per category: budgeted and spent, with the project's total last."""
    budgeted = dict(project.budget_lines.values_list("category").annotate(t=Sum("amount")))
    actual = dict(project.expenses.values_list("category").annotate(t=Sum("amount")))
    rows = []
    for value, label in ExpenseCategory.choices:
        b, a = fen(budgeted.get(value)), fen(actual.get(value))
        if b or a:
            rows.append({"category": value, "label": label, "budget": b, "spent": a})
    return rows


# --- disclosure (公示) and residents' comments ----------------------------------------------

DISCLOSABLE = frozenset({rules.APPROVED, rules.RUNNING, rules.MIDTERM, rules.FINAL_REPORT, rules.CLOSED})
COMMENTS_PER_HOUR = 5
MAX_COMMENT = 1000


@transaction.atomic
def publish_disclosure(
    *,
    actor,
    project: Project,
    opens_on: datetime.date,
    closes_on: datetime.date,
    title: str = "",
    body: str = "",
) -> Disclosure:
    require(actor, project)
    project = Project.objects.get(pk=project.pk)  # the state as it is now, not as the caller last saw it
    if project.state not in DISCLOSABLE:
        raise ValidationError({"state": _("Only an approved project can be disclosed.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The notice period cannot end before it starts.")})
    disclosure = Disclosure(
        project=project, opens_on=opens_on, closes_on=closes_on, title=(title or "").strip() or project.title,
        body=body or "", published_by=actor,
    )  # fmt: skip
    disclosure.full_clean(exclude=["published_by"])
    disclosure.save()
    audit.record(
        "disclose", disclosure, actor=actor, changes={"opens_on": str(opens_on), "closes_on": str(closes_on)}
    )
    return disclosure


def client_digest(ip: str) -> str:
    """The commenter's address, keyed and hashed: enough to count, never stored in clear."""
    return pii.blind_index("project-comment", ip or "unknown")


@transaction.atomic
def add_comment(*, disclosure: Disclosure, kind: str, body: str, name: str = "", client: str) -> Comment:
    """A resident's comment or objection; no login, within the notice period, a few per hour."""
    today = timezone.localdate()
    if not (disclosure.opens_on <= today <= disclosure.closes_on):
        raise ValidationError({"body": _("Comments are taken only during the notice period.")})
    if kind not in Comment.Kind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your comment.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": MAX_COMMENT}})
    digest = client_digest(client)
    recent = Comment.objects.filter(
        client_digest=digest, created_at__gte=timezone.now() - datetime.timedelta(hours=1)
    )
    if recent.count() >= COMMENTS_PER_HOUR:
        raise ValidationError({"body": _("Too many comments from your connection; try again in an hour.")})
    duplicate = recent.filter(disclosure=disclosure, body=body, kind=kind).first()
    if duplicate is not None:  # a double-tapped submit
        return duplicate
    comment = Comment.objects.create(
        disclosure=disclosure, kind=kind, body=body, name=(name or "").strip()[:32], client_digest=digest
    )
    audit.record("comment", comment, actor=None, changes={"kind": kind})
    project = disclosure.project
    for user in {u for u in (project.leader, project.created_by, disclosure.published_by) if u is not None}:
        _notify_later(
            user,
            key=f"projects/comment/{comment.pk}/{user.pk}",
            subject=_("A resident's %(kind)s on %(title)s")
            % {"kind": comment.get_kind_display(), "title": disclosure.title},
            body=body[:200],
            link=reverse("projects:comments", args=[project.pk, disclosure.pk]),
        )
    return comment


@transaction.atomic
def reply_to_comment(*, actor, comment: Comment, reply: str) -> Comment:
    require(actor, comment.disclosure.project)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    comment.reply = (reply or "").strip()
    comment.save(update_fields=["reply"])
    audit.record("reply", comment, actor=actor)
    return comment


# --- export ---------------------------------------------------------------------------------


def export_round(*, actor, review_round: ReviewRound) -> bytes:
    """The round's ranking and its latest adopted (else newest) allocation as xlsx; audited."""
    from io import BytesIO

    from openpyxl import Workbook

    readable = permissions.scoped(actor, ReviewRound.objects.filter(pk=review_round.pk)).exists()
    if not readable and not PanelMember.objects.filter(panel__review_round=review_round, user=actor).exists():
        raise NotInScope(_("No such record in your area."))
    book = Workbook()
    sheet = book.active
    sheet.title = "ranking"
    sheet.append(
        [
            _("rank"),
            _("project"),
            _("owner organisation"),
            _("neighborhood"),
            _("members scored"),
            _("result"),
        ]
    )
    for row in ranking(review_round):
        sheet.append(
            [row.rank, row.project.title, row.project.owner.name, row.project.neighborhood.name, row.members,
             float(row.result) if row.result is not None else None]
        )  # fmt: skip
    chosen = (
        review_round.allocations.filter(status=Allocation.Status.ADOPTED).first()
        or review_round.allocations.first()
    )
    if chosen is not None:
        alloc = book.create_sheet("allocation")
        alloc.append([_("status"), str(chosen.get_status_display()), _("rule"), chosen.rule_name])
        alloc.append(
            [_("rank"), _("owner organisation"), _("projects"), _("score"), _("old budget"), _("new budget"),
             _("reason")]
        )  # fmt: skip
        for line in chosen.lines.select_related("org"):
            alloc.append(
                [line.rank, line.org.name, "、".join(p["title"] for p in line.projects), float(line.score),
                 line.old, line.new, line.reason]
            )  # fmt: skip
            for cell in alloc[alloc.max_row][4:6]:
                cell.number_format = "0.00"
    out = BytesIO()
    book.save(out)
    audit.record("export", review_round, actor=actor, summary=f"ranking of {review_round}")
    return out.getvalue()


@transaction.atomic
def setup_round(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    stage: str,
    criteria,
    drop_extremes: bool,
    rule,
    projects,
    judges,
) -> ReviewRound:
    """The round page's form in one step: criteria, projects, and one panel of the chosen members."""
    review_round = create_round(
        actor=actor, subdistrict=subdistrict, name=name, stage=stage, criteria=criteria, drop_extremes=drop_extremes,
        rule=rule,
    )  # fmt: skip
    add_to_round(actor=actor, review_round=review_round, projects=projects)
    judges = list(judges)
    create_panel(
        actor=actor,
        review_round=review_round,
        name=_("Review panel"),
        members=judges,
        chair=judges[0] if judges else None,
    )
    return review_round
