"""Every read of places, households and residents, already filtered to the caller's area."""

from django.db.models import Count, Q, QuerySet

from gongzhi.core import compiled, permissions, pii
from gongzhi.core.permissions import scoped
from gongzhi.org import household_search
from gongzhi.org.household_search import SearchResult
from gongzhi.org.models import (
    Block,
    Building,
    Compound,
    Department,
    Household,
    JointTeamMember,
    Neighborhood,
    PartnerUnit,
    PartyMember,
    PartyOrg,
    Resident,
    ResidentTag,
    RoleAssignment,
    ServicePoint,
    Subdistrict,
)


def subdistricts_visible_to(user) -> QuerySet[Subdistrict]:
    return scoped(user, Subdistrict.objects.select_related("district"))


def neighborhoods_visible_to(user) -> QuerySet[Neighborhood]:
    return scoped(user, Neighborhood.objects.select_related("subdistrict"))


def compounds_visible_to(user) -> QuerySet[Compound]:
    return scoped(user, Compound.objects.select_related("neighborhood"))


def buildings_visible_to(user) -> QuerySet[Building]:
    return scoped(user, Building.objects.select_related("compound", "neighborhood", "micro_grid"))


def micro_grids_of(user, neighborhood: Neighborhood) -> QuerySet:
    """The neighborhood's micro-grids in the user's area, reached through the relation grids declares
    (grids sits above org, so org imports no grids module)."""
    grids = neighborhood.micro_grids
    return scoped(user, grids.filter(level=grids.model.Level.MICRO))


def households_visible_to(user) -> QuerySet[Household]:
    return scoped(user, Household.objects.select_related("building__compound", "neighborhood", "micro_grid"))


def household_in_area(user, pk: int) -> Household | None:
    """One household by id if it lies in the user's area, with what intake needs of its place
    (building, compound name, neighborhood, subdistrict id) and nothing more: one indexed query,
    its SQL built once per scope shape (building it was a quarter of an API intake's CPU)."""
    lookups, unit_ids = permissions.scope_terms(user, Household)
    if not lookups:
        return None  # no role that reads households
    db = Household.objects.db
    found = compiled.plan(db, ("household_in_area", lookups), _household_query(lookups), 1 + len(lookups))
    if found is None or None in unit_ids:  # no compiled form: build this one the usual way
        row = _household_query(lookups)(pk, *unit_ids).first()
    else:
        row = next(iter(found.rows([pk, *unit_ids])), None)
    return None if row is None else _household_from_row(row)


HOUSEHOLD_PLACE_COLUMNS = [
    "id",
    "room",
    "building_id",
    "neighborhood_id",
    "micro_grid_id",
    "stairwell_id",
    "building__number",
    "building__compound_id",
    "building__micro_grid_id",
    "building__neighborhood_id",
    "building__compound__name",
    "building__neighborhood__subdistrict_id",
]


def _household_query(lookups: tuple[str, ...]):
    """The look-up of one household in an area of this scope shape, given its pk and unit ids."""

    def build(pk: int, *unit_ids: int) -> QuerySet:
        qs = Household.objects.filter(pk=pk).filter(permissions.terms_q(lookups, list(unit_ids)))
        if getattr(Household, "scope_distinct", False):
            qs = qs.distinct()
        return qs.values_list(*HOUSEHOLD_PLACE_COLUMNS)[:1]

    return build


def _household_from_row(row) -> Household:
    (
        pk,
        room,
        building_id,
        neighborhood_id,
        micro_grid_id,
        stairwell_id,
        number,
        compound_id,
        building_grid_id,
        building_nb_id,
        compound_name,
        subdistrict_id,
    ) = row
    household = _loaded(
        Household,
        id=pk,
        room=room,
        building_id=building_id,
        neighborhood_id=neighborhood_id,
        micro_grid_id=micro_grid_id,
        stairwell_id=stairwell_id,
    )
    building = _loaded(
        Building,
        id=building_id,
        number=number,
        compound_id=compound_id,
        micro_grid_id=building_grid_id,
        neighborhood_id=building_nb_id,
    )
    building.compound = _loaded(Compound, id=compound_id, name=compound_name)
    building.neighborhood = _loaded(Neighborhood, id=building_nb_id, subdistrict_id=subdistrict_id)
    building.neighborhood.subdistrict = _loaded(Subdistrict, id=subdistrict_id)  # its id is all intake needs
    household.building = building
    return household


def _loaded(model, **values):
    """An instance as the ORM loads it with only these fields (the rest deferred): from_db wants
    the values in the model's field order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(model.objects.db, names, [values[name] for name in names])


def residents_visible_to(user) -> QuerySet[Resident]:
    return scoped(
        user, Resident.objects.select_related("household__building__compound", "household__neighborhood")
    )


def tags_visible_to(user) -> QuerySet[ResidentTag]:
    return scoped(user, ResidentTag.objects.all())


def party_orgs_visible_to(user) -> QuerySet[PartyOrg]:
    return scoped(user, PartyOrg.objects.select_related("parent", "neighborhood"))


def party_members_visible_to(user) -> QuerySet[PartyMember]:
    return scoped(user, PartyMember.objects.select_related("party_org"))


def partner_units_visible_to(user) -> QuerySet[PartnerUnit]:
    return scoped(user, PartnerUnit.objects.all())


def service_points_visible_to(user) -> QuerySet[ServicePoint]:
    return scoped(user, ServicePoint.objects.select_related("neighborhood"))


def search_households(user, text: str) -> QuerySet[Household]:
    """The one household search (org/household_search.py) over the user's area, best match first,
    unlimited (paged lists, the API); blank text: every household of the area by address. A
    child's name (under 14, core.minors) finds nothing."""
    scope = households_visible_to(user)
    if not (text or "").strip():
        return scope.order_by("building__compound__name", "building__number", "room", "pk")
    return household_search.matching(scope, text)


def find_households(user, text: str, limit: int = 15) -> SearchResult:
    """The first few households of the user's area matching `text`, and a hint when none does (the
    pick lists of forms)."""
    return household_search.search(households_visible_to(user), text, limit=limit)


def find_residents_by_number(user, value: str) -> QuerySet[Resident]:
    """Exact lookup of an ID number or phone through its keyed hash; never decrypts the table."""
    value = (value or "").strip()
    digests = [
        pii.blind_index("id", pii.normalize_id_number(value)),
        pii.blind_index("phone", pii.normalize_phone(value)),
    ]
    return residents_visible_to(user).filter(Q(id_number_digest__in=digests) | Q(phone_digest__in=digests))


def area_counts(user) -> dict[str, int]:
    """The figures of places and people inside the user's area (the workbench adds the grids)."""
    return {
        "neighborhoods": scoped(user, Neighborhood.objects.all()).count(),
        "households": scoped(user, Household.objects.all()).count(),
        "residents": scoped(user, Resident.objects.all()).count(),
        "party_members": scoped(user, PartyMember.objects.all()).count(),
        "partner_units": scoped(user, PartnerUnit.objects.all()).count(),
    }


def neighborhood_table(user) -> list[Neighborhood]:
    """Neighborhoods of the area with household counts (one grouped query, no join fan-out)."""
    rows = list(neighborhoods_visible_to(user))
    ids = [n.pk for n in rows]
    households = dict(
        scoped(user, Household.objects.filter(neighborhood_id__in=ids))
        .values_list("neighborhood_id")
        .annotate(n=Count("id"))
        .values_list("neighborhood_id", "n")
    )
    for n in rows:
        n.household_count = households.get(n.pk, 0)
    return rows


def neighborhood_detail(user, neighborhood_id: int) -> Neighborhood:
    return neighborhoods_visible_to(user).get(pk=neighborhood_id)


def compounds_of(user, neighborhood: Neighborhood) -> QuerySet[Compound]:
    return (
        compounds_visible_to(user)
        .filter(neighborhood=neighborhood)
        .annotate(
            building_count=Count("buildings", distinct=True), household_count=Count("buildings__households")
        )
    )


def roles_of(user) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(user=user).select_related(
            "subdistrict",
            "neighborhood",
            "micro_grid",
            "compound",
            "building",
            "stairwell",
            "partner_unit",
            "department",
            "block",
        )
    )


def tags_by_resident(user, residents) -> dict[int, list[ResidentTag]]:
    """Sensitive tags of these residents, only for roles that may read them."""
    found: dict[int, list[ResidentTag]] = {}
    for tag in tags_visible_to(user).filter(resident__in=residents):
        found.setdefault(tag.resident_id, []).append(tag)
    return found


def compound_points(compounds) -> dict:
    """GeoJSON of compounds with coordinates, for the Leaflet map (no basemap needed)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
            "properties": {"name": c.name, "households": getattr(c, "household_count", 0)},
        }
        for c in compounds
        if c.lng is not None and c.lat is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def grid_household_counts(user, neighborhood_id: int) -> list[tuple[str, int]]:
    """Households per micro-grid of one neighborhood: the workload of each grid worker."""
    rows = (
        scoped(user, Household.objects.filter(neighborhood_id=neighborhood_id, micro_grid__isnull=False))
        .values_list("micro_grid__code", "micro_grid__name")
        .annotate(n=Count("id"))
        .order_by("micro_grid__code")
    )
    return [(name, n) for _code, name, n in rows]


# ---- blocks (街区) ----------------------------------------------------------------------------------


def blocks_visible_to(user) -> QuerySet[Block]:
    """The blocks of the user's area: a subdistrict's staff see all of its blocks, a block chief their
    own, a neighborhood's staff the block their neighborhood lies in (visible from below)."""
    return scoped(user, Block.objects.select_related("subdistrict", "block_chief")).order_by(
        "subdistrict_id", "name"
    )


def block_team(user, block: Block) -> QuerySet[JointTeamMember]:
    return scoped(user, JointTeamMember.objects.filter(block=block).select_related("department", "user"))


def block_neighborhoods(user, block: Block) -> QuerySet[Neighborhood]:
    return neighborhoods_visible_to(user).filter(block=block).order_by("code")


def block_departments(block: Block) -> QuerySet[Department]:
    """The departments with a member on the block's joint team: those a joint case may involve."""
    return Department.objects.filter(block_teams__block=block).distinct().order_by("code")


def departments_of_subdistrict(user, subdistrict_id: int) -> QuerySet[Department]:
    return scoped(user, Department.objects.filter(subdistrict_id=subdistrict_id)).order_by("code")


def department_handlers(department_ids: list[int]) -> QuerySet[RoleAssignment]:
    """Who handles for each department: the accounts a joint team's members are chosen from."""
    return (
        RoleAssignment.objects.filter(role="department_handler", department_id__in=department_ids)
        .select_related("user", "department")
        .order_by("department__code", "user__username")
    )


def subdistrict_staff(subdistrict_id: int) -> QuerySet[RoleAssignment]:
    """Staff accounts holding a role in the subdistrict: who may be named block chief."""
    return (
        RoleAssignment.objects.filter(subdistrict_id=subdistrict_id, user__is_active=True)
        .exclude(role__in=("system_admin", "security_admin", "auditor"))
        .select_related("user")
        .order_by("user__username")
    )


def block_compounds(user, block: Block) -> QuerySet[Compound]:
    """The compounds of the block's neighborhoods with their counts (the block map's circles)."""
    return (
        compounds_visible_to(user)
        .filter(neighborhood__block=block)
        .annotate(
            building_count=Count("buildings", distinct=True), household_count=Count("buildings__households")
        )
        .order_by("neighborhood__code", "name")
    )
