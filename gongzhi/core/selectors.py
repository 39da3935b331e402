import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import actors
from gongzhi.core.models import AuditRecord
from gongzhi.core.pages import parse_int
from gongzhi.core.permissions import assignments_of, scoped
from gongzhi.core.roles import ROLES


@dataclass
class AuditFilter:
    """The audit page's filters, parsed from the query string; dates are Asia/Shanghai days."""

    action: str = ""
    actor: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    object_type: str = ""
    object_id: str = ""
    neighborhood: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query) -> "AuditFilter":
        found = cls(
            action=query.get("action", "").strip(),
            actor=query.get("actor", "").strip()[:150],
            object_type=query.get("object_type", "").strip().lower()[:64],
            object_id=query.get("object_id", "").strip()[:64],
        )
        found.since = found._day(query, "since", _("from"))
        found.until = found._day(query, "until", _("to"))
        if found.since and found.until and found.until < found.since:
            found.errors["until"] = _("The end date comes before the start date.")
        if found.action and found.action not in _known_actions():
            found.errors["action"] = _("Unknown action.")
        if found.object_id and not found.object_type:
            found.errors["object_type"] = _("Choose the kind of object for the id.")
        raw_area = query.get("neighborhood", "").strip()
        if raw_area:
            found.neighborhood = parse_int(raw_area, low=1)
            if found.neighborhood is None:
                found.errors["neighborhood"] = _("Unknown neighborhood.")
        return found

    def _day(self, query, name: str, label: str) -> datetime.date | None:
        raw = query.get(name, "").strip()
        if not raw:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("%(field)s: not a date (YYYY-MM-DD): %(value)s") % {
                "field": label,
                "value": raw[:20],
            }
            return None


def _known_actions() -> set[str]:
    from gongzhi.core.models import OTHER_ACTIONS

    return set(AuditRecord.Action.values) | set(OTHER_ACTIONS)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_records_visible_to(
    user, *, action: str = "", actor: str = "", filters: AuditFilter | None = None
) -> QuerySet[AuditRecord]:
    filters = filters or AuditFilter(action=action, actor=actor)
    qs = scoped(user, AuditRecord.objects.all())
    if filters.errors:
        return qs.none()
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        # 系统 finds the records stored as "system", as the page shows them.
        stored = [label for label, name in actors.NO_PERSON.items() if filters.actor in str(name)]
        qs = qs.filter(Q(actor_label__contains=filters.actor) | Q(actor_label__in=stored))
    if filters.since:
        qs = qs.filter(at__gte=_start_of(filters.since))
    if filters.until:
        qs = qs.filter(at__lt=_start_of(filters.until + datetime.timedelta(days=1)))
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.neighborhood:
        qs = qs.filter(neighborhood_id=filters.neighborhood)
    return qs


def audit_areas_of(user) -> list[tuple[int, str]]:
    """The neighborhoods the user's audit scope covers, for the area filter (org lies above core,
    so it is reached through the app registry)."""
    neighborhood = apps.get_model("org", "Neighborhood")
    reach = Q(pk__in=[])
    for a in assignments_of(user):
        role = ROLES[a.role]
        if "audit" in role.read and role.unit_kind == "subdistrict":
            reach |= Q(subdistrict_id=a.unit_id)
        elif "audit" in role.read and role.unit_kind == "neighborhood":
            reach |= Q(pk=a.unit_id)
    return list(neighborhood.objects.filter(reach).order_by("code", "id").values_list("pk", "name")[:500])


def audit_object_types() -> list[tuple[str, str]]:
    """Kinds of object the trail names (model label, its name in the reader's language)."""
    kinds = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if getattr(model, "data_class", None) or label.startswith(("core.", "accounts.")):
            # Derived names are plain text: translated through core/model_names.py's entries.
            kinds.append((label, _(str(model._meta.verbose_name))))
    return sorted(kinds, key=lambda kind: kind[1])
