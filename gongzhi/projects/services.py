"""Every write to projects, reviews, allocations, expenses and disclosures: scope, validate, lock, audit."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import READ, WRITE
from gongzhi.org.models import Neighborhood, PartyOrg, Subdistrict
from gongzhi.org.roles import ROLES
from gongzhi.projects import rules
from gongzhi.projects.models import (
    ActionDone,
    BudgetLine,
    CheckIn,
    Milestone,
    Project,
    RequiredAction,
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
    if getattr(actor, "is_superuser", False):
        return True
    return any(
        ROLES[a.role].unit_kind == "subdistrict"
        and "project" in ROLES[a.role].write
        and a.unit_id == subdistrict_id
        for a in permissions.assignments_of(actor)
    )


def require_subdistrict(actor, subdistrict_id: int) -> None:
    if is_subdistrict_staff(actor, subdistrict_id):
        return
    if permissions.scoped(actor, Subdistrict.objects.filter(pk=subdistrict_id)).exists():
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


def requested_budget(project: Project) -> Decimal:
    return project.budget_lines.aggregate(t=Sum("amount"))["t"] or Decimal("0.00")


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
            done.evidence = evidence
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
        require_subdistrict(actor, subdistrict_id)
    else:
        require(actor, project)
    changes = {"from": current, "to": to}
    if to == rules.SUBMITTED:
        _check_complete(project)
    if to == rules.APPROVED:
        budget = (
            requested_budget(project)
            if approved_budget in (None, "")
            else money(approved_budget, "approved_budget")
        )
        if budget <= 0:
            raise ValidationError({"approved_budget": _("An approved project needs a budget above zero.")})
        project.approved_budget = budget
        changes["approved_budget"] = str(budget)
    if to in (rules.REJECTED, rules.STOPPED, rules.DRAFT) and not (note or "").strip():
        raise ValidationError({"note": _("Give the reason for this decision.")})
    if to == rules.RUNNING and project.starts_on is None:
        project.starts_on = timezone.localdate()
    project.state = to
    project.save()
    step = Step.objects.create(project=project, from_state=current, to_state=to, note=note or "", actor=actor)
    if document:
        step.document = document
        step.save(update_fields=["document"])
    audit.record("transition", project, actor=actor, reason=note[:255] if note else "", changes=changes)
    return project


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
