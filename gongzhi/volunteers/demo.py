"""Demo data for volunteers in the demo town's first neighborhood: a team led by the demo
volunteer chief, 40 volunteers (talents with skills, in-service party members, a university
student), a point rule and redemption items, a served activity whose hours are confirmed into
the ledger, an upcoming one with a waitlist, a past flood emergency (posts, relay shifts, needs,
call-up, answers, plan, stood down) and three micro-wishes. Everything goes through the
services, so the audit trail is real. Idempotent.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Neighborhood, PartnerUnit, PartyMember, Resident, RoleAssignment
from gongzhi.volunteers import services
from gongzhi.volunteers.models import CallUpAnswer, Emergency, SignUp, VolunteerTeam

TEAM = "杨泰志愿服务队"
SKILLS = ["medical", "driving", "electrician", "counselling", "", "", "", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "秀兰", "志强", "丽娟", "国平", "美玲", "海涛", "春燕", "文斌", "晓红"]


def _accounts() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["admin", "secretary", "volunteerchief"])}


def _volunteers(admin, neighborhood: Neighborhood, team: VolunteerTeam) -> list:
    residents = list(
        Resident.objects.filter(household__neighborhood=neighborhood, volunteer__isnull=True)[:30]
    )
    members = list(
        PartyMember.objects.filter(party_org__neighborhood=neighborhood, volunteer__isnull=True)[:8]
    )
    people = []
    for i, resident in enumerate(residents):
        user = None
        if i < 6:  # six can sign in and scan the activity's code on their phone
            user, _created = User.objects.get_or_create(
                username=f"volunteer{i + 1:02d}", defaults={"display_name": resident.name, "kind": "resident"}
            )
        people.append(
            services.register_volunteer(
                actor=admin,
                neighborhood=neighborhood,
                name=resident.name,
                skills=SKILLS[i % len(SKILLS)],
                resident=resident,
                user=user,
                phone=f"1391000{i:04d}",
                team=team,
            )
        )
    for member in members:
        people.append(
            services.register_volunteer(
                actor=admin,
                neighborhood=neighborhood,
                name=member.name,
                kind="party_member",
                party_member=member,
                skills="driving" if member.pk % 2 else "",
                team=team,
            )
        )
    while len(people) < 40:
        n = len(people)
        people.append(
            services.register_volunteer(
                actor=admin,
                neighborhood=neighborhood,
                name=SURNAMES[n % 20] + GIVEN[n % 10],
                kind="student" if n % 3 == 0 else "resident",
                phone=f"1392000{n:04d}",
            )
        )
    return people


def _served_activity(admin, chief, team, people) -> int:
    now = timezone.now()
    served = services.publish_activity(
        actor=admin,
        team=team,
        title="1+2+1 夜间平安巡逻",
        place="杨泰一村东门岗亭",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=1),
        capacity=6,
    )
    posted = 0
    for person in [p for p in people if p.user_id][:6]:
        signup = services.sign_up(actor=person.user, activity=served, volunteer=person)
        services.scan_check_in(actor=person.user, token=served.check_in_token)
        # They came at the start (the demo is loaded two hours in) and leave now.
        SignUp.objects.filter(pk=signup.pk).update(checked_in_at=served.starts_at)
        services.scan_check_in(actor=person.user, token=served.check_in_token)
        services.confirm_hours(actor=chief, signup=signup, hours="2")
        posted += 1
    upcoming = services.publish_activity(
        actor=admin,
        team=team,
        title="敬老院助餐志愿服务",
        place="杨行镇敬老院",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        capacity=5,
        skills_wanted="counselling",
    )
    for person in people[10:17]:  # seven for five places: two wait in line
        services.sign_up(actor=admin, activity=upcoming, volunteer=person)
    return posted


def _past_emergency(admin, subdistrict, neighborhood, people) -> int:
    emergency = services.open_emergency(
        actor=admin, subdistrict=subdistrict, neighborhood=neighborhood, title="台风“烟花”防汛紧急召集"
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    posts = [
        services.add_post(
            actor=admin,
            emergency=emergency,
            name=name,
            latitude=Decimal(lat),
            longitude=Decimal(lng),
            post_lead=people[20 + i],
        )
        for i, (name, lat, lng) in enumerate(
            [
                ("东门积水点", "31.3420", "121.4210"),
                ("地下车库入口", "31.3431", "121.4198"),
                ("独居老人楼组", "31.3412", "121.4225"),
            ]
        )
    ]
    shifts = [
        services.add_shift(
            actor=admin,
            emergency=emergency,
            starts_at=start + timedelta(hours=8 * k),
            ends_at=start + timedelta(hours=8 * (k + 1)),
        )
        for k in range(3)
    ]
    for post in posts:
        for shift in shifts:
            services.set_need(actor=admin, post=post, shift=shift, count=2)
    services.set_need(actor=admin, post=posts[2], shift=shifts[0], count=1, skill="medical")
    services.call_up(actor=admin, emergency=emergency)
    for i, answer in enumerate(CallUpAnswer.objects.filter(emergency=emergency).order_by("id")):
        if i % 5 != 4:  # four in five said yes
            services.answer_call_up(token=answer.token, accept=True)
    filled = services.plan_assignment(actor=admin, emergency=emergency)
    services.close_emergency(actor=admin, emergency=emergency)
    # A past emergency: it was opened and answered before its first shift, not today.
    Emergency.objects.filter(pk=emergency.pk).update(opened_at=start - timedelta(hours=2))
    answers = CallUpAnswer.objects.filter(emergency=emergency, answered_at__isnull=False)
    answers.update(answered_at=start - timedelta(hours=1))
    return filled


def _wishes(worker, neighborhood) -> int:
    # Two open wishes in the demo party group chief's stairwell (so the party group chief and the
    # grid chief find them on their list, issue 23), and one fulfilled wish elsewhere.
    here = Resident.objects.filter(household__neighborhood=neighborhood)
    stairwells = RoleAssignment.objects.filter(role="party_group_chief", neighborhood=neighborhood)
    near = list(
        here.filter(household__stairwell_id__in=stairwells.values("stairwell_id")).order_by("-id")[:2]
    )
    residents = list(here.exclude(pk__in=[r.pk for r in near]).order_by("-id")[: 3 - len(near)]) + near
    titles = ["想要一副老花镜", "希望有人陪我去医院复查", "想给孙子买一套课外书"]
    wishes = [
        services.post_wish(actor=worker, neighborhood=neighborhood, title=t, resident=r)
        for t, r in zip(titles, residents, strict=False)
    ]
    unit = PartnerUnit.objects.filter(subdistrict_id=neighborhood.subdistrict_id).first()
    if wishes and unit is not None:
        services.claim_wish(actor=worker, wish=wishes[0], partner_unit=unit)
        # The resident confirms from their link: the worker who recorded the claim may not.
        services.confirm_wish(token=wishes[0].confirm_token)
    return len(wishes)


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "volunteers: no demo town loaded; run `gongzhi demo load` first."
    neighborhood = Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code").first()
    if VolunteerTeam.objects.filter(neighborhood=neighborhood, name=TEAM).exists():
        return "volunteers: already loaded, nothing changed."
    users = _accounts()
    admin, chief = users.get("admin"), users.get("volunteerchief")
    if admin is None or chief is None:
        return "volunteers: the demo logins are missing; run `gongzhi demo load` first."
    with transaction.atomic():
        team = services.create_team(actor=admin, neighborhood=neighborhood, name=TEAM, chief=chief)
        people = _volunteers(admin, neighborhood, team)
        services.set_point_rule(
            actor=admin, subdistrict=subdistrict, name="每小时 10 积分", points_per_hour=10
        )
        for name, kind, cost, stock in [
            ("物业费减免 50 元", "property_fee", 100, 50),
            ("月度停车费减免", "parking_fee", 80, 30),
            ("诚信红榜商户理发一次", "shop_service", 20, 100),
        ]:
            services.add_redemption_item(
                actor=admin, subdistrict=subdistrict, name=name, kind=kind, cost_points=cost, stock=stock
            )
        posted = _served_activity(admin, chief, team, people)
        filled = _past_emergency(admin, subdistrict, neighborhood, people)
        wishes = _wishes(users.get("secretary") or admin, neighborhood)
    seconds = time.perf_counter() - started
    return (
        f"volunteers: {len(people)} volunteers, team {TEAM}, 2 activities ({posted} hours confirmed into the "
        f"ledger), a past emergency with {filled} places filled, {wishes} micro-wishes in {seconds:.1f} s."
    )
