"""Writes of rules and stars: rule versions, star reviews and rewards, honour-roll benefits and their
redemption, the owners' committee's reports and the joint committees' meetings.

Stars, the honour roll and the points ledger belong to `volunteers`, duties and meetings to
`deliberation`; these services call theirs, so their checks (scope, stock, never below zero) hold.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, idempotency, permissions
from gongzhi.core.permissions import READ
from gongzhi.deliberation.models import Duty, Meeting
from gongzhi.deliberation.services.duties import cadence_of_year, complete_duty
from gongzhi.deliberation.services.meetings import create_meeting
from gongzhi.org.models import Household, Neighborhood, Stairwell, Subdistrict
from gongzhi.property.models import (
    Benefit,
    BenefitClaim,
    CommitteeReport,
    JointCommittee,
    JointMeeting,
    OwnersCommittee,
    RuleBook,
    RuleVersion,
    StarReview,
    StarReward,
)
from gongzhi.property.selectors.community import honour_of
from gongzhi.property.services.governance import _money, require_create
from gongzhi.volunteers.models import RedemptionItem, Volunteer
from gongzhi.volunteers.services import (
    add_redemption_item,
    rate_household,
    redeem,
    remove_household_rating,
)

SHORT_FORM_MAX = 64


# --- Rules (村规民约、楼组公约) ---------------------------------------------------------------------


def _book_for(actor, neighborhood: Neighborhood, stairwell: Stairwell | None, title: str) -> RuleBook:
    """The rule book of the neighborhood (village rules) or of the stairwell, made on first use."""
    place = stairwell or neighborhood
    require_create(
        actor, RuleBook, place, {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    )
    kind = RuleBook.Kind.STAIRWELL if stairwell else RuleBook.Kind.VILLAGE
    book, _created = RuleBook.objects.get_or_create(
        neighborhood=neighborhood,
        stairwell=stairwell,
        kind=kind,
        defaults={"title": (title or "").strip()[:96] or str(place)},
    )
    return RuleBook.objects.select_for_update().get(pk=book.pk)


def adopt_rule_version(
    *,
    actor,
    neighborhood: Neighborhood | None = None,
    stairwell: Stairwell | None = None,
    text: str,
    short_form: str,
    adopted_on: date,
    note: str = "",
    title: str = "",
) -> RuleVersion:
    """Adopt a new version of village rules (a neighborhood) or a stairwell covenant; the earlier
    versions stay as history and the newest is the one in force."""
    if stairwell is not None:
        neighborhood = stairwell.building.neighborhood
    if neighborhood is None:
        raise ValidationError({"neighborhood": _("Name the neighborhood or the stairwell.")})
    text, short_form = (text or "").strip(), (short_form or "").strip()
    if not text:
        raise ValidationError({"text": _("Enter the rules' text.")})
    if not short_form or len(short_form) > SHORT_FORM_MAX:
        raise ValidationError(
            {"short_form": _("Give a short form of at most %(n)s characters.") % {"n": SHORT_FORM_MAX}}
        )
    if adopted_on is None:
        raise ValidationError({"adopted_on": _("Enter the date it was adopted.")})
    with transaction.atomic():
        book = _book_for(actor, neighborhood, stairwell, title)
        last = book.versions.aggregate(n=Max("number"))["n"] or 0
        previous = book.versions.filter(number=last).first()
        if previous and previous.text == text and previous.short_form == short_form:
            return previous  # a resubmitted form adopts nothing new
        if previous and adopted_on < previous.adopted_on:
            raise ValidationError({"adopted_on": _("A new version cannot predate the one in force.")})
        version = book.versions.create(
            number=last + 1,
            text=text,
            short_form=short_form,
            adopted_on=adopted_on,
            note=(note or "").strip()[:255],
            adopted_by=actor,
        )
        audit.record("create", version, actor=actor, changes={"number": version.number})
    return version


# --- Star households (一星户、二星户、示范户) ----------------------------------------------------


def current_stars(household: Household) -> int:
    rating = getattr(household, "rating", None)
    return rating.stars if rating is not None else 0


@transaction.atomic
def review_stars(*, actor, household: Household, stars, reason: str, year: int | None = None) -> StarReview:
    """Rate, raise, lower or remove (0) a household's stars, with why; the history is kept here,
    the current stars in volunteers (which also checks the actor's scope)."""
    permissions.require(actor, household, READ)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = -1
    if not 0 <= stars <= 3:
        raise ValidationError({"stars": _("Rate 0 (remove), 1, 2 or 3 stars.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = current_stars(household)
    if stars == before:
        raise ValidationError({"stars": _("The household has these stars already.")})
    if stars == 0:
        remove_household_rating(actor=actor, household=household, reason=reason)
    else:
        rate_household(actor=actor, household=household, stars=stars, reason=reason)
    review = StarReview.objects.create(
        household=household,
        year=year or timezone.localdate().year,
        stars_before=before,
        stars_after=stars,
        reason=reason[:255],
        decided_by=actor,
    )
    audit.record("create", review, actor=actor, changes={"from": before, "to": stars})
    return review


@transaction.atomic
def set_star_reward(*, actor, subdistrict: Subdistrict, year: int, stars, reward: str, amount) -> StarReward:
    """What a star level earns in a year; setting it again replaces it."""
    require_create(actor, StarReward, subdistrict, {"subdistrict": subdistrict.pk})
    if str(stars) not in {"1", "2", "3"}:
        raise ValidationError({"stars": _("Rate 1, 2 or 3 stars.")})
    if not (reward or "").strip():
        raise ValidationError({"reward": _("Say what the reward is.")})
    row, _created = StarReward.objects.update_or_create(
        subdistrict=subdistrict,
        year=year,
        stars=int(stars),
        defaults={"reward": reward.strip()[:96], "amount": _money(amount or "0", "amount")},
    )
    audit.record("update", row, actor=actor, changes={"year": year, "stars": row.stars})
    return row


# --- The honour roll's benefits (诚信红榜) --------------------------------------------------------


def add_benefit(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    kind: str,
    cost_points,
    stock,
    company=None,
    partner_unit=None,
    terms: str = "",
) -> Benefit:
    """List a benefit a partner shop or the property company honours, priced in points."""
    if (company is None) == (partner_unit is None):
        raise ValidationError({"company": _("Name the property company or the partner shop honouring it.")})
    honourer = company or partner_unit
    if honourer.subdistrict_id != subdistrict.pk:
        raise ValidationError({"company": _("Choose a company or shop of this subdistrict.")})
    require_create(actor, Benefit, subdistrict, {"subdistrict": subdistrict.pk})
    with transaction.atomic():
        item = add_redemption_item(
            actor=actor,
            subdistrict=subdistrict,
            name=name,
            kind=kind,
            cost_points=cost_points,
            stock=stock,
        )
        benefit = Benefit.objects.create(
            item=item, company=company, partner_unit=partner_unit, terms=(terms or "").strip()[:255]
        )
        audit.record("create", benefit, actor=actor)
    return benefit


def redeem_benefit(*, actor, volunteer: Volunteer, benefit: Benefit, key: str) -> BenefitClaim:
    """Spend points on a benefit for someone on the honour roll. Once per key: a retry (or a
    concurrent double submit) returns the first claim; the ledger refuses going below zero."""
    if not (key or "").strip():
        raise ValidationError({"key": _("The request has no key; reload the page and try again.")})
    stored_key = idempotency.sender_key(f"user{actor.pk}", key.strip())
    earlier = BenefitClaim.objects.filter(key=stored_key).first()
    if earlier is not None:
        return _same_claim(earlier, volunteer, benefit)
    try:
        with transaction.atomic():
            return _claim(actor, volunteer, benefit, stored_key)
    except IntegrityError:
        # The same key committed meanwhile (the unique index made this one wait, then fail).
        earlier = BenefitClaim.objects.filter(key=stored_key).first()
        if earlier is None:
            raise
        return _same_claim(earlier, volunteer, benefit)


def _same_claim(claim: BenefitClaim, volunteer: Volunteer, benefit: Benefit) -> BenefitClaim:
    if claim.volunteer_id != volunteer.pk or claim.benefit_id != benefit.pk:
        raise ValidationError({"key": _("This request key was used for another redemption.")})
    return claim


def _claim(actor, volunteer: Volunteer, benefit: Benefit, stored_key: str) -> BenefitClaim:
    permissions.require(actor, volunteer)
    honour = honour_of(volunteer)
    if honour is None:
        raise ValidationError(
            {"volunteer": _("Only households and people on this year's honour roll redeem benefits.")}
        )
    # The key row first: a concurrent request with the same key waits here until this one ends.
    claim = BenefitClaim.objects.create(
        benefit=benefit, volunteer=volunteer, honour=honour, key=stored_key, created_by=actor
    )
    item = RedemptionItem.objects.get(pk=benefit.item_id)
    claim.redemption = redeem(actor=actor, volunteer=volunteer, item=item)
    claim.save(update_fields=["redemption"])
    audit.record("create", claim, actor=actor, changes={"points": claim.redemption.points})
    return claim


# --- Owners' committee reports (duties) and joint committees' meetings (meetings) --------------------


REPORT_DUTIES = (Duty.Kind.HALF_YEAR_REVIEW, Duty.Kind.YEAR_END_RATING)


def _report_duties(year: int) -> list[tuple[str, str, date]]:
    """The points of the branch's cadence at which the owners' committee reports."""
    return [duty for duty in cadence_of_year(year) if duty[0] in REPORT_DUTIES]


@transaction.atomic
def schedule_reports(*, actor, committee: OwnersCommittee, year: int) -> list[CommitteeReport]:
    """The committee reports to its functional branch at the half-year review and the year-end
    rating; the branch's own duties of those periods are reused. Running it twice adds nothing."""
    permissions.require(actor, committee, denied=_("You may not change this owners' committee."))
    branch = committee.branch
    if branch is None:
        raise ValidationError({"branch": _("Give the committee its functional party branch first.")})
    reports = []
    for kind, period, due_on in _report_duties(year):
        duty, _created = Duty.objects.get_or_create(
            party_org=branch,
            kind=kind,
            period=period,
            defaults={
                "subdistrict_id": committee.compound.neighborhood.subdistrict_id,
                "neighborhood_id": committee.compound.neighborhood_id,
                "due_on": due_on,
            },
        )
        report, _created = CommitteeReport.objects.get_or_create(committee=committee, duty=duty)
        reports.append(report)
    audit.record("schedule", committee, actor=actor, summary=_("reports %(year)s") % {"year": year})
    return reports


@transaction.atomic
def hear_report(
    *, actor, report: CommitteeReport, summary: str, meeting: Meeting | None = None
) -> CommitteeReport:
    """Record what the committee reported; the branch's duty is done with it."""
    permissions.require(actor, report, denied=_("You may not change this owners' committee."))
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Say what the committee reported.")})
    report = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    complete_duty(actor=actor, duty=report.duty, meeting=meeting)
    report.summary = summary.strip()
    report.save(update_fields=["summary"])
    audit.record("update", report, actor=actor, changes={"heard": True})
    return report


@transaction.atomic
def hold_joint_meeting(
    *, actor, committee: JointCommittee, title: str, held_at: datetime, place: str = ""
) -> JointMeeting:
    """A joint committee meets as a 联席会商 of its neighborhood (or compound): minutes, decisions
    and follow-up tasks are the meeting's own (deliberation)."""
    permissions.require(actor, committee)
    meeting = create_meeting(
        actor=actor,
        kind=Meeting.Kind.JOINT_CONSULTATION,
        title=title or committee.name,
        held_at=held_at,
        neighborhood=committee.neighborhood,
        compound=committee.compound,
        place=place,
    )
    link = JointMeeting.objects.create(committee=committee, meeting=meeting)
    audit.record("create", link, actor=actor)
    return link
