"""Every read of insights, already filtered to the caller (hot issues are "concern" data)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.concerns.models import Concern
from gongzhi.core import permissions
from gongzhi.core.permissions import scoped
from gongzhi.core.roles import ROLES
from gongzhi.insights.models import HotIssue
from gongzhi.org.models import Block, Neighborhood, Subdistrict


def hot_issues_visible_to(user) -> QuerySet[HotIssue]:
    return scoped(user, HotIssue.objects.select_related("subdistrict", "neighborhood"))


def hot_issues_of_area(user, *, subdistrict_id: int, neighborhood_id: int | None) -> QuerySet[HotIssue]:
    """One area's list: subdistrict-wide when `neighborhood_id` is None. Current first, by rank."""
    return hot_issues_visible_to(user).filter(subdistrict_id=subdistrict_id, neighborhood_id=neighborhood_id)


def hot_issue(user, pk: int) -> HotIssue | None:
    return hot_issues_visible_to(user).filter(pk=pk).first()


def members_of(user, issue: HotIssue) -> QuerySet[Concern]:
    """The issue's concerns the caller may read (a member outside their area is counted, not shown)."""
    return scoped(
        user, issue.members.select_related("neighborhood", "category").order_by("-accepted_at", "-id")
    )


@dataclass(frozen=True)
class Area:
    subdistrict: Subdistrict
    neighborhood: Neighborhood | None

    @property
    def key(self) -> str:
        return f"n{self.neighborhood.pk}" if self.neighborhood else f"s{self.subdistrict.pk}"

    @property
    def label(self) -> str:
        return str(self.neighborhood or self.subdistrict)


def areas_of(user) -> list[Area]:
    """The areas whose hot-issue list the caller may open: their subdistricts (with every
    neighborhood in them) and their neighborhoods."""
    if not permissions.may_read_class(user, "concern"):
        return []
    subdistrict_ids, neighborhood_ids = set(), set()
    for a in permissions.assignments_of(user):
        role = ROLES[a.role]
        if "concern" not in role.read:
            continue
        if role.unit_kind == "subdistrict":
            subdistrict_ids.add(a.unit_id)
        elif role.unit_kind == "neighborhood":
            neighborhood_ids.add(a.unit_id)
    areas = []
    for sub in Subdistrict.objects.filter(pk__in=subdistrict_ids).order_by("pk"):
        areas.append(Area(sub, None))
        areas += [Area(sub, nb) for nb in Neighborhood.objects.filter(subdistrict=sub).order_by("pk")]
    for nb in Neighborhood.objects.filter(
        pk__in=neighborhood_ids - {a.neighborhood.pk for a in areas if a.neighborhood}
    ):
        areas.append(Area(nb.subdistrict, nb))
    return areas


def monthly_by_category(user, area: Area, *, months: int = 12) -> dict:
    """Concerns accepted per month and category in the area (the dashboard's stacked chart)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    concerns = scoped(
        user, Concern.objects.filter(subdistrict=area.subdistrict, accepted_at__date__gte=first)
    )
    if area.neighborhood is not None:
        concerns = concerns.filter(neighborhood=area.neighborhood)
    rows = (
        concerns.annotate(month=TruncMonth("accepted_at"))
        .values("month", "category__name")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    labels = []
    month = first
    while month <= today:
        labels.append(month.strftime("%Y-%m"))
        month = (month + timedelta(days=32)).replace(day=1)
    series: dict[str, list[int]] = {}
    for row in rows:
        key = _month_key(row["month"])
        if key not in labels:
            continue
        series.setdefault(row["category__name"], [0] * len(labels))[labels.index(key)] += row["n"]
    ranked = sorted(series.items(), key=lambda item: -sum(item[1]))
    return {"labels": labels, "series": [{"name": name, "values": values} for name, values in ranked]}


def _month_key(value) -> str:
    if isinstance(value, date):
        value = timezone.localtime(value) if hasattr(value, "hour") and timezone.is_aware(value) else value
        return value.strftime("%Y-%m")
    return str(value)[:7]


def latest_open_data() -> list:
    """The newest open-data release of every subdistrict that published one (the public page)."""
    from gongzhi.insights.models import OpenDataRelease

    latest = []
    for sub in Subdistrict.objects.filter(open_data__isnull=False).distinct().order_by("name"):
        latest.append(OpenDataRelease.objects.filter(subdistrict=sub).select_related("subdistrict").first())
    return latest


def open_data_release(code: str):
    from gongzhi.insights.models import OpenDataRelease

    return OpenDataRelease.objects.filter(subdistrict__code=code).select_related("subdistrict").first()


def blocks_overseen_by(user) -> QuerySet[Block]:
    """The blocks whose dashboard the caller may open: their own block (block chief) and every
    block of a subdistrict they read concerns in. A neighborhood's staff see their neighborhood's
    dashboard, not a block's."""
    block_ids, subdistrict_ids = set(), set()
    for a in permissions.assignments_of(user):
        role = ROLES[a.role]
        if "concern" not in role.read:
            continue
        if role.unit_kind == "block":
            block_ids.add(a.unit_id)
        elif role.unit_kind == "subdistrict":
            subdistrict_ids.add(a.unit_id)
    return Block.objects.filter(Q(pk__in=block_ids) | Q(subdistrict_id__in=subdistrict_ids)).select_related(
        "subdistrict", "block_chief"
    )
