"""visits' share of a person's data (core.personal_data): the visits to their household."""

from django.utils.translation import gettext as _

from gongzhi.core.personal_data import Part, Section, local, register
from gongzhi.visits.models import Visit


def visits_section(user, resident) -> Section | None:
    if resident is None:
        return None
    visits = Visit.objects.filter(household_id=resident.household_id).order_by("-visited_at")[:200]
    rows = [[local(v.visited_at), v.get_channel_display(), v.raised] for v in visits]
    return Section("visits", _("Visits to your household"), [_("Time"), _("Channel"), _("Raised")], rows)


register(Part("visits", 40, visits_section))
