"""API of property governance under /api/v1/property/: same scope and services as the pages."""

from datetime import date
from decimal import Decimal

from ninja import Query, Router, Schema

from gongzhi.core.pages import YEARS, require_reader
from gongzhi.property import selectors, services

router = Router(tags=["property"])


class RankedOut(Schema):
    compound_id: int
    compound: str
    rank: int | None
    score: Decimal | None
    missing: list[str]


class RankingOut(Schema):
    neighborhood_id: int
    year: int
    score: Decimal | None
    compounds: list[RankedOut]


class FiguresIn(Schema):
    month: date
    fee_billed: Decimal | None = None
    fee_collected: Decimal | None = None
    burglaries: int | None = None
    battery_thefts: int | None = None
    vehicle_thefts: int | None = None
    fires: int | None = None


class FiguresOut(Schema):
    month: date
    fee_billed: Decimal
    fee_collected: Decimal
    burglaries: int
    battery_thefts: int
    vehicle_thefts: int
    fires: int


def _reader(user) -> None:
    require_reader(user, "property", "You do not work with property governance.")


@router.get("/neighborhoods/{pk}/ranking", response=RankingOut)
def ranking(request, pk: int, year: int = Query(..., ge=YEARS[0], le=YEARS[1])):
    """The neighborhood's compounds ranked by the red-property score, and its own score."""
    _reader(request.user)
    neighborhood = selectors.neighborhood_for(request.user, pk)
    rows, score = selectors.ranking(request.user, neighborhood, year)
    compounds = [
        RankedOut(
            compound_id=r.compound.pk, compound=r.compound.name, rank=r.rank, score=r.score, missing=r.missing
        )
        for r in rows
    ]
    return RankingOut(neighborhood_id=neighborhood.pk, year=year, score=score, compounds=compounds)


@router.get("/compounds/{pk}/figures", response=list[FiguresOut])
def figures(request, pk: int, year: int = Query(..., ge=YEARS[0], le=YEARS[1])):
    _reader(request.user)
    return list(selectors.figures_for(request.user, selectors.compound_for(request.user, pk), year))


@router.post("/compounds/{pk}/figures", response=FiguresOut)
def record_figures(request, pk: int, payload: FiguresIn):
    """Enter or correct one month (fields left out keep their value)."""
    _reader(request.user)
    compound = selectors.compound_for(request.user, pk)
    values = {k: str(v) for k, v in payload.dict(exclude={"month"}).items() if v is not None}
    return services.record_figures(actor=request.user, compound=compound, month=payload.month, values=values)
