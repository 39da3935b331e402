"""concerns' share of a person's data (core.personal_data): the concerns they raised (and, on
deletion, the reporter contact on them), where a person with no register entry is handled, and the
working-day calendar that times a data-subject request."""

from datetime import datetime

from django.utils.translation import gettext as _

from gongzhi.concerns.deadlines import end_of_working_day
from gongzhi.concerns.models import Concern
from gongzhi.core.personal_data import Holding, Part, Section, hold, local, register, register_calendar

# Reporter phones are encrypted without an index: the candidates of the resident's neighborhood are
# decrypted and compared, up to this many (the newest).
PHONE_MATCH_LIMIT = 5000


def concern_ids_of(user, resident) -> set[int]:
    """Concerns the person raised: with their account, or by phone on their neighborhood's intake."""
    ids = set(Concern.objects.filter(created_by=user).values_list("pk", flat=True)[:500])
    if user.phone and resident is not None and resident.household_id:
        candidates = (
            Concern.objects.filter(neighborhood_id=resident.household.neighborhood_id)
            .exclude(reporter_phone="")
            .order_by("-pk")
            .only("pk", "reporter_phone")[:PHONE_MATCH_LIMIT]
        )
        ids |= {c.pk for c in candidates if c.reporter_phone == user.phone}
    return ids


def concerns_section(user, resident) -> Section:
    concerns = Concern.objects.filter(pk__in=concern_ids_of(user, resident)).order_by("-accepted_at")
    rows = [[local(c.accepted_at), c.title, c.get_state_display()] for c in concerns]
    return Section("concerns", _("Concerns you raised"), [_("Time"), _("Title"), _("State")], rows)


def erase_reporters(user, resident) -> dict[str, int]:
    """The concerns stay (they feed the statistics); the reporter's name and phone go."""
    erased = (
        Concern.objects.filter(pk__in=concern_ids_of(user, resident))
        .exclude(reporter_phone="", reporter_name="")
        .update(reporter_phone="", reporter_name="")
    )
    return {"concern_reporters": erased}


def newest_concern_area(user):
    """The neighborhood of the person's newest concern, for a person with no register entry."""
    concern = (
        Concern.objects.filter(created_by=user, neighborhood__isnull=False)
        .select_related("neighborhood")
        .order_by("-accepted_at")
        .first()
    )
    return concern.neighborhood if concern else None


def _end_of_working_day(start: datetime, days: int) -> datetime:
    return end_of_working_day(start, days)


register(Part("concerns", 50, concerns_section, erase_reporters, newest_concern_area))
register_calendar(_end_of_working_day)

hold(
    Holding(
        "concerns.Concern",
        ("reporter_name", "reporter_phone"),
        lambda user, resident: Concern.objects.filter(pk__in=concern_ids_of(user, resident)).exclude(
            reporter_phone="", reporter_name=""
        ),
    )
)
