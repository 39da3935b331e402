"""Reads of the governance loop: the mode a place is in (for intake, workbenches, rosters), the
places a user may see and switch, and a place's timeline."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.memo import memo
from gongzhi.core.roles import ROLES
from gongzhi.governance.models import GovernanceMode
from gongzhi.org.models import Neighborhood, RoleAssignment, Subdistrict

Kind = GovernanceMode.Kind
# The more severe mode wins where a neighborhood's own mode and its subdistrict's differ.
SEVERITY = {Kind.DAILY: 0, Kind.RISK: 1, Kind.EMERGENCY: 2}
TIMELINE_DAYS = 90


def place_key(subdistrict_id: int, neighborhood_id: int | None) -> str:
    return f"n{neighborhood_id}" if neighborhood_id else f"s{subdistrict_id}"


@memo(GovernanceMode, seconds=5.0)
def current_modes(subdistrict_id: int) -> dict[int | None, GovernanceMode]:
    """The current switch of the subdistrict (key None) and of each of its neighborhoods that was
    ever switched. Cached a few seconds per process (intake reads it for every concern)."""
    rows = GovernanceMode.objects.filter(subdistrict_id=subdistrict_id, ended_at__isnull=True)
    return {row.neighborhood_id: row for row in rows}


def effective(subdistrict_id: int, neighborhood_id: int | None) -> GovernanceMode | None:
    """The switch that decides a place's mode: the more severe of its own and its subdistrict's;
    None when neither was ever switched or both are back to daily work."""
    modes = current_modes(subdistrict_id)
    found = [m for m in (modes.get(neighborhood_id), modes.get(None)) if m is not None]
    if not found:
        return None
    best = max(found, key=lambda m: (SEVERITY[m.kind], m.neighborhood_id is not None))
    return None if best.kind == Kind.DAILY else best


def mode_of(subdistrict_id: int, neighborhood_id: int | None) -> str:
    """'daily', 'emergency' or 'risk' for a place (a concern's neighborhood, or its subdistrict)."""
    found = effective(subdistrict_id, neighborhood_id)
    return found.kind if found else Kind.DAILY


@dataclass
class ActiveMode:
    """A mode other than daily work that applies to (part of) a user's area."""

    kind: str
    label: str
    place: str
    switch: GovernanceMode
    neighborhood_ids: list[int] = field(default_factory=list)  # the user's places it covers


def modes_for_user(user) -> list[ActiveMode]:
    """The non-daily modes over the user's area, most severe first: a neighborhood's staff see their
    neighborhood's mode; the subdistrict's staff see the subdistrict's and every neighborhood's."""
    found: dict[int, ActiveMode] = {}
    for a in permissions.assignments_of(user):
        if not a.subdistrict_id:
            continue
        if a.neighborhood_id:
            candidates = [a.neighborhood_id]
        elif a.role in _SUBDISTRICT_WIDE:
            candidates = [None, *(k for k in current_modes(a.subdistrict_id) if k)]
        else:
            candidates = [None]
        for n in candidates:
            switch = effective(a.subdistrict_id, n)
            if switch is None:
                continue
            entry = found.get(switch.pk)
            if entry is None:
                entry = found[switch.pk] = ActiveMode(
                    switch.kind, switch.get_kind_display(), str(switch.place), switch
                )
            if n and n not in entry.neighborhood_ids:
                entry.neighborhood_ids.append(n)
    return sorted(found.values(), key=lambda m: (-SEVERITY[m.kind], m.switch.started_at))


# Subdistrict roles that oversee every neighborhood (a department handler or partner liaison sits on
# the subdistrict too, but only for what is routed to them: they see the subdistrict's own mode).
_SUBDISTRICT_WIDE = frozenset({"subdistrict_admin"})


# ---- places and pages ----------------------------------------------------------------------------


@dataclass
class Place:
    key: str
    subdistrict: Subdistrict
    neighborhood: Neighborhood | None
    may_switch: bool
    current: GovernanceMode | None = None
    effective: str = Kind.DAILY

    @property
    def name(self) -> str:
        return str(self.neighborhood or self.subdistrict)

    @property
    def kind(self) -> str:
        return self.current.kind if self.current else Kind.DAILY

    @property
    def seq(self) -> int:
        return self.current.seq if self.current else 0

    def path(self) -> dict:
        return {
            "subdistrict": self.subdistrict.pk,
            "neighborhood": self.neighborhood.pk if self.neighborhood else None,
        }


def may_switch(user, subdistrict_id: int, neighborhood_id: int | None) -> bool:
    return permissions.can_create(
        user, GovernanceMode, {"subdistrict": subdistrict_id, "neighborhood": neighborhood_id}
    )


def _place(user, subdistrict: Subdistrict, neighborhood: Neighborhood | None) -> Place:
    n = neighborhood.pk if neighborhood else None
    modes = current_modes(subdistrict.pk)
    return Place(
        place_key(subdistrict.pk, n),
        subdistrict,
        neighborhood,
        may_switch(user, subdistrict.pk, n),
        modes.get(n),
        mode_of(subdistrict.pk, n),
    )


def places_of(user) -> list[Place]:
    """The places whose mode the user reads: their subdistrict(s), then the neighborhoods of their
    area; empty for roles that read no governance mode."""
    if not permissions.may_read_class(user, "governance"):
        return []
    subdistricts = {a.subdistrict_id for a in permissions.assignments_of(user) if a.subdistrict_id}
    places = []
    for sd in Subdistrict.objects.filter(pk__in=subdistricts).order_by("pk"):
        places.append(_place(user, sd, None))
        wide = any(
            a.subdistrict_id == sd.pk and not a.neighborhood_id and a.role in _SUBDISTRICT_WIDE
            for a in permissions.assignments_of(user)
        )
        mine = {a.neighborhood_id for a in permissions.assignments_of(user) if a.neighborhood_id}
        neighborhoods = Neighborhood.objects.filter(subdistrict=sd).order_by("name", "pk")
        if not wide:
            neighborhoods = neighborhoods.filter(pk__in=mine)
        places += [_place(user, sd, n) for n in neighborhoods]
    return places


def place_of(user, key: str) -> Place:
    """One of the user's places by its key; absent (404) outside their area or for a bad key."""
    for place in places_of(user):
        if place.key == key:
            return place
    raise NotInScope("No such place in your area.")


def subdistrict_place(user, place: Place) -> Place:
    """The whole subdistrict a place lies in (its modes apply to every neighborhood)."""
    return _place(user, place.subdistrict, None)


def switches_of(place: Place) -> list[GovernanceMode]:
    """Every switch of the place, newest first."""
    return list(
        GovernanceMode.objects.filter(place_key=place.key)
        .select_related("switched_by", "subdistrict", "neighborhood")
        .order_by("-seq")
    )


@dataclass
class Segment:
    kind: str
    label: str
    start: datetime
    end: datetime | None  # None: still on
    left: float  # percent of the timeline's width
    width: float
    reason: str = ""


def timeline(place: Place, now: datetime | None = None, days: int = TIMELINE_DAYS) -> list[Segment]:
    """The place's modes over the last `days` days as segments of a bar (daily work where no
    switch says otherwise)."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    rows = (
        GovernanceMode.objects.filter(place_key=place.key)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .order_by("seq")
    )
    segments = []
    for row in rows:
        a, b = max(row.started_at, start), min(row.ended_at or now, now)
        if b <= a:
            continue
        # A switch of the last hours still shows: at least 0.5 % wide, kept inside the bar.
        width = max(0.5, round((b - a).total_seconds() / span * 100, 2))
        left = min(round((a - start).total_seconds() / span * 100, 2), 100 - width)
        segments.append(
            Segment(row.kind, row.get_kind_display(), row.started_at, row.ended_at, left, width, row.reason)
        )
    return segments


@dataclass
class Contact:
    text: str
    url: str
    when: str = ""


CONTACT_ROLES = ("neighborhood_secretary", "subdistrict_admin")


def emergency_contacts(user, modes: list[ActiveMode]) -> list[Contact]:
    """Whom to call in the user's emergencies: the secretary of each neighborhood in emergency and
    the subdistrict's admins, with their work phone (staff accounts only, never a resident's)."""
    found: dict[int, Contact] = {}
    for mode in modes:
        if mode.kind != Kind.EMERGENCY:
            continue
        neighborhoods = mode.neighborhood_ids or (
            [mode.switch.neighborhood_id] if mode.switch.neighborhood_id else []
        )
        rows = RoleAssignment.objects.filter(subdistrict_id=mode.switch.subdistrict_id).filter(
            Q(role="subdistrict_admin") | Q(role="neighborhood_secretary", neighborhood_id__in=neighborhoods)
        )
        for a in rows.select_related("user", "neighborhood").order_by("role", "pk"):
            if not a.user.is_active or a.user.kind != "staff" or a.user_id in found or a.user_id == user.pk:
                continue
            phone = a.user.phone or ""
            name = a.user.display_name or a.user.get_full_name() or a.user.username
            role = str(ROLES[a.role].label)
            found[a.user_id] = Contact(
                f"{name} · {role}" + (f" · {a.neighborhood.name}" if a.neighborhood_id else ""),
                f"tel:{phone}" if phone else f"/governance/{mode.switch.place_key}/",
                phone,
            )
    return list(found.values())
