"""A block's (街区) figures, for its dashboard: the block's concerns by state and category, its joint
cases open and overdue, and each department's part completion.

Every figure is a count of the very querysets the list pages show: the concern queue filtered to
the block (`concerns.selectors.concern_queue` with `QueueFilter(block=…)`) and the joint-case parts
list (`concerns.selectors.part_queue`), so a figure and its list cannot disagree. docs/insight.md
gives the formulas.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from gongzhi.concerns import lifecycle
from gongzhi.concerns import selectors as concerns
from gongzhi.concerns.models import Concern, JointPart
from gongzhi.org import selectors as org
from gongzhi.org.models import Block


@dataclass
class BlockFigures:
    block: Block
    by_status: list[dict] = field(default_factory=list)
    by_category: list[dict] = field(default_factory=list)
    by_neighborhood: list[dict] = field(default_factory=list)
    open_concerns: int = 0
    joint_open: int = 0
    joint_overdue: int = 0
    joint_done: int = 0
    departments: list[dict] = field(default_factory=list)


def _queue(user, block: Block, **filters):
    return concerns.concern_queue(user, filters=concerns.QueueFilter(block=block.pk, **filters))


def by_status(user, block: Block) -> list[dict]:
    """Concerns of the block in each lifecycle state: the queue's count with that state filter."""
    labels = dict(Concern._meta.get_field("state").choices)
    counts = dict(
        concerns.block_concerns(user, block.pk).order_by().values_list("state").annotate(n=Count("id"))
    )
    return [{"key": k, "label": str(labels[k]), "count": counts.get(k, 0)} for k in lifecycle.STATES]


def by_category(user, block: Block) -> list[dict]:
    """Open concerns of the block per category: the queue's count with that category filter."""
    rows = _queue(user, block).order_by().values("category_id", "category__name").annotate(n=Count("id"))
    ranked = sorted(rows, key=lambda r: (-r["n"], r["category__name"] or ""))
    return [{"key": r["category_id"], "label": r["category__name"], "count": r["n"]} for r in ranked]


def by_neighborhood(user, block: Block) -> list[dict]:
    """Open concerns of each of the block's neighborhoods (a neighborhood with none shows 0)."""
    counts = dict(_queue(user, block).order_by().values_list("neighborhood_id").annotate(n=Count("id")))
    return [
        {"key": n.pk, "label": n.name, "count": counts.get(n.pk, 0)}
        for n in org.block_neighborhoods(user, block)
    ]


def department_parts(user, block: Block) -> list[dict]:
    """Per department: its parts in the block's joint cases, done, to do, overdue, and the share done."""
    parts = concerns.joint_parts_visible_to(user).filter(case__block=block)
    rows = (
        parts.order_by()
        .values("department_id", "department__name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=JointPart.State.DONE)),
            overdue=Count("id", filter=concerns.joint_overdue_q()),
        )
    )
    out = []
    for r in sorted(rows, key=lambda r: r["department__name"]):
        rate = round(100 * r["done"] / r["total"], 1) if r["total"] else None
        out.append(
            {
                "key": r["department_id"],
                "label": r["department__name"],
                "total": r["total"],
                "done": r["done"],
                "open": r["total"] - r["done"],
                "overdue": r["overdue"],
                "completion_rate": rate,
            }
        )
    return out


def block_figures(user, block: Block) -> BlockFigures:
    cases = concerns.joint_cases_visible_to(user).filter(block=block)
    overdue_cases = cases.filter(
        parts__in=concerns.part_queue(user, show="overdue", block=block.pk)
    ).distinct()
    return BlockFigures(
        block=block,
        by_status=by_status(user, block),
        by_category=by_category(user, block),
        by_neighborhood=by_neighborhood(user, block),
        open_concerns=_queue(user, block).count(),
        joint_open=cases.filter(completed_at__isnull=True).count(),
        joint_overdue=overdue_cases.count(),
        joint_done=cases.filter(completed_at__isnull=False).count(),
        departments=department_parts(user, block),
    )
