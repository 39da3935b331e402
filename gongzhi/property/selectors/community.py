"""Reads of rules and stars: rule books and their versions, star households with their history and
the year's rewards, honour-roll benefits and claims, committee reports and joint meetings."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.core.permissions import scoped
from gongzhi.org.models import Compound, Household, Neighborhood, Stairwell, Subdistrict
from gongzhi.property.models import (
    Benefit,
    BenefitClaim,
    CommitteeReport,
    JointMeeting,
    OwnersCommittee,
    RuleBook,
    RuleVersion,
    StarReview,
    StarReward,
)
from gongzhi.volunteers.models import HonourRollEntry, HouseholdRating, Volunteer

HONOUR_VALID_DAYS = 366  # an honour roll is published yearly or more often: a listing entitles a year


def village_rules(user, neighborhood: Neighborhood) -> list[RuleVersion]:
    """The neighborhood's 村规民约, newest version (the one in force) first."""
    qs = RuleVersion.objects.filter(book__neighborhood=neighborhood, book__kind=RuleBook.Kind.VILLAGE)
    return list(scoped(user, qs).select_related("adopted_by"))


def covenant_versions(user, stairwell: Stairwell) -> list[RuleVersion]:
    """The stairwell's 楼组公约, newest (in force) first."""
    qs = RuleVersion.objects.filter(book__stairwell=stairwell)
    return list(scoped(user, qs).select_related("adopted_by"))


def rules_in_force(user, compound: Compound) -> dict:
    """For a compound's page: the village rules in force and each stairwell's covenant in force."""
    village = village_rules(user, compound.neighborhood)
    covenants = {}
    qs = scoped(user, RuleVersion.objects.filter(book__stairwell__building__compound=compound))
    for version in qs.select_related("book__stairwell__building"):
        covenants.setdefault(version.book.stairwell_id, version)  # newest first by Meta.ordering
    return {"village": village[0] if village else None, "covenants": list(covenants.values())}


@dataclass
class StarRow:
    household: Household
    stars: int
    reviews: list
    reward: StarReward | None


def stars_at_year_end(household: Household, year: int, reviews: list[StarReview]) -> int:
    """The stars a household held at the end of `year`: the last review of that year or before;
    its current rating when no review reaches back (rated before reviews were kept)."""
    earlier = [r for r in reviews if r.year <= year]
    if earlier:
        return max(earlier, key=lambda r: (r.decided_at, r.pk)).stars_after
    if reviews:
        return reviews[0].stars_before  # every review is of a later year: the stars before the oldest
    rating = getattr(household, "rating", None)
    return rating.stars if rating else 0


def star_households(user, neighborhood: Neighborhood, year: int) -> list[StarRow]:
    """Households of a neighborhood with stars now or reviewed: stars held at the year's end, their
    reviews and the reward that level earns that year (none when removed)."""
    rated = scoped(user, HouseholdRating.objects.filter(household__neighborhood=neighborhood))
    reviewed = scoped(user, StarReview.objects.filter(household__neighborhood=neighborhood))
    ids = set(rated.values_list("household_id", flat=True)) | set(
        reviewed.values_list("household_id", flat=True)
    )
    rewards = {
        r.stars: r for r in StarReward.objects.filter(subdistrict_id=neighborhood.subdistrict_id, year=year)
    }
    by_household: dict[int, list] = {}
    for review in reviewed.select_related("decided_by").order_by("decided_at", "pk"):
        by_household.setdefault(review.household_id, []).append(review)
    rows = []
    households = Household.objects.filter(pk__in=ids).select_related("building", "rating")
    for household in households.order_by("building__number", "room"):
        reviews = by_household.get(household.pk, [])
        stars = stars_at_year_end(household, year, reviews)
        rows.append(StarRow(household, stars, reviews, rewards.get(stars)))
    return rows


def rewards_total(rows: list[StarRow]) -> Decimal:
    return sum((r.reward.amount for r in rows if r.reward), Decimal("0"))


def star_rewards(subdistrict: Subdistrict, year: int) -> QuerySet[StarReward]:
    return StarReward.objects.filter(subdistrict=subdistrict, year=year)


def benefits_of(user, subdistrict: Subdistrict) -> QuerySet[Benefit]:
    qs = Benefit.objects.filter(item__subdistrict=subdistrict).select_related(
        "item", "company", "partner_unit"
    )
    return scoped(user, qs).order_by("item__cost_points", "pk")


def benefit_for(user, subdistrict: Subdistrict, pk: int) -> Benefit:
    return get_object_or_404(benefits_of(user, subdistrict), pk=pk)


def honour_of(volunteer: Volunteer) -> HonourRollEntry | None:
    """The honour-roll listing that entitles a person: their own or their household's, in their
    neighborhood, listed within the last year."""
    since = timezone.now() - timedelta(days=HONOUR_VALID_DAYS)
    mine = Q(volunteer=volunteer)
    resident = volunteer.resident
    if resident is not None and resident.household_id is not None:
        mine |= Q(household_id=resident.household_id)
    listed = HonourRollEntry.objects.filter(
        mine, neighborhood_id=volunteer.neighborhood_id, created_at__gte=since
    )
    return listed.order_by("-created_at").first()


def honoured_people(user, neighborhood: Neighborhood) -> list[tuple[Volunteer, HonourRollEntry]]:
    """People of the neighborhood whose listing (own or household's) entitles them to benefits."""
    since = timezone.now() - timedelta(days=HONOUR_VALID_DAYS)
    listed = HonourRollEntry.objects.filter(neighborhood=neighborhood, created_at__gte=since)
    households = listed.exclude(household=None).values_list("household_id", flat=True)
    volunteers = listed.exclude(volunteer=None).values_list("volunteer_id", flat=True)
    people = scoped(user, Volunteer.objects.filter(neighborhood=neighborhood)).filter(
        Q(pk__in=volunteers) | Q(resident__household_id__in=households)
    )
    rows = []
    for person in people.select_related("resident", "balance").order_by("name"):
        honour = honour_of(person)
        if honour is not None:
            rows.append((person, honour))
    return rows


def volunteer_for(user, neighborhood: Neighborhood, pk: int) -> Volunteer:
    return get_object_or_404(scoped(user, Volunteer.objects.filter(neighborhood=neighborhood)), pk=pk)


def claims_of(user, neighborhood: Neighborhood) -> QuerySet[BenefitClaim]:
    qs = BenefitClaim.objects.filter(volunteer__neighborhood=neighborhood)
    return scoped(user, qs).select_related("benefit__item", "volunteer", "created_by")


def reports_of(user, committee: OwnersCommittee) -> QuerySet[CommitteeReport]:
    return scoped(user, CommitteeReport.objects.filter(committee=committee)).select_related("duty")


def report_for(user, committee: OwnersCommittee, pk: int) -> CommitteeReport:
    return get_object_or_404(reports_of(user, committee), pk=pk)


def joint_meetings_of(user, compound: Compound) -> QuerySet[JointMeeting]:
    qs = JointMeeting.objects.filter(
        Q(committee__compound=compound)
        | Q(committee__compound=None, committee__neighborhood=compound.neighborhood)
    )
    return scoped(user, qs).select_related("meeting", "committee")
