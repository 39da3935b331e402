"""API of places, households and residents. Handlers parse, call a selector or service, return."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.core import minors, paging
from gongzhi.org import selectors, services

router = Router(tags=["org"])


class NeighborhoodOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    subdistrict_id: int


class HouseholdOut(Schema):
    id: int
    building_id: int
    compound: str = Field(..., alias="building.compound.name")
    building: str = Field(..., alias="building.number")
    room: str
    floor_area: Decimal
    neighborhood_id: int
    micro_grid_id: int | None


class HouseholdIn(Schema):
    building_id: int
    room: str
    floor_area: Decimal = Decimal("0")


class HouseholdPatch(Schema):
    room: str | None = None
    floor_area: Decimal | None = None


class ResidentOut(Schema):
    id: int
    household_id: int | None
    name: str
    gender: str
    birth_date: date | None
    id_number: str = Field(..., alias="id_number_masked")
    phone: str = Field(..., alias="phone_masked")
    is_owner: bool
    is_tenant: bool
    is_registered: bool
    lives_here: bool


class ResidentIn(Schema):
    household_id: int
    name: str
    gender: str = ""
    birth_date: date | None = None
    id_number: str = ""
    phone: str = ""
    is_owner: bool = False
    is_tenant: bool = False
    is_registered: bool = False
    lives_here: bool = True


class ResidentPatch(Schema):
    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    phone: str | None = None
    is_owner: bool | None = None
    is_tenant: bool | None = None
    is_registered: bool | None = None
    lives_here: bool | None = None


class UnmaskIn(Schema):
    reason: str


class UnmaskOut(Schema):
    id_number: str
    phone: str


class LookupIn(Schema):
    number: str


class RoleOut(Schema):
    role: str
    role_label: str
    unit_kind: str
    unit_id: int | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut)
def me(request):
    roles = [
        {"role": r.role, "role_label": str(r.role_label), "unit_kind": r.unit_kind, "unit_id": r.unit_id}
        for r in selectors.roles_of(request.user)
    ]
    return {"username": request.user.username, "display_name": str(request.user), "roles": roles}


@router.get("/neighborhoods", response=list[NeighborhoodOut])
def neighborhoods(request):
    return selectors.neighborhoods_visible_to(request.user)


@router.get("/neighborhoods/{neighborhood_id}", response=NeighborhoodOut)
def neighborhood(request, neighborhood_id: int):
    return get_object_or_404(selectors.neighborhoods_visible_to(request.user), pk=neighborhood_id)


@router.get("/households", response=list[HouseholdOut])
def households(request, q: str = "", limit: int = 50, offset: int = 0):
    """With `q`: the one household search, best match first ("5 301" puts flat 5-301 first);
    without: every household of the area in id order (new ones land on the last page)."""
    if not q.strip():
        return selectors.households_visible_to(request.user).order_by("pk")[paging.window(offset, limit)]
    return selectors.search_households(request.user, q)[paging.window(offset, limit)]


@router.get("/households/{household_id}", response=HouseholdOut)
def household(request, household_id: int):
    return get_object_or_404(selectors.households_visible_to(request.user), pk=household_id)


@router.post("/households", response={201: HouseholdOut})
def create_household(request, payload: HouseholdIn):
    building = get_object_or_404(selectors.buildings_visible_to(request.user), pk=payload.building_id)
    return Status(
        201,
        services.create_household(
            actor=request.user, building=building, room=payload.room, floor_area=payload.floor_area
        ),
    )


@router.patch("/households/{household_id}", response=HouseholdOut)
def update_household(request, household_id: int, payload: HouseholdPatch):
    item = get_object_or_404(selectors.households_visible_to(request.user), pk=household_id)
    return services.update_household(actor=request.user, household=item, **payload.dict(exclude_none=True))


@router.get("/residents", response=list[ResidentOut])
def residents(request, household_id: int | None = None, limit: int = 50, offset: int = 0):
    qs = selectors.residents_visible_to(request.user).order_by("pk")
    if household_id is not None:
        qs = qs.filter(household_id=household_id) if paging.is_storable_id(household_id) else qs.none()
    return minors.present(
        request.user, qs.select_related("household__neighborhood")[paging.window(offset, limit)]
    )


# Before /residents/{resident_id}: Django tries routes in order, and that one (a str segment)
# would take "lookup" and answer POST with 405.
@router.post("/residents/lookup", response=list[ResidentOut])
def lookup_residents(request, payload: LookupIn):
    """Exact ID number or phone, sent in the body so it never lands in a URL or access log."""
    return minors.present(request.user, selectors.find_residents_by_number(request.user, payload.number)[:20])


@router.get("/residents/{resident_id}", response=ResidentOut)
def resident(request, resident_id: int):
    return minors.present_one(
        request.user, get_object_or_404(selectors.residents_visible_to(request.user), pk=resident_id)
    )


@router.post("/residents", response={201: ResidentOut})
def create_resident(request, payload: ResidentIn):
    household = get_object_or_404(selectors.households_visible_to(request.user), pk=payload.household_id)
    fields = payload.dict(exclude={"household_id"})
    created = services.create_resident(actor=request.user, household=household, **fields)
    return Status(201, minors.present_one(request.user, created))


@router.patch("/residents/{resident_id}", response=ResidentOut)
def update_resident(request, resident_id: int, payload: ResidentPatch):
    item = get_object_or_404(selectors.residents_visible_to(request.user), pk=resident_id)
    updated = services.update_resident(actor=request.user, resident=item, **payload.dict(exclude_none=True))
    return minors.present_one(request.user, updated)


@router.post("/residents/{resident_id}/unmask", response=UnmaskOut)
def unmask_resident(request, resident_id: int, payload: UnmaskIn):
    item = get_object_or_404(selectors.residents_visible_to(request.user), pk=resident_id)
    return services.unmask_resident(actor=request.user, resident=item, reason=payload.reason)
