"""Importing a ledger all-or-nothing: rows matched to existing records, scope checked, the plan written."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import permissions, pii
from gongzhi.core.roles import ROLES
from gongzhi.org.ledger.checking import LedgerRow, parse_file
from gongzhi.org.ledger.columns import _CHUNK, Counts, ImportReport
from gongzhi.org.ledger.import_writes import _ImportWrites
from gongzhi.org.models import (
    Building,
    Compound,
    Household,
    Neighborhood,
    Resident,
    ResidentTag,
    Stairwell,
)


def may_import(user) -> bool:
    """Whether any role of the user writes households and residents somewhere."""
    return any({"household", "resident"} <= ROLES[a.role].write for a in permissions.assignments_of(user))


def import_ledger(*, actor, uploaded_file) -> ImportReport:
    """Import a ledger all-or-nothing: a report with every error and no writes, or every row written."""
    if not may_import(actor):
        raise PermissionDenied(_("You may not import households and residents."))
    report = ImportReport(filename=getattr(uploaded_file, "name", "") or "")
    if uploaded_file is None:
        report.fail(None, "", _("Choose a file to upload."))
        return report
    rows = parse_file(uploaded_file, report)
    if not rows:
        return report
    try:
        with transaction.atomic():
            _Import(actor, rows, report).run()
    except IntegrityError:
        # Another import or edit created the same household or ID number meanwhile.
        report.fail(
            None, "", _("The records changed while importing. Nothing was imported; please try again.")
        )
    if not report.ok:
        report.households, report.residents, report.places_created = Counts(), Counts(), 0
    return report


def _chunks(values: Iterable, size: int = _CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(queryset: QuerySet, lookup: str, values: Iterable) -> list:
    return [obj for chunk in _chunks(set(values)) for obj in queryset.filter(**{lookup: chunk})]


@dataclass
class _PlannedHousehold:
    key: tuple
    row: int
    instance: Household
    stairwell_key: tuple | None = None
    area: Decimal | None = None
    changed: bool = False


class _Import(_ImportWrites):
    """Matches rows to existing records, checks scope, then writes in bulk. Runs in a transaction."""

    def __init__(self, actor, rows: list[LedgerRow], report: ImportReport) -> None:
        self.actor, self.rows, self.report = actor, rows, report
        self.now = timezone.now()
        self.neighborhoods: dict[int, Neighborhood] = {}
        self.row_nb: dict[int, Neighborhood] = {}
        self.compounds: dict[tuple, Compound] = {}
        self.buildings: dict[tuple, Building] = {}
        self.stairwells: dict[tuple, Stairwell] = {}
        self.households: dict[tuple, _PlannedHousehold] = {}
        self.by_household: dict[int, list[Resident]] = {}
        self.by_digest: dict[str, Resident] = {}
        self.tags: dict[int, set[str]] = {}
        self.claimed: dict[object, int] = {}  # resident (id or planned key) → first row naming them
        self.new_residents: list[tuple[tuple, Resident, set[str] | None]] = []
        self.changed_residents: dict[int, tuple[Resident, set[str] | None]] = {}

    def run(self) -> None:
        # Rows with errors of their own are still matched, so that the report names every problem.
        self._resolve_neighborhoods()
        self.rows = [r for r in self.rows if r.row in self.row_nb]
        self._load_existing()
        for row in self.rows:
            self._plan_row(row)
        if self.report.ok:
            self._write()
            self._audit()

    # Matching -----------------------------------------------------------------------------

    def _resolve_neighborhoods(self) -> None:
        visible = list(permissions.scoped(self.actor, Neighborhood.objects.all()))
        by_code = {n.code: n for n in visible}
        by_name: dict[str, list[Neighborhood]] = {}
        for n in visible:
            by_name.setdefault(n.name, []).append(n)
        for row in self.rows:
            found = (
                [by_code[row.neighborhood]]
                if row.neighborhood in by_code
                else by_name.get(row.neighborhood, [])
            )
            if len(found) == 1:
                self.row_nb[row.row] = found[0]
                self.neighborhoods[found[0].pk] = found[0]
            elif found:
                self.report.fail(
                    row.row, "neighborhood", _("Several neighborhoods have this name; use the code.")
                )
            else:
                self.report.fail(row.row, "neighborhood", _("Unknown neighborhood, or not in your area."))

    def _load_existing(self) -> None:
        for c in Compound.objects.filter(neighborhood_id__in=self.neighborhoods):
            self.compounds[(c.neighborhood_id, c.name)] = c
        compound_keys = {c.pk: key for key, c in self.compounds.items()}
        for b in _fetch(Building.objects.all(), "compound_id__in", compound_keys):
            self.buildings[(*compound_keys[b.compound_id], b.number)] = b
        building_keys = {b.pk: key for key, b in self.buildings.items()}
        for s in _fetch(Stairwell.objects.all(), "building_id__in", building_keys):
            self.stairwells[(*building_keys[s.building_id], s.name)] = s
        named = {(self.row_nb[r.row].pk, r.compound, r.building) for r in self.rows}
        # Locked until commit: a second import of the same households waits and then sees ours.
        households = _fetch(
            Household.objects.select_for_update(of=("self",)),
            "building_id__in",
            [b.pk for key, b in self.buildings.items() if key in named],
        )
        for h in households:
            key = (*building_keys[h.building_id], h.room)
            self.households[key] = _PlannedHousehold(key, 0, h)
        self._load_residents([h.pk for h in households])

    def _load_residents(self, household_ids: list[int]) -> None:
        # The household comes along so that scope checks need no query per resident.
        query = Resident.objects.select_for_update(of=("self",)).select_related(
            "household__neighborhood", "household__building"
        )
        residents = _fetch(query, "household_id__in", household_ids)
        known = {r.id_number_digest for r in residents}
        elsewhere = {r.id_digest for r in self.rows if r.id_number} - known  # moved in, or out of scope
        residents += _fetch(query, "id_number_digest__in", elsewhere)
        for r in {r.pk: r for r in residents}.values():
            self.by_household.setdefault(r.household_id, []).append(r)
            if r.id_number_digest:
                self.by_digest[r.id_number_digest] = r
        for t in _fetch(ResidentTag.objects.all(), "resident_id__in", [r.pk for r in residents]):
            self.tags.setdefault(t.resident_id, set()).add(t.tag)

    # Planning -----------------------------------------------------------------------------

    def _plan_row(self, row: LedgerRow) -> None:
        nb = self.row_nb[row.row]
        ck, bk = (nb.pk, row.compound), (nb.pk, row.compound, row.building)
        sk = (*bk, row.stairwell) if row.stairwell else None
        places = [(Compound, ck, "compound", {}), (Building, bk, "building", {"compound": ck})]
        if sk:
            places.append((Stairwell, sk, "stairwell", {"building": bk}))
        for model, key, column, parents in places:
            path = {"neighborhood": nb.pk, **{kind: self._pk(k) for kind, k in parents.items()}}
            if not self._plan_place(row, model, key, column, path):
                return  # nothing below a place we may not add can be planned
        planned = self._plan_household(row, nb, bk, sk)
        if planned is not None and row.has_resident:
            self._plan_resident(row, planned)

    def _pk(self, key: tuple) -> int | None:
        found = self.compounds.get(key) or self.buildings.get(key) or self.stairwells.get(key)
        return found.pk if found is not None else None

    def _plan_place(self, row: LedgerRow, model: type[Model], key: tuple, column: str, path: dict) -> bool:
        store = {Compound: self.compounds, Building: self.buildings, Stairwell: self.stairwells}[model]
        if key in store:
            return True
        path = {"subdistrict": self.row_nb[row.row].subdistrict_id, **path}
        if not permissions.can_create(self.actor, model, path):
            self.report.fail(row.row, column, _("You may not add “%(name)s” here.") % {"name": key[-1]})
            return False
        store[key] = self._new_place(model, key)
        return True

    def _new_place(self, model: type[Model], key: tuple) -> Model:
        nb = self.neighborhoods[key[0]]
        if model is Compound:
            return Compound(neighborhood=nb, name=key[1])
        if model is Building:
            return Building(compound=self.compounds[key[:2]], neighborhood=nb, number=key[2])
        building = self.buildings[key[:3]]  # a new stairwell starts in its building's grid
        return Stairwell(building=building, name=key[3], micro_grid_id=building.micro_grid_id)

    def _household_path(self, household: Household, nb: Neighborhood, bk: tuple) -> dict:
        building = self.buildings[bk]
        return {
            "subdistrict": nb.subdistrict_id,
            "neighborhood": nb.pk,
            "micro_grid": household.micro_grid_id,
            "compound": building.compound_id,
            "building": building.pk,
            "stairwell": household.stairwell_id if household.stairwell_id else None,
        }

    def _plan_household(self, row: LedgerRow, nb: Neighborhood, bk: tuple, sk: tuple | None):
        if bk not in self.buildings or (sk and sk not in self.stairwells):
            return None  # the place could not be planned; its error is already reported
        key = (*bk, row.room)
        planned = self.households.get(key)
        if planned is None:
            building = self.buildings[bk]
            instance = Household(
                building=building, neighborhood=nb, micro_grid_id=building.micro_grid_id, room=row.room
            )
            planned = self.households[key] = _PlannedHousehold(key, row.row, instance)
        elif planned.instance.pk and not self._may_change(row, planned, nb, bk):
            return None  # an existing household must be ours before the row changes it
        planned.row = planned.row or row.row
        self._merge_household(row, planned, sk, bk)
        return planned if self._may_change(row, planned, nb, bk) else None

    def _may_change(self, row: LedgerRow, planned: _PlannedHousehold, nb, bk) -> bool:
        path = self._household_path(planned.instance, nb, bk)
        if permissions.can_create(self.actor, Household, path):
            return True
        self.report.fail(row.row, "room", _("This household is not in the area you may change."))
        return False

    def _merge_household(self, row: LedgerRow, planned: _PlannedHousehold, sk, bk) -> None:
        """Apply the household cells of one more row; rows of one household must agree."""
        if row.floor_area is not None:
            if planned.area is not None and planned.area != row.floor_area:
                self.report.fail(
                    row.row, "floor_area", _("Differs from an earlier row of the same household.")
                )
            planned.area = row.floor_area
        if sk is None:
            return
        if planned.stairwell_key not in (None, sk):
            self.report.fail(row.row, "stairwell", _("Differs from an earlier row of the same household."))
            return
        planned.stairwell_key = sk
        h, stairwell = planned.instance, self.stairwells[sk]
        if h.pk is None or stairwell.pk is None or stairwell.pk != h.stairwell_id:
            h.stairwell = stairwell
            h.micro_grid_id = stairwell.micro_grid_id or self.buildings[bk].micro_grid_id
            planned.changed = h.pk is not None

    def _plan_resident(self, row: LedgerRow, planned: _PlannedHousehold) -> None:
        resident = self._match_resident(row, planned)
        if resident is None or not self._check_masks(row, resident):
            return
        if resident.pk is None:
            if row.id_masked or row.phone_masked:
                self.report.fail(
                    row.row,
                    "id_number" if row.id_masked else "phone",
                    _("A masked number stands only for a resident already on file; enter the full number."),
                )
                return
            _apply_row(resident, row)
            self.new_residents.append((planned.key, resident, row.tags))
            return
        moved = planned.instance.pk is None or resident.household_id != planned.instance.pk
        if moved:
            resident.household = planned.instance  # moved house within the area
        changed = _apply_row(resident, row) or moved
        if changed or (row.tags is not None and row.tags != self.tags.get(resident.pk, set())):
            self.changed_residents[resident.pk] = (resident, row.tags)
        else:
            self.report.residents.unchanged += 1

    def _match_resident(self, row: LedgerRow, planned: _PlannedHousehold) -> Resident | None:
        """By ID number; else by household and name; else a new resident."""
        key = (planned.key, row.name)
        if row.id_number:
            if row.id_digest in self.claimed:
                self._same_as(row, "id_number", self.claimed[row.id_digest])
                return None
            self.claimed[row.id_digest] = row.row
            if (found := self.by_digest.get(row.id_digest)) is not None:
                return self._claim_existing(row, found)
        namesakes = [r for r in self.by_household.get(planned.instance.pk, []) if r.name == row.name]
        for candidate in namesakes:
            if candidate.pk in self.claimed or (row.id_number and candidate.id_number_digest):
                continue
            return self._claim_existing(row, candidate)
        if row.id_number and any(c.id_number_digest and c.pk not in self.claimed for c in namesakes):
            # The same name with another ID on file: a typo or another person; a person decides.
            self.report.fail(
                row.row,
                "id_number",
                _("A resident of this name in this household has a different ID number on file."),
            )
            return None
        if key in self.claimed and not row.id_number:
            self._same_as(row, "name", self.claimed[key])
            return None
        self.claimed.setdefault(key, row.row)
        return Resident(name=row.name)

    def _same_as(self, row: LedgerRow, column: str, other: int) -> None:
        self.report.fail(row.row, column, _("Same person as row %(n)s.") % {"n": other})

    def _claim_existing(self, row: LedgerRow, resident: Resident) -> Resident | None:
        if resident.pk in self.claimed:
            self._same_as(row, "name", self.claimed[resident.pk])
            return None
        self.claimed[resident.pk] = row.row
        household = resident.household
        if household is None or not permissions.can_create(
            self.actor, Resident, permissions.household_path(household)
        ):
            self.report.fail(
                row.row, "id_number", _("This ID number belongs to a resident outside your area.")
            )
            return None
        return resident

    def _check_masks(self, row: LedgerRow, resident: Resident) -> bool:
        ok = True
        if row.id_masked and resident.pk and pii.mask_id_number(resident.id_number) != row.id_masked:
            self.report.fail(
                row.row, "id_number", _("The masked ID number does not match the resident on file.")
            )
            ok = False
        if row.phone_masked and resident.pk and pii.mask_phone(resident.phone) != row.phone_masked:
            self.report.fail(
                row.row, "phone", _("The masked phone number does not match the resident on file.")
            )
            ok = False
        if row.tags is not None and not permissions.can_create(self.actor, ResidentTag, self._tag_path(row)):
            self.report.fail(row.row, "tags", _("You may not record sensitive tags."))
            ok = False
        return ok

    def _tag_path(self, row: LedgerRow) -> dict:
        nb = self.row_nb[row.row]
        key = (nb.pk, row.compound, row.building, row.room)
        return self._household_path(self.households[key].instance, nb, key[:3])


def _apply_row(resident: Resident, row: LedgerRow) -> bool:
    """Copy the row's filled cells onto the resident; empty and masked cells leave values as they are."""
    changed = False
    values: dict[str, object] = {"name": row.name, **row.flags}
    if row.gender:
        values["gender"] = row.gender
    if row.birth_date:
        values["birth_date"] = row.birth_date
    for name, value in values.items():
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed = True
    if row.id_number and resident.id_number_digest != row.id_digest:
        resident.id_number, resident.id_number_digest = row.id_number, row.id_digest
        changed = True
    if row.phone and resident.phone_digest != row.phone_digest:
        resident.phone, resident.phone_digest = row.phone, row.phone_digest
        changed = True
    return changed
