"""The one place that decides what a user may see and change: area scope from role assignments.

A model that lives in an area declares `scope_paths` (unit kind → lookup of that unit's id, or a
function of the unit id returning a Q when one lookup cannot say it) and a
`data_class`. A role grants a data class for reading and/or writing on its unit; the record is in
scope when the lookup for the role's unit kind equals the unit's id. Models with
`visible_from_below` (areas, buildings, grids) are also readable by roles on units inside them:
a grid worker sees the name of their neighborhood, but not the neighborhood's households.
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core import compiled
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import DUTY_ROLES, ROLES, UNIT_ANCESTORS

READ = "read"
WRITE = "write"
UNMASK = "unmask"
EXPORT = "export"
NOTHING = Q(pk__in=[])


def assignments_of(user) -> list:
    """The user's role assignments, loaded once per request object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongzhi_assignments", None)
    if cached is None:
        cached = _load_assignments(user)
        user._gongzhi_assignments = cached
    return cached


def duty_of(user) -> str | None:
    """'resident', one of the duty roles (三员), or None for ordinary staff (area roles decide)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.kind == "resident":
        return "resident"
    duties = {a.role for a in assignments_of(user)} & DUTY_ROLES
    return next(iter(duties)) if duties else None


def keeps_system(user) -> bool:
    """The system admin's duty in the Django admin (accounts, roles, the delivery queue): the
    system admin role, or a technical superuser, which reaches no data through the flag."""
    return user.is_active and (user.is_superuser or duty_of(user) == "system_admin")


def _load_assignments(user) -> list:
    """`user.role_assignments.all()` through a plan compiled once per database (building the query
    cost twice what running it did); the rows are read every time, so a withdrawn role counts at once."""
    model = user.role_assignments.model
    db = model.objects.db
    found = compiled.plan(db, ("role_assignments",), lambda user_id: model.objects.filter(user_id=user_id), 1)
    if found is None:  # a manager that filters more: let the ORM build it
        return list(user.role_assignments.all())
    names = [column.target.attname for column, _sql, _alias in found.compiler.select]
    rows = found.compiler.results_iter(results=[found.rows([user.pk])])
    assignments = [model.from_db(db, names, row) for row in rows]
    for assignment in assignments:
        assignment.user = user  # as the related manager does: no query for it
    return assignments


def _grants(role, data_class: str, action: str) -> bool:
    if action == READ:
        return data_class in role.read
    if action == WRITE:
        return data_class in role.write
    # UNMASK and EXPORT: a capability of the role on what it may read anyway.
    return getattr(role, action) and data_class in role.read


def _assignment_term(assignment, model: type[Model], action: str) -> tuple[str, int | None] | None:
    """The (lookup, unit id) that puts a `model` row in this assignment's scope, or None."""
    role = ROLES[assignment.role]
    paths = model.scope_paths
    if not _grants(role, model.data_class, action):
        return None
    if role.unit_kind in paths:
        return paths[role.unit_kind], assignment.unit_id
    if role.unit_kind == "block" and (lookup := block_lookup(paths)) is not None:
        return lookup, assignment.unit_id
    if action == READ and getattr(model, "visible_from_below", False):
        # The deepest ancestor of the role's unit that the model knows how to reach.
        for kind in reversed(UNIT_ANCESTORS[role.unit_kind]):
            if kind in paths:
                return paths[kind], getattr(assignment, f"{kind}_id")
    return None


def block_lookup(paths: dict) -> str | None:
    """A block (街区) is an optional level above neighborhoods that records do not name: a record
    lies in a block when its neighborhood does, so the neighborhood lookup is followed one step
    further, to the neighborhood's `block_id` ("neighborhood_id" → "neighborhood__block_id")."""
    path = paths.get("neighborhood")
    if not isinstance(path, str):
        return None
    if path == "id":
        return "block_id"
    return path.removesuffix("_id").removesuffix("_") + "__block_id"


# Separation of duties (等保 2.0 三员管理): Django's superuser flag makes a technical account for
# configuration, accounts and roles; it grants no data at all. Every function here reads role
# assignments only, so a superuser without roles sees nothing, and one with a role sees its area.


def scope_q(user, model: type[Model], action: str = READ) -> Q:
    """A filter matching exactly the rows of `model` the user may `action`."""
    return terms_q(*scope_terms(user, model, action))


def scope_terms(user, model: type[Model], action: str = READ) -> tuple[tuple[str, ...], list]:
    """The scope filter as its shape (the lookups, in order) and their unit ids. Users with the same
    shape get the same SQL with other parameters, so a hot read may compile its query once per
    shape (org.selectors.household_in_area); the rules stay here, in `terms_q`."""
    terms = [t for a in assignments_of(user) if (t := _assignment_term(a, model, action)) is not None]
    return tuple(lookup for lookup, _ in terms), [unit_id for _, unit_id in terms]


def terms_q(lookups: tuple, unit_ids: list) -> Q:
    parts = [_term(lookup, unit_id) for lookup, unit_id in zip(lookups, unit_ids, strict=True)]
    return reduce(or_, parts) if parts else NOTHING


def _term(lookup, unit_id) -> Q:
    """A lookup string (`"micro_grid_id"`), or a function of the unit id returning a Q, for a
    record reached by more than one road (a building split between grids: org.Building)."""
    return lookup(unit_id) if callable(lookup) else Q(**{lookup: unit_id})


def scoped(user, queryset: QuerySet, action: str = READ) -> QuerySet:
    qs = queryset.filter(scope_q(user, queryset.model, action))
    return qs.distinct() if getattr(queryset.model, "scope_distinct", False) else qs


def can(user, obj: Model, action: str = READ) -> bool:
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def require(actor, obj: Model, action: str = WRITE, *, denied: str | None = None) -> None:
    """Refuse an action outside the actor's scope: a record they may read but not change answers
    403 (`denied` says why, if the record's kind has its own words); one they cannot even read
    looks absent (`NotInScope`, a 404), so nothing confirms it exists."""
    if can(actor, obj, action):
        return
    if action != READ and can(actor, obj, READ):
        raise PermissionDenied(denied or _("You may not change this record."))
    raise NotInScope(_("No such record in your area."))


def has_capability(user, capability: str) -> bool:
    """Whether any role of the user carries `unmask` or `export` somewhere (to show the button)."""
    return any(getattr(ROLES[a.role], capability) for a in assignments_of(user))


def may_read_class(user, data_class: str) -> bool:
    return any(data_class in ROLES[a.role].read for a in assignments_of(user))


def can_create(user, model: type[Model], path: dict[str, int | None]) -> bool:
    """Whether the user may create a `model` record at `path` (unit kind → id of the new record)."""
    for a in assignments_of(user):
        role = ROLES[a.role]
        if model.data_class in role.write and role.unit_kind in model.scope_paths:
            if path.get(role.unit_kind) == a.unit_id:
                return True
    return False


def household_path(household) -> dict[str, int | None]:
    """The unit ids a household (and so its residents) sits under."""
    return {
        "subdistrict": household.neighborhood.subdistrict_id,
        "neighborhood": household.neighborhood_id,
        "micro_grid": household.micro_grid_id,
        "compound": household.building.compound_id,
        "building": household.building_id,
        "stairwell": household.stairwell_id,
    }
