"""Writing an import's plan: bulk creates and updates inside the import's transaction."""

from decimal import Decimal

from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.org.ledger.columns import FLAGS
from gongzhi.org.models import (
    Building,
    Compound,
    Household,
    Resident,
    ResidentTag,
    Stairwell,
)


class _ImportWrites:
    """The writing half of an import: the planned places, households, residents and tags in bulk, then
    the one audit record. Mixed into importing._Import, whose plan it writes."""

    def _write(self) -> None:
        for model, store in (
            (Compound, self.compounds),
            (Building, self.buildings),
            (Stairwell, self.stairwells),
        ):
            # bulk_create takes the new parents' keys from the related objects assigned earlier.
            new = [obj for obj in store.values() if obj.pk is None]
            model.objects.bulk_create(new)
            self.report.places_created += len(new)
        self._write_households()
        self._write_residents()

    def _write_households(self) -> None:
        new, changed = [], []
        for planned in self.households.values():
            h = planned.instance
            if h.pk is None:
                h.floor_area = planned.area or Decimal("0")
                new.append(h)
            elif planned.row:
                if planned.area is not None and planned.area != h.floor_area:
                    h.floor_area, planned.changed = planned.area, True
                if planned.changed:
                    h.updated_at = self.now
                    changed.append(h)
                else:
                    self.report.households.unchanged += 1
        Household.objects.bulk_create(new, batch_size=500)
        Household.objects.bulk_update(
            changed, ["floor_area", "stairwell", "micro_grid", "updated_at"], batch_size=500
        )
        self.report.households.created, self.report.households.updated = len(new), len(changed)

    def _write_residents(self) -> None:
        new = []
        for hk, resident, _tags in self.new_residents:
            resident.household = self.households[hk].instance
            new.append(resident)
        Resident.objects.bulk_create(new, batch_size=500)
        changed = [resident for resident, _tags in self.changed_residents.values()]
        for resident in changed:
            resident.updated_at = self.now
        fields = ["household", "name", "gender", "birth_date", "id_number", "id_number_digest", "phone"]
        fields += ["phone_digest", *FLAGS, "updated_at"]
        Resident.objects.bulk_update(changed, fields, batch_size=300)
        self.report.residents.created = len(new)
        self.report.residents.updated = len(changed)
        self._write_tags([(r, t) for _hk, r, t in self.new_residents] + list(self.changed_residents.values()))

    def _write_tags(self, pairs: list[tuple[Resident, set[str] | None]]) -> None:
        add, remove = [], []
        for resident, wanted in pairs:
            if wanted is None:
                continue
            have = self.tags.get(resident.pk, set())
            add += [ResidentTag(resident=resident, tag=t) for t in wanted - have]
            remove += [(resident.pk, t) for t in have - wanted]
        ResidentTag.objects.bulk_create(add, batch_size=500)
        for resident_id, tag in remove:
            ResidentTag.objects.filter(resident_id=resident_id, tag=tag).delete()

    def _audit(self) -> None:
        nbs = {self.row_nb[r.row] for r in self.rows}
        subdistricts = {n.subdistrict_id for n in nbs}
        area = (
            subdistricts.pop() if len(subdistricts) == 1 else None,
            next(iter(nbs)).pk if len(nbs) == 1 else None,
        )
        r = self.report
        audit.record(
            "import",
            actor=self.actor,
            summary=_("Ledger %(file)s: %(rows)s rows") % {"file": r.filename[:150], "rows": r.rows},
            changes={
                "households": r.households.as_dict(),
                "residents": r.residents.as_dict(),
                "places_created": r.places_created,
            },
            area=area,
        )
