"""API of the workforce app (mounted at /api/v1/workforce/): the same selectors and services as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gongzhi.core.pages import YEARS, require_reader
from gongzhi.workforce import selectors, services

router = Router(tags=["workforce"])


class LineProgress(Schema):
    line: str
    required: Decimal
    credited: Decimal
    percent: int


class MeOut(Schema):
    name: str
    post_level: str
    neighborhood: str
    year: int
    progress: list[LineProgress]


class TokenIn(Schema):
    token: str


class CreditOut(Schema):
    line: str
    hours: Decimal
    year: int
    session_id: int | None


class CountOut(Schema):
    label: str
    hours: Decimal


class DashboardOut(Schema):
    year: int
    workers: int
    total: Decimal
    by_line: list[CountOut]
    by_level: list[CountOut]
    behind: list[str]


class RoundOut(Schema):
    id: int
    title: str
    kind: str
    period: str
    pool: Decimal
    status: str


class BonusOut(Schema):
    round_id: int
    worker: str
    neighborhood_score: Decimal
    personal_score: Decimal
    points: Decimal
    amount: Decimal

    @staticmethod
    def resolve_worker(obj) -> str:
        return obj.profile.name


class RatingIn(Schema):
    group_id: int
    neighborhood_id: int
    score: str


class RatingOut(Schema):
    group_id: int
    neighborhood_id: int
    score: Decimal


def _pairs(rows) -> list[dict]:
    return [{"label": str(label), "hours": hours} for label, hours in rows]


@router.get("/me", response={200: MeOut})
def me(request, year: int | None = Query(None, ge=YEARS[0], le=YEARS[1])):
    """The signed-in worker's profile and this year's hours by line."""
    profile = selectors.profile_of(request.user)
    if profile is None:
        raise Http404
    year = year or timezone.localdate().year
    plan = selectors.plan_for(request.user, year)
    progress = selectors.progress_of(profile, plan, year)
    return Status(
        200,
        {
            "name": profile.name,
            "post_level": profile.post_level,
            "neighborhood": profile.neighborhood.name,
            "year": year,
            "progress": progress,
        },
    )


@router.post("/check-in", response={200: CreditOut})
def check_in(request, data: TokenIn):
    """A training session's scanned QR token: credits the course's hours once."""
    return Status(200, services.scan_session_check_in(actor=request.user, token=data.token))


@router.get("/training", response={200: DashboardOut})
def training(request, year: int | None = Query(None, ge=YEARS[0], le=YEARS[1])):
    """Hours by line and level over the workers in the caller's area, and who is behind."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    year = year or timezone.localdate().year
    board = selectors.training_dashboard(request.user, year)
    return Status(
        200,
        {
            "year": year,
            "workers": board["workers"],
            "total": board["total"],
            "by_line": _pairs(board["by_line"]),
            "by_level": _pairs(board["by_level"]),
            "behind": [b["profile"].name for b in board["behind"]],
        },
    )


@router.get("/rounds", response={200: list[RoundOut]})
def rounds(request):
    """Assessment rounds: for the subdistrict's personnel roles only."""
    require_reader(request.user, "personnel", _("Assessment results are personnel data."))
    return Status(200, list(selectors.rounds_visible_to(request.user)))


@router.get("/rounds/{round_id}/bonuses", response={200: list[BonusOut]})
def round_bonuses(request, round_id: int):
    assessment = selectors.get_visible(selectors.rounds_visible_to(request.user), round_id)
    return Status(200, list(selectors.round_results(request.user, assessment)["bonuses"]))


@router.post("/rounds/{round_id}/adopt", response={200: RoundOut})
def adopt(request, round_id: int):
    assessment = selectors.get_visible(selectors.rounds_visible_to(request.user), round_id)
    return Status(200, services.adopt_round(actor=request.user, round=assessment))


@router.get("/my-bonuses", response={200: list[BonusOut]})
def my_bonuses(request):
    """The signed-in worker's own results of adopted rounds; nobody else's."""
    return Status(200, list(selectors.own_bonuses(request.user)))


@router.post("/ratings", response={200: RatingOut})
def rate(request, data: RatingIn):
    """A rater scores a neighborhood for their group (phones post here too)."""
    group = selectors.get_visible(selectors.rating_groups_of(request.user), data.group_id)
    neighborhood = selectors.get_visible(selectors.round_neighborhoods(group.round), data.neighborhood_id)
    rating = services.score_neighborhood(
        actor=request.user, group=group, neighborhood=neighborhood, score=data.score
    )
    return Status(200, rating)
