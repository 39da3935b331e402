"""Demo data for red property in the demo town (杨行镇): every compound gets a property company
under contract, a fee standard (three raised from 0.35 to 0.50 by an owners' decision, as in 闵行),
twelve months of figures, an owners' committee vetted and paid, a 共治委员会 per neighborhood;
stairwells stand at the five steps so the overview shows a coverage figure; the score rule and
the 3+4+5+N checklist are set. Companies, contracts, fees, committees and rules go through the
services (audited); the bulk rows (figures, stairwell steps) are inserted at once and audited as
one import each, so loading stays fast. Idempotent.
"""

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import audit
from gongzhi.deliberation.models import Vote
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Compound, Household, Neighborhood, Stairwell
from gongzhi.property import community_demo, services
from gongzhi.property.models import (
    AllowancePayment,
    ChecklistItem,
    CommitteeMember,
    JointMember,
    MonthlyFigures,
    OwnersCommittee,
    PropertyCompany,
    RuleBook,
    StairwellGovernance,
    VettingStep,
)

COMPANIES = [
    "上海宝杨物业管理有限公司",
    "上海杨行城市服务有限公司",
    "上海红色港湾物业有限公司",
    "上海绿地物业服务有限公司",
]
RULES = [
    ("collection_rate", "3", "higher", "60", "100"),
    ("incidents", "2", "lower", "12", "0"),
    ("complaints_per_100", "1", "lower", "10", "0"),
    ("party_share", "1", "higher", "0", "60"),
]  # no stairwell_coverage: villages have no stairwells, and coverage has its own figures
CHECKLIST = [
    ("action", "每月一次楼组议事"),
    ("action", "每季一次邻里互助"),
    ("action", "楼道环境每周清洁"),
    ("action", "节日睦邻活动"),
    ("element", "有楼组长"),
    ("element", "有楼组公约"),
    ("element", "有宣传栏"),
    ("element", "有活动记录"),
    ("element", "有联系名册"),
    ("brand", "楼道书屋"),
    ("brand", "邻里花园"),
]
VETTING = [
    ("structure", "建议 7 人，党员不少于半数"),
    ("candidates", "推荐候选人 9 名"),
    ("qualification", "候选人资格审查通过"),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗"
ALLOWANCE = {"chair": Decimal("1200"), "deputy": Decimal("1000"), "member": Decimal("900")}
STEP_WEIGHTS = [8, 6, 16, 28, 24, 18]  # share of stairwells at steps 0..5: ~80 % from step 2 on


def months_of_demo(today: date) -> list[date]:
    """The twelve months ending with last month."""
    first = today.replace(day=1)
    found = []
    for _i in range(12):
        first = (first - timedelta(days=1)).replace(day=1)
        found.append(first)
    return found[::-1]


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "property: no demo town loaded; run `gongzhi demo load` first."
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return "property: the demo logins are missing; run `gongzhi demo load` first."
    if PropertyCompany.objects.filter(subdistrict=subdistrict).exists():
        if RuleBook.objects.filter(neighborhood__subdistrict=subdistrict).exists():
            return "property: red property already loaded, nothing changed."
        with transaction.atomic():  # a town loaded before rules and stars were part of the demo
            return "property: " + community_demo.load(admin, subdistrict, random.Random(18))
    rng = random.Random(17)
    compounds = list(
        Compound.objects.filter(neighborhood__subdistrict=subdistrict).select_related("neighborhood")
    )
    with transaction.atomic():
        _rules_and_checklist(admin, subdistrict)
        companies = [_company(admin, subdistrict, name, i < 2) for i, name in enumerate(COMPANIES)]
        months = months_of_demo(timezone.localdate())
        start = date(months[0].year - 1, 1, 1)  # the contracts' and terms' start
        for i, compound in enumerate(compounds):
            _compound(admin, compound, companies[i % len(companies)], start, months, raised=i % 7 == 0)
        _committees(admin, subdistrict, compounds, start, months[-1], rng)
        _figures(admin, subdistrict, compounds, months, rng)
        _joint_committees(admin, subdistrict, rng)
        covered = _stairwells(admin, subdistrict, rng)
        services.set_plan(actor=admin, subdistrict=subdistrict, year=months[-1].year, target=covered + 60)
        community = community_demo.load(admin, subdistrict, random.Random(18))
    seconds = time.perf_counter() - started
    return (
        f"property: {len(compounds)} compounds with companies, fees, 12 months of figures and committees; "
        f"{community} ({seconds:.1f} s)"
    )


def _company(admin, subdistrict, name: str, branch: bool) -> PropertyCompany:
    return services.create_company(actor=admin, subdistrict=subdistrict, name=name, has_party_branch=branch)


def _rules_and_checklist(admin, subdistrict) -> None:
    for metric, weight, direction, worst, best in RULES:
        services.set_rule(
            actor=admin,
            subdistrict=subdistrict,
            metric=metric,
            weight=weight,
            direction=direction,
            worst=worst,
            best=best,
        )
    for kind, label in CHECKLIST:
        services.add_checklist_item(actor=admin, subdistrict=subdistrict, kind=kind, label=label)


def _fee_decision(admin, compound: Compound, on: date) -> Vote:
    """The owners' joint decision (art. 278) that raised the fee: a published, passed vote."""
    opens = timezone.make_aware(datetime.combine(on, time_of_day.min)) - timedelta(days=45)
    return Vote.objects.create(
        kind=Vote.Kind.OWNERS,
        rule=Vote.Rule.OWNERS_278,
        subject=f"{compound.name}物业费标准调整（0.35→0.50 元/平方米/月）",
        subdistrict_id=compound.neighborhood.subdistrict_id,
        neighborhood=compound.neighborhood,
        compound=compound,
        opens_at=opens,
        closes_at=opens + timedelta(days=14),
        status=Vote.Status.PUBLISHED,
        result={"passed": True, "rule": Vote.Rule.OWNERS_278, "valid": True},
        created_by=admin,
    )


def _compound(admin, compound: Compound, company, start: date, months: list[date], *, raised: bool) -> None:
    """Contract and fee (raised by an owners' decision in some)."""
    services.sign_contract(
        actor=admin,
        compound=compound,
        company=company,
        service_scope="保洁、绿化、秩序维护、设施设备维修",
        starts_on=start,
        ends_on=start.replace(year=start.year + 3),
    )
    services.set_fee(actor=admin, compound=compound, rate="0.35", effective_from=start)
    if raised:
        on = months[6]
        services.set_fee(
            actor=admin,
            compound=compound,
            rate="0.50",
            effective_from=on,
            decision=_fee_decision(admin, compound, on),
        )


def _figures(admin, subdistrict, compounds: list[Compound], months: list[date], rng) -> None:
    """A year of figures for every compound, one bulk insert audited as one import."""
    households = dict(
        Household.objects.filter(building__compound__in=compounds)
        .values_list("building__compound_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for compound in compounds:
        billed = Decimal(max(households.get(compound.pk, 0), 20) * 80) * Decimal("0.35")
        base, trouble = rng.uniform(0.82, 0.99), rng.random()
        for i, month in enumerate(months):
            rate = min(1.0, base + 0.01 * i * rng.random())
            rows.append(
                MonthlyFigures(
                    compound=compound,
                    month=month,
                    fee_billed=billed.quantize(Decimal("0.01")),
                    fee_collected=(billed * Decimal(str(round(rate, 4)))).quantize(Decimal("0.01")),
                    burglaries=int(rng.random() < 0.15 * trouble),
                    battery_thefts=int(rng.random() < 0.3 * trouble),
                    vehicle_thefts=int(rng.random() < 0.08 * trouble),
                    fires=int(rng.random() < 0.02),
                )
            )
    MonthlyFigures.objects.bulk_create(rows, batch_size=1000)
    audit.record(
        "import",
        None,
        actor=admin,
        summary=f"demo: {len(rows)}",
        area=(subdistrict.pk, None),
    )


def _committees(admin, subdistrict, compounds: list[Compound], start: date, month: date, rng) -> None:
    """An owners' committee per compound, vetted in three steps, each member paid last month's
    allowance: bulk rows (thousands of audited single writes took too long), audited as one import."""
    committees = OwnersCommittee.objects.bulk_create(
        [
            OwnersCommittee(compound=c, term_starts=start, term_ends=start.replace(year=start.year + 5))
            for c in compounds
        ]
    )
    if not committees[0].pk:  # backends that return no ids from a bulk insert
        committees = list(OwnersCommittee.objects.filter(compound__in=compounds).order_by("pk"))
    steps = [
        VettingStep(committee=c, kind=k, decision=t, decided_by=admin) for c in committees for k, t in VETTING
    ]
    VettingStep.objects.bulk_create(steps, batch_size=1000)
    members = []
    for c in committees:
        posts = ["chair", "deputy"] + ["member"] * rng.randint(3, 5)
        for n, post in enumerate(posts):
            members.append(
                CommitteeMember(
                    committee=c,
                    name=rng.choice(SURNAMES) + rng.choice("建华国英秀明伟芳丽军"),
                    post=post,
                    party_member=rng.random() < (0.8 if n < 2 else 0.4),
                    cross_appointment="居民区党总支委员" if n == 0 and rng.random() < 0.6 else "",
                )
            )
    CommitteeMember.objects.bulk_create(members, batch_size=1000)
    members = CommitteeMember.objects.filter(committee__in=committees)
    payments = [
        AllowancePayment(member=m, month=month, amount=ALLOWANCE[m.post], paid_by=admin) for m in members
    ]
    AllowancePayment.objects.bulk_create(payments, batch_size=1000)
    summary = f"demo: {len(committees)} committees, {len(members)} members"
    audit.record("import", None, actor=admin, summary=summary, area=(subdistrict.pk, None))


def _joint_committees(admin, subdistrict, rng) -> None:
    sides = ["party", "residents_committee", "owners_committee", "property_company", "stairwell_chief"]
    sides += ["resident", "resident", "party"]  # eight, as 闵行's 共治委员会
    for nb in Neighborhood.objects.filter(subdistrict=subdistrict):
        body = services.create_joint_committee(
            actor=admin, neighborhood=nb, kind="co_governance", name=f"{nb.name}共治委员会"
        )
        names = [rng.choice(SURNAMES) + rng.choice("建华国英秀明伟芳丽军") for _side in sides]
        JointMember.objects.bulk_create(
            [JointMember(committee=body, name=n, side=s) for n, s in zip(names, sides, strict=True)]
        )


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice("建华国英秀明伟芳丽军") + rng.choice("平华英明芳")


def _tick_checklist(subdistrict, rows: list[StairwellGovernance]) -> None:
    """From step 3 the four actions are done, from step 4 the five elements, at step 5 a brand."""
    items = {
        k: [i.pk for i in ChecklistItem.objects.filter(subdistrict=subdistrict, kind=k)]
        for k in ("action", "element", "brand")
    }
    if not rows[0].pk:  # backends that return no ids from a bulk insert
        rows = list(
            StairwellGovernance.objects.filter(stairwell__building__neighborhood__subdistrict=subdistrict)
        )
    through = StairwellGovernance.done.through
    ticks = []
    for g in rows:
        done = (items["action"] if g.step >= 3 else []) + (items["element"] if g.step >= 4 else [])
        done += items["brand"][:1] if g.step == 5 else []
        ticks += [through(stairwellgovernance_id=g.pk, checklistitem_id=pk) for pk in done]
    through.objects.bulk_create(ticks, batch_size=2000)


def _stairwells(admin, subdistrict, rng) -> int:
    """Each stairwell at one of the five steps; returns how many are self-governing."""
    stairwells = list(
        Stairwell.objects.filter(building__neighborhood__subdistrict=subdistrict).values_list("id", flat=True)
    )
    year = timezone.localdate().year
    rows = []
    for pk in stairwells:
        step = rng.choices(range(6), weights=STEP_WEIGHTS)[0]
        if step == 0:
            continue
        rows.append(
            StairwellGovernance(
                stairwell_id=pk,
                step=step,
                group="、".join(_name(rng) for _i in range(3)) if step >= 2 else "",
                brand=rng.choice(["楼道书屋", "邻里花园", "银龄互助"]) if step >= 4 else "",
                beautiful_year=year if step == 5 and rng.random() < 0.6 else None,
            )
        )
    StairwellGovernance.objects.bulk_create(rows, batch_size=1000)
    _tick_checklist(subdistrict, rows)
    audit.record(
        "import",
        None,
        actor=admin,
        summary=f"demo: {len(rows)}",
        area=(subdistrict.pk, None),
    )
    return sum(1 for r in rows if r.step >= 2)
