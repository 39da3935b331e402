"""Demo rules and stars for the demo town: village rules (two versions) per neighborhood, a covenant
for each stairwell from step 3 on, star households reviewed with the year's rewards, honour-roll
benefits honoured by a company and a shop with one redemption, owners' committees reporting to a
functional branch, and a meeting of each 共治委员会. Called by `demo.load_demo`."""

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.org.models import Household, Neighborhood, PartnerUnit, PartyOrg, Stairwell
from gongzhi.property import services
from gongzhi.property.models import (
    JointCommittee,
    OwnersCommittee,
    PropertyCompany,
    RuleBook,
    RuleVersion,
)
from gongzhi.volunteers import services as volunteers
from gongzhi.volunteers.models import Balance

VILLAGE_RULES = [
    ("爱党爱国守法纪，邻里和睦讲诚信，环境整洁靠大家。", "守法、诚信、整洁", "首版"),
    (
        "爱党爱国守法纪，邻里和睦讲诚信，环境整洁靠大家，垃圾分类人人做，文明停车不占道。",
        "守法、诚信、整洁、分类、停车",
        "加入垃圾分类和文明停车",
    ),
]
COVENANT = ("邻里守望、楼道整洁、垃圾分类、文明停车。", "楼道是我家，整洁靠大家")
REWARDS = [
    (1, "物业费减免 50 元", "50"),
    (2, "物业费减免 100 元", "100"),
    (3, "物业费减免 200 元、停车月卡一张", "400"),
]
STAR_PLAN = [(3, "邻里互助、热心公益"), (2, "诚信缴费、文明养宠"), (1, "垃圾分类达标"), (2, "诚信缴费")]


def load(admin, subdistrict, rng) -> str:
    year = timezone.localdate().year
    neighborhoods = list(Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code"))
    for nb in neighborhoods:
        _village_rules(admin, nb, year)
    covenants = _covenants(admin, subdistrict, year)
    for stars, reward, amount in REWARDS:
        services.set_star_reward(
            actor=admin, subdistrict=subdistrict, year=year, stars=stars, reward=reward, amount=amount
        )
    reviewed = sum(_stars(admin, nb, year) for nb in neighborhoods)
    claims = _benefits(admin, subdistrict, neighborhoods[0], year)
    reports = _reports(admin, subdistrict, year)
    meetings = _joint_meetings(admin, subdistrict, year, rng)
    return (
        f"village rules in {len(neighborhoods)} neighborhoods, {covenants} stairwell covenants, "
        f"{reviewed} star reviews, {claims} honour-roll redemption(s), {reports} committee reports, "
        f"{meetings} joint meetings"
    )


def _village_rules(admin, nb, year: int) -> None:
    for i, (text, short, note) in enumerate(VILLAGE_RULES):
        services.adopt_rule_version(
            actor=admin,
            neighborhood=nb,
            text=text,
            short_form=short,
            adopted_on=date(year - 1 + i, 3, 1),
            note=note,
            title=f"{nb.name}村规民约",
        )


def _covenants(admin, subdistrict, year: int) -> int:
    """A covenant for each stairwell from step 3 (activities) on: bulk rows, audited as one import."""
    stairwells = Stairwell.objects.filter(
        building__neighborhood__subdistrict=subdistrict, governance__step__gte=3
    ).select_related("building")
    books = RuleBook.objects.bulk_create(
        [
            RuleBook(
                neighborhood_id=s.building.neighborhood_id,
                stairwell=s,
                kind=RuleBook.Kind.STAIRWELL,
                title=f"{s.building.number} {s.name}楼组公约",
            )
            for s in stairwells
        ],
        batch_size=1000,
    )
    if books and not books[0].pk:  # backends that return no ids from a bulk insert
        books = list(RuleBook.objects.filter(neighborhood__subdistrict=subdistrict, kind="stairwell"))
    text, short = COVENANT
    versions = [
        RuleVersion(
            book=b, number=1, text=text, short_form=short, adopted_on=date(year, 1, 15), adopted_by=admin
        )
        for b in books
    ]
    RuleVersion.objects.bulk_create(versions, batch_size=1000)
    audit.record(
        "import", None, actor=admin, summary=f"demo: {len(books)} covenants", area=(subdistrict.pk, None)
    )
    return len(books)


def _stars(admin, nb, year: int) -> int:
    """Four households rated; one later lowered and one removed, with reasons."""
    homes = list(Household.objects.filter(neighborhood=nb).order_by("pk")[:4])
    for home, (stars, reason) in zip(homes, STAR_PLAN, strict=False):
        services.review_stars(actor=admin, household=home, stars=stars, reason=reason, year=year - 1)
    if len(homes) == 4:
        services.review_stars(actor=admin, household=homes[0], stars=2, reason="违规装修未整改", year=year)
        services.review_stars(actor=admin, household=homes[3], stars=0, reason="拖欠物业费一年", year=year)
        return 6
    return len(homes)


def _benefits(admin, subdistrict, nb, year: int) -> int:
    """The company's fee discount and a shop's service; the volunteers with points on the roll."""
    company = PropertyCompany.objects.filter(subdistrict=subdistrict).order_by("pk").first()
    fee = services.add_benefit(
        actor=admin,
        subdistrict=subdistrict,
        name="红榜户物业费九折（一个月）",
        kind="property_fee",
        cost_points=60,
        stock=40,
        company=company,
        terms="凭红榜证明至物业服务中心办理",
    )
    offers = [fee]
    shop = PartnerUnit.objects.filter(subdistrict=subdistrict).order_by("pk").first()
    if shop is not None:
        offers.append(
            services.add_benefit(
                actor=admin,
                subdistrict=subdistrict,
                name="红榜户家电清洗一次",
                kind="shop_service",
                cost_points=30,
                stock=60,
                partner_unit=shop,
            )
        )
    cheapest = min(offers, key=lambda b: b.item.cost_points)
    rich = Balance.objects.filter(volunteer__neighborhood=nb, points__gte=cheapest.item.cost_points)
    people = [b.volunteer for b in rich.select_related("volunteer").order_by("-points", "pk")[:3]]
    for person in people:
        volunteers.add_to_honour_roll(
            actor=admin, neighborhood=nb, period=str(year), reason="守信践诺、热心公益", volunteer=person
        )
    if not people:
        return 0
    services.redeem_benefit(actor=admin, volunteer=people[0], benefit=cheapest, key="demo-benefit-1")
    return 1


def _reports(admin, subdistrict, year: int) -> int:
    """Each committee reports to a party branch of its neighborhood (its functional branch); the
    half-year report is heard once July is past."""
    branches = {}
    for org in (
        PartyOrg.objects.filter(subdistrict=subdistrict, level="branch")
        .exclude(neighborhood=None)
        .order_by("pk")
    ):
        branches.setdefault(org.neighborhood_id, org)
    count = 0
    committees = OwnersCommittee.objects.filter(compound__neighborhood__subdistrict=subdistrict)
    for committee in committees.select_related("compound__neighborhood"):
        branch = branches.get(committee.compound.neighborhood_id)
        if branch is None:
            continue
        OwnersCommittee.objects.filter(pk=committee.pk).update(branch=branch)
        committee.branch = branch
        reports = services.schedule_reports(actor=admin, committee=committee, year=year)
        if timezone.localdate() > reports[0].duty.due_on:
            services.hear_report(
                actor=admin, report=reports[0], summary="上半年维修基金使用、收费与投诉处理情况"
            )
        count += len(reports)
    return count


def _joint_meetings(admin, subdistrict, year: int, rng) -> int:
    bodies = JointCommittee.objects.filter(Q(neighborhood__subdistrict=subdistrict)).order_by("pk")
    count = 0
    for body in bodies:
        day = date(year, rng.randint(1, max(1, timezone.localdate().month)), rng.randint(1, 28))
        held = timezone.make_aware(datetime.combine(day, time(19, 0)))
        services.hold_joint_meeting(actor=admin, committee=body, title=f"{body.name}季度联席会", held_at=held)
        count += 1
    return count
