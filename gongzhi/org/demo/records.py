"""Plain records of the demo town: what the generator makes and the loader writes. No Django.

Every record has a 1-based `key` unique within its kind; references are keys. The loader turns a
key into a database id by adding the table's current highest id, so a town of a million
households needs no round trip to learn the ids it created. The two big kinds (households and
residents) are NamedTuples: a million of them must be cheap to make and to hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class BlockRecord:
    key: int
    name: str


@dataclass(frozen=True, slots=True)
class NeighborhoodRecord:
    key: int
    code: str
    name: str
    kind: str  # Neighborhood.Kind value
    block_key: int | None
    address: str


@dataclass(frozen=True, slots=True)
class CompoundRecord:
    key: int
    neighborhood_key: int
    name: str
    address: str
    built_year: int
    lng: float
    lat: float
    era: str  # "old" lane compound, "new" tower compound, or "village" houses


@dataclass(slots=True)
class BuildingRecord:
    key: int
    compound_key: int
    neighborhood_key: int
    number: str
    floors: int
    lng: float
    lat: float
    footprint: dict  # GeoJSON Polygon, WGS84
    households: int
    grid_key: int | None = None  # the level-4 micro-grid, set when grids are drawn


@dataclass(frozen=True, slots=True)
class StairwellRecord:
    key: int
    building_key: int
    name: str


class HouseholdRecord(NamedTuple):
    key: int
    building_key: int
    stairwell_key: int | None
    room: str
    floor_area: Decimal


class ResidentRecord(NamedTuple):
    key: int
    household_key: int
    name: str
    gender: str  # "M" / "F"
    birth_date: date
    id_number: str
    phone: str
    is_owner: bool
    is_tenant: bool
    is_registered: bool
    lives_here: bool


class TagRecord(NamedTuple):
    resident_key: int
    tag: str  # SensitiveTag value
    note: str


@dataclass(frozen=True, slots=True)
class GridRecord:
    key: int
    neighborhood_key: int
    parent_key: int | None
    level: int  # MicroGrid.Level value, 1–5
    code: str
    name: str
    boundary: dict | None


@dataclass(frozen=True, slots=True)
class PartyOrgRecord:
    key: int
    parent_key: int | None
    name: str
    level: str  # PartyOrg.Level value
    branch_kind: str
    neighborhood_key: int | None
    grid_key: int | None
    stairwell_key: int | None


class PartyMemberRecord(NamedTuple):
    key: int
    party_org_key: int
    resident_key: int
    name: str
    status: str
    joined_on: date
    in_service: bool
    workplace: str
    dual_registration_key: int | None  # neighborhood key (双报到)
    dual_registered_on: date | None


@dataclass(frozen=True, slots=True)
class PartnerUnitRecord:
    key: int
    name: str
    kind: str
    contact_name: str


@dataclass(frozen=True, slots=True)
class PledgeRecord:
    key: int
    partner_unit_key: int
    neighborhood_key: int
    grid_key: int | None
    offering: str
    since: date


@dataclass(frozen=True, slots=True)
class DepartmentRecord:
    key: int
    code: str
    name: str
    categories: list[str]


@dataclass(frozen=True, slots=True)
class ServicePointRecord:
    key: int
    neighborhood_key: int | None
    name: str
    kind: str
    address: str
    opening_hours: str
    lng: float
    lat: float


@dataclass
class Town:
    district: str
    name: str
    code: str
    kind: str
    seed: int
    id_area: str = "310113"  # the area code of the residents' ID numbers (GB 11643)
    grid_prefix: str = "YXDEMO"  # grid codes are unique across towns
    grid_method: str = ""
    blocks: list[BlockRecord] = field(default_factory=list)
    neighborhoods: list[NeighborhoodRecord] = field(default_factory=list)
    compounds: list[CompoundRecord] = field(default_factory=list)
    buildings: list[BuildingRecord] = field(default_factory=list)
    stairwells: list[StairwellRecord] = field(default_factory=list)
    households: list[HouseholdRecord] = field(default_factory=list)
    residents: list[ResidentRecord] = field(default_factory=list)
    tags: list[TagRecord] = field(default_factory=list)
    grids: list[GridRecord] = field(default_factory=list)
    party_orgs: list[PartyOrgRecord] = field(default_factory=list)
    party_members: list[PartyMemberRecord] = field(default_factory=list)
    partner_units: list[PartnerUnitRecord] = field(default_factory=list)
    pledges: list[PledgeRecord] = field(default_factory=list)
    departments: list[DepartmentRecord] = field(default_factory=list)
    service_points: list[ServicePointRecord] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in vars(self).items() if isinstance(value, list)}
