"""Writing the audit trail. Services call `record` inside their transaction."""

from django.db.models import Model

from gongzhi.core.middleware import client_ip, current_request
from gongzhi.core.models import AuditRecord

# Fields whose values never go into the trail in clear.
PERSONAL_FIELDS = {"id_number", "phone", "id_number_digest", "phone_digest", "password"}


def _area_of(obj: Model | None) -> tuple[int | None, int | None]:
    """(subdistrict_id, neighborhood_id) of a record, so the trail is browsable by area."""
    if obj is None:
        return None, None
    paths = getattr(obj, "scope_paths", {})
    values = {}
    for kind in ("subdistrict", "neighborhood"):
        path = paths.get(kind)
        if path and "__" not in path.removesuffix("_id"):
            values[kind] = obj.pk if path == "id" else getattr(obj, path, None)
        elif path:
            values[kind] = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True).first()
    return values.get("subdistrict"), values.get("neighborhood")


def safe_changes(changes: dict) -> dict:
    return {k: ("***" if k in PERSONAL_FIELDS else v) for k, v in changes.items()}


def record(
    action: str,
    obj: Model | None = None,
    *,
    actor=None,
    summary: str = "",
    reason: str = "",
    changes: dict | None = None,
    area: tuple[int | None, int | None] | None = None,
) -> AuditRecord:
    request = current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    subdistrict_id, neighborhood_id = area if area is not None else _area_of(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditRecord.objects.create(
        actor_id=actor.pk if authenticated else None,
        actor_label=str(actor) if authenticated else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary or (str(obj)[:255] if obj is not None else ""),
        reason=reason,
        ip=client_ip(request),
        subdistrict_id=subdistrict_id,
        neighborhood_id=neighborhood_id,
        changes=safe_changes(changes or {}),
    )
