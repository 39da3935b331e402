"""API of insights under /api/v1/insights/: the stored hot issues, scoped like the pages."""

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from gongzhi.core.paging import DbId
from gongzhi.insights import selectors

router = Router(tags=["insights"])


class HotIssueOut(Schema):
    id: int
    subdistrict_id: int
    neighborhood_id: int | None
    rank: int
    heat: float
    title: str
    place: str
    started_at: datetime | None
    ended_at: datetime | None
    concerns_count: int
    households_count: int
    supports_count: int
    per_week: float
    recent_count: int
    current: bool
    computed_at: datetime
    project_id: int | None = None


class HotIssueDetailOut(HotIssueOut):
    member_ids: list[int]


def _out(issue) -> dict:
    return {f: getattr(issue, f) for f in HotIssueOut.model_fields}


@router.get("/hot-issues", response=list[HotIssueOut])
def hot_issues(
    request, subdistrict_id: DbId | None = None, neighborhood_id: DbId | None = None, all_areas: bool = False
):
    """Hot issues the caller may read. With `neighborhood_id`: that neighborhood's list; with only
    `subdistrict_id`: the subdistrict-wide list; `all_areas=true`: every list in scope."""
    issues = selectors.hot_issues_visible_to(request.user)
    if subdistrict_id is not None:
        issues = issues.filter(subdistrict_id=subdistrict_id)
    if neighborhood_id is not None:
        issues = issues.filter(neighborhood_id=neighborhood_id)
    elif not all_areas:
        issues = issues.filter(neighborhood__isnull=True) if subdistrict_id is not None else issues
    return Status(
        200, [_out(i) for i in issues.order_by("subdistrict_id", "neighborhood_id", "-current", "rank")[:500]]
    )


@router.get("/hot-issues/{issue_id}", response=HotIssueDetailOut)
def hot_issue(request, issue_id: DbId):
    """One hot issue with the ids of its member concerns the caller may read."""
    issue = selectors.hot_issue(request.user, issue_id)
    if issue is None:
        raise Http404("No such hot issue in your scope.")
    members = list(selectors.members_of(request.user, issue).values_list("pk", flat=True))
    return Status(200, {**_out(issue), "member_ids": members})
