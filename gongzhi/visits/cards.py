"""Every read of the contact card (连心卡): per household its grid's staff (names masked, work
phones), the hotlines, the service point and the resident page's address; filtered to the
caller's area like the coverage (`selectors.coverage_households`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from gongzhi.core import pii
from gongzhi.grids.models import MicroGrid
from gongzhi.org.models import Building, Household, RoleAssignment, ServicePoint
from gongzhi.visits.models import Hotline, StaffContact
from gongzhi.visits.selectors import ORDER, coverage_households, role_label

MAX_CARDS = 600  # one grid is 300–500 households


@dataclass
class Card:
    household: Household | None
    building: Building
    grid: MicroGrid | None
    staff: list[dict]
    hotlines: list[Hotline]
    service_point: ServicePoint | None
    report_path: str


def _staff_of(grid: MicroGrid | None, stairwell_id: int | None, building: Building) -> list[dict]:
    """Grid chief, grid workers and the stairwell chief: masked names, work phones."""
    people: list[tuple[str, object]] = []
    if grid is not None:
        if grid.grid_chief_id:
            people.append(("grid_chief", grid.grid_chief))
        for a in (
            RoleAssignment.objects.filter(micro_grid=grid, role__in=("grid_chief", "grid_worker"))
            .select_related("user")
            .order_by("role", "pk")
        ):
            people.append((a.role, a.user))
    chiefs = RoleAssignment.objects.filter(role="stairwell_chief").select_related("user")
    chiefs = chiefs.filter(stairwell_id=stairwell_id) if stairwell_id else chiefs.filter(building=building)
    people.extend(("stairwell_chief", a.user) for a in chiefs.order_by("pk")[:2])
    phones = dict(
        StaffContact.objects.filter(user_id__in=[u.pk for _, u in people], on_card=True).values_list(
            "user_id", "work_phone"
        )
    )
    seen: set[int] = set()
    result = []
    for role, person in people:
        if person.pk in seen:  # the grid chief is also assigned the grid_chief role
            continue
        seen.add(person.pk)
        result.append(
            {"role": role_label(role), "name": pii.mask_name(str(person)), "phone": phones.get(person.pk, "")}
        )
    return result


def _hotlines(building: Building) -> list[Hotline]:
    return list(
        Hotline.objects.filter(subdistrict_id=building.neighborhood.subdistrict_id).filter(
            Q(neighborhood__isnull=True) | Q(neighborhood_id=building.neighborhood_id)
        )
    )


def _service_point(building: Building) -> ServicePoint | None:
    points = ServicePoint.objects.filter(subdistrict_id=building.neighborhood.subdistrict_id)
    return (
        points.filter(neighborhood_id=building.neighborhood_id).first() or points.filter(kind="hub").first()
    )


def report_path(building: Building) -> str:
    """The resident concern page for this building (the QR code's target, without the host)."""
    return f"{reverse('concerns:resident_report')}?n={building.neighborhood.code}&b={building.pk}"


def cards_for(households: list[Household]) -> list[Card]:
    """One card per household; buildings and grids looked up once each."""
    cache: dict[tuple, tuple] = {}
    cards = []
    for h in households:
        b = h.building
        key = (b.pk, h.micro_grid_id, h.stairwell_id)
        if key not in cache:
            grid = h.micro_grid
            cache[key] = (
                grid,
                _staff_of(grid, h.stairwell_id, b),
                _hotlines(b),
                _service_point(b),
                report_path(b),
            )
        grid, staff, hotlines, point, path = cache[key]
        cards.append(Card(h, b, grid, staff, hotlines, point, path))
    return cards


def card_households(
    user, *, grid_id: int | None = None, household_id: int | None = None
) -> QuerySet[Household]:
    qs = coverage_households(user).select_related(
        "building__neighborhood", "building__compound", "micro_grid__grid_chief", "stairwell"
    )
    if household_id is not None:
        qs = qs.filter(pk=household_id)
    if grid_id is not None:
        qs = qs.filter(micro_grid_id=grid_id)
    return qs.order_by(*ORDER)


def grids_for_cards(user) -> QuerySet[MicroGrid]:
    ids = coverage_households(user).order_by().values("micro_grid_id")
    return MicroGrid.objects.filter(pk__in=ids).select_related("neighborhood").order_by("code")


def grid_visible(user, grid_id: int) -> MicroGrid | None:
    if not coverage_households(user).filter(micro_grid_id=grid_id).exists():
        return None
    return MicroGrid.objects.select_related("neighborhood").filter(pk=grid_id).first()
