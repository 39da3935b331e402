"""What a phone keeps for working offline: the worker's own grid's households (masked as on the
visit form), the buildings, categories, and the duties they mark today. Nothing more: the list is
the worker's area only, and a wider area (a neighborhood, a town) gets no household list at all."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.concerns import selectors as concern_selectors
from gongzhi.core import pii
from gongzhi.core.permissions import may_read_class
from gongzhi.visits import selectors as visit_selectors
from gongzhi.volunteers import selectors as volunteer_selectors

# The most households a phone keeps (a micro-grid holds 300-500; a neighborhood is thousands,
# more than anyone visits from one phone in a week). Above it the list stays online.
MAX_HOUSEHOLDS = 1000
# Cached personal data is thrown away after this long without a refresh (the page and the SW).
EXPIRES_AFTER = timedelta(days=7)


def records_visits(user) -> bool:
    return may_read_class(user, "concern") and may_read_class(user, "household")


def snapshot(user) -> dict:
    """The data the field page keeps on the phone, as JSON-ready values."""
    now = timezone.now()
    data = {
        "user": user.pk,
        "fetched_at": now.isoformat(),
        "expires_at": (now + EXPIRES_AFTER).isoformat(),
        "households": [],
        "buildings": [],
        "too_many_households": False,
        "categories": [],
        "duties": [],
    }
    if records_visits(user):
        households = visit_selectors.coverage_households(user).order_by(
            "building__compound__name", "building__number", "room", "pk"
        )
        count = households.count()
        if count > MAX_HOUSEHOLDS:
            data["too_many_households"] = count
        else:
            rows = visit_selectors.with_masked_names(households.select_related("building__compound"))
            buildings = {}
            for h in rows:
                b = h.building
                buildings[b.pk] = {
                    "id": b.pk,
                    "label": f"{b.compound.name} {b.number}",
                    "grid": b.micro_grid_id,
                }
                data["households"].append(
                    {
                        "id": h.pk,
                        "building": b.pk,
                        "room": h.room,
                        "name": h.masked_name,
                        "grid": h.micro_grid_id,
                    }
                )
            data["buildings"] = sorted(buildings.values(), key=lambda b: b["label"])
        subdistrict = concern_selectors.home_subdistrict_id(user)
        data["categories"] = [
            {"code": c.code, "name": c.name} for c in concern_selectors.categories_for(subdistrict)
        ]
    today = timezone.localdate()
    duties = (
        volunteer_selectors.duties_markable_by(user)
        .filter(
            shift__starts_at__date__gte=today - timedelta(days=1),
            shift__starts_at__date__lte=today + timedelta(days=1),
        )
        .select_related("shift__pattern", "volunteer")
        .order_by("shift__starts_at", "role", "pk")[:300]
    )
    data["duties"] = [
        {
            "id": d.pk,
            "label": f"{timezone.localtime(d.shift.starts_at):%m-%d %H:%M} {d.shift.pattern.name} · "
            f"{d.get_role_display()} · {pii.mask_name(d.volunteer.name)}",
            "attendance": d.attendance,
        }
        for d in duties
    ]
    return data
