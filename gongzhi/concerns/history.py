"""What every write to a concern shares, below services.py and coordination.py: lock the row,
check the version the caller saw, check in what capacity the actor may act, and write the history
line (whose notices go out once the step commits)."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import lifecycle, notices
from gongzhi.concerns.models import Concern, ConcernEvent, HandlerKind
from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import ROLES

AREA_UNIT_KINDS = frozenset({"subdistrict", "block", "neighborhood", "micro_grid", "building"})


class Conflict(Exception):
    """Someone else changed the concern since the caller looked at it; nothing was written."""


def parties_of(actor, concern: Concern) -> set[str]:
    """In what capacity the actor may act on the concern: area staff, handler, or both."""
    parties = set()
    for a in permissions.assignments_of(actor):
        role = ROLES[a.role]
        if "concern" not in role.write or not _in_unit(concern, role.unit_kind, a.unit_id):
            continue
        parties.add(lifecycle.AREA if role.unit_kind in AREA_UNIT_KINDS else lifecycle.HANDLER)
    if lifecycle.AREA in parties and concern.handler_kind == HandlerKind.RESIDENTS_COMMITTEE:
        parties.add(lifecycle.HANDLER)  # the committee handles its own
    return parties


def _in_unit(concern: Concern, kind: str, unit_id: int | None) -> bool:
    if kind == "block":  # a block is reached through the concern's neighborhood (one query)
        lookup = permissions.block_lookup(Concern.scope_paths)
        return Concern.objects.filter(pk=concern.pk, **{lookup: unit_id}).exists()
    path = Concern.scope_paths.get(kind)
    return path is not None and getattr(concern, path) == unit_id


def locked(concern_id: int) -> Concern:
    return Concern.objects.select_for_update().get(pk=concern_id)


def check_version(concern: Concern, expected_version: int | None) -> None:
    if expected_version is not None and concern.version != expected_version:
        last = concern.events.order_by("-at", "-id").first()
        who = f"{last.actor_name} ({timezone.localtime(last.at):%H:%M:%S})" if last else ""
        raise Conflict(
            _(
                "Someone else changed this concern meanwhile (%(who)s); it is now %(state)s. Reload and try again."
            )
            % {"who": who, "state": concern.get_state_display()}
        )


def require_party(actor, concern: Concern) -> set[str]:
    """The capacities the actor may change the concern in; refuses when none (404 outside the area)."""
    if not permissions.can(actor, concern):
        raise NotInScope(_("No such concern in your area."))
    parties = parties_of(actor, concern)
    if not parties:
        raise PermissionDenied(_("You may not change this concern."))
    return parties


def record_event(concern: Concern, action: str, source: str, target: str, actor, note: str) -> ConcernEvent:
    """One line of the concern's history; its notices go out once the step commits."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = ConcernEvent.objects.create(
        concern=concern,
        action=action,
        from_state=source,
        to_state=target,
        actor=actor if authenticated else None,
        actor_label=str(actor) if authenticated else (actor if isinstance(actor, str) else "system"),
        note=note,
    )
    notices.on_event(concern, event)  # notifications, sent once the step commits
    return event
