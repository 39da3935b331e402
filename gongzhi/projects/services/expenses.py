"""Spending rules and expenses, checked against the rules and the approved budget."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.permissions import require
from gongzhi.org.models import Subdistrict
from gongzhi.projects import rules, spending
from gongzhi.projects.models import Expense, ExpenseCategory, Project, SpendingRule
from gongzhi.projects.services.access import is_subdistrict_staff, locked, require_subdistrict
from gongzhi.projects.services.effects import stored
from gongzhi.projects.services.money import fen, money


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
        limits,
        description=description,
        amount=amount,
        persons=persons,
        spent_before=spent(project),
        budget=project.approved_budget,
    )


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
    project = locked(project)  # one expense at a time per project: the budget check sees the last one
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
        project=project,
        category=category,
        description=description,
        amount=amount,
        persons=persons,
        spent_on=spent_on,
        breaches=[list(b) for b in found],
        override_reason=override_reason if found else "",
        payee=(payee or "").strip()[:128],
        payee_is_person=bool(payee_is_person),
        overridden_by=actor if found else None,
        request_key=request_key or None,
        recorded_by=actor,
    )
    if receipt:
        expense.receipt = stored(receipt, actor=actor, project=project, field="receipt")
    expense.save()
    audit.record(
        "override" if found else "create",
        expense,
        actor=actor,
        reason=override_reason if found else "",
        changes={"amount": str(amount), "category": category, "breaches": expense.breaches},
    )
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
