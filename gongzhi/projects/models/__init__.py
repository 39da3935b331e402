"""Projects and funds: practical-matter and fund projects, their review rounds, money and 公示.

A project belongs to one neighborhood and is owned by that neighborhood's party organisation. It
moves through a fixed lifecycle (`rules.TRANSITIONS`); review rounds score it by panel, rank it and
feed an allocation (`allocation.allocate`), which once adopted is never changed: a new allocation
supersedes it. Money is Decimal with two places (fen) everywhere.
"""

from gongzhi.projects.models.accounts import Comment, Disclosure, Expense, SpendingRule
from gongzhi.projects.models.projects import (
    ActionDone,
    BudgetLine,
    CheckIn,
    ExpenseCategory,
    Milestone,
    Project,
    RequiredAction,
    Step,
    Task,
    new_token,
)
from gongzhi.projects.models.reviews import (
    Allocation,
    AllocationLine,
    AllocationLineQuerySet,
    AllocationLocked,
    AllocationQuerySet,
    AllocationRule,
    Criterion,
    Panel,
    PanelMember,
    ReviewRound,
    RoundBaseline,
    Score,
)

__all__ = [
    "ActionDone",
    "Allocation",
    "AllocationLine",
    "AllocationLineQuerySet",
    "AllocationLocked",
    "AllocationQuerySet",
    "AllocationRule",
    "BudgetLine",
    "CheckIn",
    "Comment",
    "Criterion",
    "Disclosure",
    "Expense",
    "ExpenseCategory",
    "Milestone",
    "Panel",
    "PanelMember",
    "Project",
    "RequiredAction",
    "ReviewRound",
    "RoundBaseline",
    "Score",
    "SpendingRule",
    "Step",
    "Task",
    "new_token",
]
