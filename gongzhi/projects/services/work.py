"""A project's plan and progress: budget lines, milestones, tasks, the checklist, check-ins."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.permissions import require
from gongzhi.org.models import Subdistrict
from gongzhi.projects import rules
from gongzhi.projects.models import ActionDone, BudgetLine, CheckIn, Milestone, Project, RequiredAction, Task
from gongzhi.projects.services.access import locked, require_editable, require_subdistrict
from gongzhi.projects.services.effects import notify_later, stored
from gongzhi.projects.services.money import fen, money


@transaction.atomic
def add_budget_line(
    *, actor, project: Project, category: str, item: str, amount, note: str = ""
) -> BudgetLine:
    require(actor, project)
    project = locked(project)
    require_editable(project)
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
    project = locked(line.project)
    require_editable(project)
    audit.record("delete", line, actor=actor, changes={"amount": str(line.amount)})
    line.delete()


def requested_budget(project: Project) -> Decimal:
    """What the lines asked for (before any apportioning to an approved total)."""
    return fen(project.budget_lines.aggregate(t=Sum(Coalesce("requested_amount", "amount")))["t"])


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
    notify_later(
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
    audit.record(
        "configure", subdistrict, actor=actor, summary=_("required actions"), changes={"names": clean}
    )
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
            done.evidence = stored(evidence, actor=actor, project=project, field="evidence")
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
