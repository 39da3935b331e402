"""volunteers' share of a person's data (core.personal_data): their volunteer records with hours
and points, their micro-wishes, and on deletion the phone they gave as a volunteer."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.personal_data import Holding, Part, Section, hold, local, register
from gongzhi.volunteers.models import MicroWish, Volunteer


def volunteers_of(user, resident) -> QuerySet[Volunteer]:
    match = Q(user=user) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    return Volunteer.objects.filter(match)


def volunteering_section(user, resident) -> Section:
    rows = []
    for v in volunteers_of(user, resident).select_related("team", "balance"):
        balance = getattr(v, "balance", None)
        hours, points = (balance.hours, balance.points) if balance else (0, 0)
        rows.append([v.name, str(v.team or ""), v.skills, str(hours), str(points)])
    columns = [_("Name"), _("Team"), _("Skills"), _("Hours"), _("Points")]
    return Section("volunteering", _("Volunteering"), columns, rows)


def wishes_section(user, resident) -> Section:
    match = Q(posted_by=user) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    rows = [
        [local(w.created_at), w.wisher_name, w.title, w.description, w.get_status_display()]
        for w in MicroWish.objects.filter(match).order_by("-created_at")[:200]
    ]
    columns = [_("Posted"), _("Name"), _("Wish"), _("Details"), _("Status")]
    return Section("wishes", _("Micro-wishes"), columns, rows)


def erase_phones(user, resident) -> dict[str, int]:
    """The volunteer records stay (hours and points are a ledger); the phone goes, and the name
    typed on the person's micro-wishes."""
    wishes = MicroWish.objects.filter(resident=resident) if resident is not None else MicroWish.objects.none()
    return {
        "volunteer_phones": volunteers_of(user, resident).exclude(phone="").update(phone=""),
        "wish_names": wishes.exclude(wisher_name="").update(wisher_name=""),
    }


def volunteer_accounts(user, resident) -> set[int]:
    """A volunteer record of the person may carry its own sign-in account."""
    return set(volunteers_of(user, resident).exclude(user=None).values_list("user_id", flat=True))


register(Part("volunteering", 60, volunteering_section, erase_phones, linked_accounts=volunteer_accounts))
register(Part("wishes", 70, wishes_section))

hold(
    Holding(
        "volunteers.Volunteer",
        ("name", "phone", "resident", "user"),
        lambda user, resident: volunteers_of(user, resident).exclude(phone=""),
        kept="the volunteer record stays (hours and points are a ledger) without its phone; its "
        "account is disabled with the person's others",
    ),
    Holding(
        "volunteers.MicroWish",
        ("resident", "wisher_name"),
        lambda user, resident: (
            MicroWish.objects.filter(resident=resident).exclude(wisher_name="")
            if resident is not None
            else MicroWish.objects.none()
        ),
    ),
    Holding(
        "volunteers.HonourRollEntry",
        ("shown_name",),
        kept="a published honour roll of a past period (公示) under the name shown then",
    ),
)
