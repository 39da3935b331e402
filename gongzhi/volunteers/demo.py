"""Demo data for volunteers in the demo town's first neighborhood: a team led by the demo
volunteer chief, 40 volunteers (talents with skills, in-service party members, a university
student), a point rule and redemption items, a served activity whose hours are confirmed into
the ledger, an upcoming one with a waitlist, a past flood emergency (posts, relay shifts, needs,
call-up, answers, plan, stood down), three micro-wishes, and two call-up drills rehearsing that
call-up: a live drill ten days ago (the 【演练】 call-up sent to the team and the party members'
shock squad, answered over forty minutes, some phones unreachable) and a tabletop drill run today,
each with its report. Everything goes through the services, so the audit trail is real. Idempotent.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.notifications.models import Message
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Neighborhood, PartnerUnit, PartyMember, Resident, RoleAssignment
from gongzhi.volunteers import services
from gongzhi.volunteers.models import CallUpAnswer, Emergency, SignUp, VolunteerTeam

TEAM = "杨泰志愿服务队"
SQUAD_TEAM = "党员先锋突击队"
SKILLS = ["medical", "driving", "electrician", "counselling", "", "", "", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "秀兰", "志强", "丽娟", "国平", "美玲", "海涛", "春燕", "文斌", "晓红"]


def _accounts() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["admin", "secretary", "volunteerchief"])}


def _volunteers(admin, neighborhood: Neighborhood, team: VolunteerTeam, squad: VolunteerTeam) -> list:
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
    # In-service party members (在职党员) come from the partner units they work at (双报到).
    units = list(PartnerUnit.objects.filter(subdistrict_id=neighborhood.subdistrict_id).order_by("pk")[:3])
    for k, member in enumerate(members):
        people.append(
            services.register_volunteer(
                actor=admin,
                neighborhood=neighborhood,
                name=member.name,
                kind="party_member",
                party_member=member,
                skills="driving" if member.pk % 2 else "",
                team=squad,
                # half gave a phone when they reported (报到); the others are reached by nothing
                phone=f"1393000{k:04d}" if k % 2 == 0 else "",
                **({"partner_unit": units[k % len(units)]} if units else {}),
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
    CallUpAnswer.objects.filter(emergency=emergency).update(called_at=start - timedelta(hours=2))
    return emergency, filled


def _drills(admin, subdistrict, neighborhood, teams, past) -> tuple[Emergency, Emergency]:
    """A live drill ten days ago and a tabletop drill today, both copying the typhoon call-up's
    posts, shifts and needs; the live one's answers come in over forty minutes."""
    live = services.create_drill(
        actor=admin,
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        title="防汛应急拉动演练",
        kind="live",
        teams=teams,
        copy_from=past,
    )
    services.run_live(actor=admin, drill=live)
    called_at = timezone.now().replace(second=0, microsecond=0) - timedelta(days=10)
    answers = list(CallUpAnswer.objects.filter(emergency=live).select_related("volunteer").order_by("pk"))
    # Every fourth keeps silent, every seventh says no; the rest say yes 3 to 40 minutes in.
    for i, answer in enumerate(answers):
        if i % 4 == 3:
            continue
        services.answer_call_up(token=answer.token, accept=i % 7 != 6)
        CallUpAnswer.objects.filter(pk=answer.pk).update(
            called_at=called_at, answered_at=called_at + timedelta(minutes=3 + (i * 37) % 38)
        )
    CallUpAnswer.objects.filter(emergency=live, answered_at__isnull=True).update(called_at=called_at)
    # Two SMS of the drill failed (空号): the report lists them as unreachable.
    sms = Message.objects.filter(key__startswith="callup:", key__endswith="/sms", channel="sms")
    keys = [f"callup:{a.pk}/sms" for a in answers[1:8:3]]
    sms.filter(key__in=keys).update(status=Message.Status.FAILED, error="空号")
    services.plan_assignment(actor=admin, emergency=live)
    Emergency.objects.filter(pk=live.pk).update(opened_at=called_at - timedelta(minutes=30), ran_at=called_at)
    live.refresh_from_db()
    services.close_emergency(actor=admin, emergency=live)
    Emergency.objects.filter(pk=live.pk).update(closed_at=called_at + timedelta(hours=1))
    tabletop = services.create_drill(
        actor=admin,
        subdistrict=subdistrict,
        neighborhood=neighborhood,
        title="台风防汛桌面推演",
        kind="tabletop",
        teams=teams,
        copy_from=past,
    )
    services.run_tabletop(actor=admin, drill=tabletop)
    return live, tabletop


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
        squad = services.create_team(actor=admin, neighborhood=neighborhood, name=SQUAD_TEAM)
        people = _volunteers(admin, neighborhood, team, squad)
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
        past, filled = _past_emergency(admin, subdistrict, neighborhood, people)
        wishes = _wishes(users.get("secretary") or admin, neighborhood)
        _drills(admin, subdistrict, neighborhood, [team, squad], past)
    seconds = time.perf_counter() - started
    return (
        f"volunteers: {len(people)} volunteers, team {TEAM}, 2 activities ({posted} hours confirmed into the "
        f"ledger), a past emergency with {filled} places filled, {wishes} micro-wishes, a live and a "
        f"tabletop drill with reports in {seconds:.1f} s."
    )
