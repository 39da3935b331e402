"""Rules with versions, star reviews and the year's rewards, honour-roll benefits, committee reports
and joint meetings: what each service writes, what it refuses, and that a refusal writes nothing."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.deliberation.models import Duty, Meeting
from gongzhi.deliberation.services.duties import schedule_cadence
from gongzhi.org import factories as f
from gongzhi.property import selectors, services
from gongzhi.property.models import (
    AllowancePayment,
    BenefitClaim,
    CommitteeMember,
    CommitteeReport,
    RuleVersion,
    StarReview,
)
from gongzhi.property.testing import ADMIN, add_property, benefit, compound_a, honoured_volunteer
from gongzhi.volunteers.models import Balance, HouseholdRating, LedgerEntry, Redemption

pytestmark = pytest.mark.django_db


# --- Rules --------------------------------------------------------------------------------------


def test_a_new_version_of_village_rules_keeps_the_old_one_as_history(world):
    admin = world.users[ADMIN]
    nb = world.neighborhood_a
    one = services.adopt_rule_version(
        actor=admin, neighborhood=nb, text="爱护环境", short_form="环境靠大家", adopted_on=date(2025, 3, 1)
    )
    two = services.adopt_rule_version(
        actor=admin,
        neighborhood=nb,
        text="爱护环境，文明养犬",
        short_form="环境靠大家，养犬要文明",
        adopted_on=date(2026, 3, 1),
        note="加入文明养犬",
    )
    versions = selectors.village_rules(world.users["stairwell_chief"], nb)
    assert [v.number for v in versions] == [2, 1]
    assert (one.number, two.number) == (1, 2) and versions[0].short_form == "环境靠大家，养犬要文明"


def test_resubmitting_the_version_in_force_adopts_nothing(world):
    admin, stairwell = world.users[ADMIN], world.household_a.stairwell
    kwargs = {"text": "楼道整洁", "short_form": "楼道是我家", "adopted_on": date(2026, 1, 1)}
    first = services.adopt_rule_version(actor=admin, stairwell=stairwell, **kwargs)
    again = services.adopt_rule_version(actor=admin, stairwell=stairwell, **kwargs)
    assert first.pk == again.pk and RuleVersion.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"short_form": "长" * 65}, "short_form"),
        ({"text": "  "}, "text"),
        ({"adopted_on": date(2025, 12, 31)}, "adopted_on"),
    ],
)
def test_a_bad_version_names_its_field_and_changes_nothing(world, change, field):
    admin, stairwell = world.users[ADMIN], world.household_a.stairwell
    services.adopt_rule_version(
        actor=admin,
        stairwell=stairwell,
        text="楼道整洁",
        short_form="楼道是我家",
        adopted_on=date(2026, 1, 1),
    )
    kwargs = {"text": "新公约", "short_form": "新", "adopted_on": date(2026, 6, 1)} | change
    with pytest.raises(ValidationError) as caught:
        services.adopt_rule_version(actor=admin, stairwell=stairwell, **kwargs)
    assert field in caught.value.message_dict
    assert RuleVersion.objects.count() == 1


def test_rules_are_kept_by_staff_only(world):
    kwargs = {"text": "t", "short_form": "s", "adopted_on": date(2026, 1, 1)}
    with pytest.raises(PermissionDenied):
        services.adopt_rule_version(
            actor=world.users["stairwell_chief"], stairwell=world.household_a.stairwell, **kwargs
        )
    far = world.household_far.neighborhood
    with pytest.raises(NotInScope):
        services.adopt_rule_version(actor=world.users[ADMIN], neighborhood=far, **kwargs)
    assert not RuleVersion.objects.exists()


# --- Stars --------------------------------------------------------------------------------------


def test_stars_are_rated_lowered_and_removed_with_reasons_and_history(world):
    admin, home = world.users[ADMIN], world.household_a
    services.review_stars(actor=admin, household=home, stars=3, reason="邻里互助", year=2025)
    services.review_stars(actor=admin, household=home, stars=1, reason="违章搭建", year=2026)
    assert HouseholdRating.objects.get(household=home).stars == 1
    services.review_stars(actor=admin, household=home, stars=0, reason="拒不整改", year=2026)
    assert not HouseholdRating.objects.filter(household=home).exists()
    history = [(r.stars_before, r.stars_after, r.reason) for r in StarReview.objects.order_by("pk")]
    assert history == [(0, 3, "邻里互助"), (3, 1, "违章搭建"), (1, 0, "拒不整改")]


@pytest.mark.parametrize("stars, reason", [(4, "x"), ("二", "x"), (2, " ")])
def test_a_bad_star_review_changes_nothing(world, stars, reason):
    with pytest.raises(ValidationError):
        services.review_stars(
            actor=world.users[ADMIN], household=world.household_a, stars=stars, reason=reason
        )
    assert not StarReview.objects.exists() and not HouseholdRating.objects.exists()


def test_reviewing_to_the_same_stars_is_refused(world):
    admin = world.users[ADMIN]
    services.review_stars(actor=admin, household=world.household_a, stars=2, reason="好")
    with pytest.raises(ValidationError):
        services.review_stars(actor=admin, household=world.household_a, stars=2, reason="好")
    assert StarReview.objects.count() == 1


def test_a_household_outside_the_area_is_absent_and_a_chief_may_not_rate(world):
    with pytest.raises(NotInScope):
        services.review_stars(actor=world.users[ADMIN], household=world.household_far, stars=1, reason="x")
    with pytest.raises(PermissionDenied):
        services.review_stars(
            actor=world.users["stairwell_chief"], household=world.household_a, stars=1, reason="x"
        )
    assert not StarReview.objects.exists()


def test_the_years_rewards_follow_the_stars_held_at_its_end(world):
    admin, nb = world.users[ADMIN], world.neighborhood_a
    for stars, reward, amount in [
        (1, "物业费减免 50 元", "50"),
        (2, "物业费减免 100 元", "100"),
        (3, "物业费减免 200 元", "200"),
    ]:
        services.set_star_reward(
            actor=admin, subdistrict=world.subdistrict, year=2026, stars=stars, reward=reward, amount=amount
        )
    services.review_stars(actor=admin, household=world.household_a, stars=3, reason="示范", year=2025)
    services.review_stars(actor=admin, household=world.household_a, stars=2, reason="降星", year=2026)
    services.review_stars(actor=admin, household=world.household_a2, stars=1, reason="一星", year=2026)
    services.review_stars(actor=admin, household=world.household_a2, stars=0, reason="摘星", year=2026)
    rows = {r.household.pk: r for r in selectors.star_households(admin, nb, 2026)}
    assert rows[world.household_a.pk].stars == 2 and rows[world.household_a.pk].reward.amount == Decimal(
        "100"
    )
    assert rows[world.household_a2.pk].stars == 0 and rows[world.household_a2.pk].reward is None
    assert selectors.rewards_total(list(rows.values())) == Decimal("100")
    # 2025 ended with the three stars (the lowering came in 2026); no 2025 rewards were set.
    earlier = {r.household.pk: r for r in selectors.star_households(admin, nb, 2025)}
    assert earlier[world.household_a.pk].stars == 3 and earlier[world.household_a2.pk].stars == 0


# --- The honour roll's benefits -----------------------------------------------------------------


def test_a_benefit_is_redeemed_once_per_key(world):
    person, offer = honoured_volunteer(world), benefit(world, cost=10)
    admin = world.users[ADMIN]
    first = services.redeem_benefit(actor=admin, volunteer=person, benefit=offer, key="k1")
    again = services.redeem_benefit(actor=admin, volunteer=person, benefit=offer, key="k1")
    assert first.pk == again.pk
    assert Redemption.objects.count() == 1 and Balance.objects.get(volunteer=person).points == 20
    assert LedgerEntry.objects.filter(volunteer=person, kind="redeemed").get().points == -10


def test_a_key_reused_for_another_benefit_is_refused(world):
    person, offer = honoured_volunteer(world), benefit(world, cost=10)
    other = benefit(world, cost=5, name="洗车服务")
    admin = world.users[ADMIN]
    services.redeem_benefit(actor=admin, volunteer=person, benefit=offer, key="k1")
    with pytest.raises(ValidationError):
        services.redeem_benefit(actor=admin, volunteer=person, benefit=other, key="k1")
    assert Redemption.objects.count() == 1


def test_a_redemption_never_overdraws_and_leaves_no_claim(world):
    person, offer = honoured_volunteer(world, hours=1), benefit(world, cost=25)  # 10 points
    with pytest.raises(ValidationError):
        services.redeem_benefit(actor=world.users[ADMIN], volunteer=person, benefit=offer, key="k1")
    assert not BenefitClaim.objects.exists() and not Redemption.objects.exists()
    assert Balance.objects.get(volunteer=person).points == 10


def test_only_people_on_the_honour_roll_redeem(world):
    from gongzhi.volunteers import testing as vt

    offer = benefit(world)
    stranger = vt.volunteer(world, "钱七")
    with pytest.raises(ValidationError) as caught:
        services.redeem_benefit(actor=world.users[ADMIN], volunteer=stranger, benefit=offer, key="k")
    assert "volunteer" in caught.value.message_dict and not BenefitClaim.objects.exists()


def test_a_household_listing_entitles_its_resident(world):
    from gongzhi.volunteers import services as volunteers
    from gongzhi.volunteers import testing as vt

    admin = world.users[ADMIN]
    person = vt.volunteer(world, "孙八")
    person.resident = world.resident_a
    person.save(update_fields=["resident"])
    volunteers.add_to_honour_roll(
        actor=admin,
        neighborhood=world.neighborhood_a,
        period="2026",
        reason="诚信",
        household=world.household_a,
    )
    assert selectors.honour_of(person).household_id == world.household_a.pk


def test_a_benefit_names_one_honourer_of_the_subdistrict(world):
    admin = world.users[ADMIN]
    with pytest.raises(ValidationError):
        services.add_benefit(
            actor=admin, subdistrict=world.subdistrict, name="x", kind="shop_service", cost_points=1, stock=1
        )
    shop = f.PartnerUnitFactory(subdistrict=world.household_far.neighborhood.subdistrict)
    with pytest.raises(ValidationError):
        services.add_benefit(
            actor=admin,
            subdistrict=world.subdistrict,
            name="x",
            kind="shop_service",
            cost_points=1,
            stock=1,
            partner_unit=shop,
        )


# --- Reports, joint meetings, allowances ----------------------------------------------------------


def _committee_with_branch(world):
    add_property(world)
    committee = CommitteeMember.objects.first().committee
    committee.branch = f.PartyOrgFactory(neighborhood=world.neighborhood_a, subdistrict=world.subdistrict)
    committee.save(update_fields=["branch"])
    return committee


def test_reports_reuse_the_branchs_duties_and_are_heard_once(world):
    admin = world.users[ADMIN]
    committee = _committee_with_branch(world)
    schedule_cadence(actor=admin, party_org=committee.branch, year=2026)
    duties = Duty.objects.count()
    reports = services.schedule_reports(actor=admin, committee=committee, year=2026)
    services.schedule_reports(actor=admin, committee=committee, year=2026)
    assert Duty.objects.count() == duties and CommitteeReport.objects.count() == 2
    assert [r.duty.period for r in reports] == ["2026-H1", "2026"]
    heard = services.hear_report(actor=admin, report=reports[0], summary="维修基金使用情况")
    assert heard.summary == "维修基金使用情况" and Duty.objects.get(pk=reports[0].duty_id).done_at is not None


def test_reports_need_the_functional_branch(world):
    add_property(world)
    committee = CommitteeMember.objects.first().committee
    with pytest.raises(ValidationError):
        services.schedule_reports(actor=world.users[ADMIN], committee=committee, year=2026)
    assert not CommitteeReport.objects.exists()


def test_a_report_may_not_be_heard_by_the_committees_own_members(world):
    committee = _committee_with_branch(world)
    report = services.schedule_reports(actor=world.users[ADMIN], committee=committee, year=2026)[0]
    with pytest.raises(PermissionDenied):
        services.hear_report(actor=world.users["owners_committee_member"], report=report, summary="x")


def test_a_joint_committee_meets_as_a_joint_consultation(world):
    admin = world.users[ADMIN]
    body = services.create_joint_committee(
        actor=admin, neighborhood=world.neighborhood_a, kind="co_governance", name="共治委员会"
    )
    held = timezone.make_aware(datetime(2026, 5, 8, 19, 0))
    link = services.hold_joint_meeting(actor=admin, committee=body, title="", held_at=held)
    meeting = Meeting.objects.get(pk=link.meeting_id)
    assert meeting.kind == Meeting.Kind.JOINT_CONSULTATION and meeting.title == "共治委员会"
    assert list(selectors.joint_meetings_of(admin, compound_a(world))) == [link]


def test_an_allowance_without_an_amount_pays_the_posts_default(world):
    add_property(world)
    admin = world.users[ADMIN]
    chair = CommitteeMember.objects.get(post="chair")
    member = CommitteeMember.objects.get(post="member")
    services.pay_allowance(actor=admin, member=chair, month=date(2026, 1, 1), amount="")
    services.pay_allowance(actor=admin, member=member, month=date(2026, 1, 1))
    services.pay_allowance(actor=admin, member=member, month=date(2026, 2, 1), amount="950.50")
    payments, total = selectors.allowance_statement(member)
    assert AllowancePayment.objects.get(member=chair).amount == Decimal("1200")
    assert [p.amount for p in payments] == [Decimal("900"), Decimal("950.50")] and total == Decimal("1850.50")
