"""API of projects under /api/v1/projects/. Same scope, selectors and services as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema, Status

from gongzhi.projects import selectors, services

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    title: str
    kind: str
    origin: str
    state: str
    neighborhood_id: int
    owner_id: int
    compound_id: int | None
    approved_budget: Decimal | None
    starts_on: date | None
    ends_on: date | None


class MoneyRow(Schema):
    category: str
    budget: Decimal
    spent: Decimal


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    done_on: date | None


class ProjectDetailOut(ProjectOut):
    summary: str
    goals: str
    beneficiaries: str
    requested_budget: Decimal
    spent: Decimal
    budget: list[MoneyRow]
    milestones: list[MilestoneOut]


class TransitionIn(Schema):
    to: str
    note: str = ""
    approved_budget: Decimal | None = None
    expected: str | None = None


class RankOut(Schema):
    project_id: int
    title: str
    owner: str
    rank: int | None
    result: Decimal | None
    members: int


class RoundOut(Schema):
    id: int
    name: str
    stage: str
    state: str
    ranking: list[RankOut]


def _project(request, project_id: int):
    project = selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    return project


def _detail(project) -> dict:
    data = ProjectOut.from_orm(project).dict()
    data.update(
        summary=project.summary,
        goals=project.goals,
        beneficiaries=project.beneficiaries,
        requested_budget=services.requested_budget(project),
        spent=services.spent(project),
        budget=services.budget_vs_actual(project),
        milestones=list(project.milestones.all()),
    )
    return data


@router.get("/projects", response=list[ProjectOut])
def projects(request, state: str = ""):
    """Projects in the caller's area (and those a panel of theirs reviews)."""
    found = selectors.projects_visible_to(request.user)
    if state:
        found = found.filter(state=state)
    return found.order_by("-created_at")[:500]


@router.get("/projects/{project_id}", response=ProjectDetailOut)
def project(request, project_id: int):
    return _detail(_project(request, project_id))


@router.post("/projects/{project_id}/transition", response={200: ProjectDetailOut})
def transition(request, project_id: int, payload: TransitionIn):
    item = services.transition(
        actor=request.user,
        project=_project(request, project_id),
        to=payload.to,
        note=payload.note,
        approved_budget=payload.approved_budget,
        expected=payload.expected,
    )
    return Status(200, _detail(item))


@router.get("/rounds/{round_id}", response=RoundOut)
def review_round(request, round_id: int):
    """A round's ranking; projects outside the caller's area show only to the subdistrict."""
    item = selectors.round_for(request.user, round_id)
    if item is None:
        raise Http404
    funder = services.is_subdistrict_staff(request.user, item.subdistrict_id)
    visible = set(selectors.projects_visible_to(request.user).values_list("pk", flat=True))
    rows = [
        {
            "project_id": r.project.pk,
            "title": r.project.title,
            "owner": r.project.owner.name,
            "rank": r.rank,
            "result": r.result,
            "members": r.members,
        }
        for r in services.ranking(item)
        if funder or r.project.pk in visible
    ]
    return {"id": item.pk, "name": item.name, "stage": item.stage, "state": item.state, "ranking": rows}
