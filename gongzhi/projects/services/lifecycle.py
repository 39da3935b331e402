"""Moving a project through its states (立项 → 结项), with the funder's approval of its budget."""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.permissions import READ, require
from gongzhi.org.models import PartyOrg
from gongzhi.projects import rules
from gongzhi.projects.models import BudgetLine, Project, Step
from gongzhi.projects.services.access import locked, require_subdistrict
from gongzhi.projects.services.allocations import org_budget
from gongzhi.projects.services.effects import stored
from gongzhi.projects.services.money import FEN, fen, money
from gongzhi.projects.services.work import requested_budget


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
    project = locked(project)
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
            {
                "state": _("A project cannot go from %(from)s to %(to)s.")
                % {
                    "from": project.get_state_display(),
                    "to": Project.State(to).label if to in Project.State.values else to,
                }
            }
        )
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
        step.document = stored(document, actor=actor, project=project, field="document")
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
                {
                    "approved_budget": _(
                        "%(budget)s yuan is above what is left of %(org)s's allocated budget (%(left)s yuan); "
                        "give the reason in the note."
                    )
                    % {"budget": budget, "org": project.owner, "left": org.left}
                }
            )
    project.approved_budget = budget
    apportioned = apportion_lines(project, budget)
    if apportioned:
        changes["lines_apportioned"] = apportioned
    return changes


def apportion_lines(project: Project, budget: Decimal) -> dict[str, str]:
    """Bring the budget lines to the approved total, in proportion to what each asked for (the
    rounding fen go to the largest line), keeping the asked-for amount on the line: a public
    notice's lines then add up to its approved budget. Returns {line id: "asked→approved"}."""
    lines = list(BudgetLine.objects.select_for_update().filter(project=project).order_by("-amount", "id"))
    asked = fen(sum((line.requested_amount or line.amount for line in lines), Decimal(0)))
    if not lines or asked == budget:
        return {}
    if asked <= 0:
        raise ValidationError({"budget_lines": _("The budget lines add up to nothing; add amounts first.")})
    changed = {}
    for line in lines:
        wanted = line.requested_amount or line.amount
        line.requested_amount = wanted
        line.amount = (wanted * budget / asked).quantize(FEN, rounding=ROUND_DOWN)
    lines[0].amount += budget - sum((line.amount for line in lines), Decimal(0))
    for line in lines:
        BudgetLine.objects.filter(pk=line.pk).update(
            amount=line.amount, requested_amount=line.requested_amount
        )
        changed[str(line.pk)] = f"{line.requested_amount}→{line.amount}"
    return changed


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
