"""Demo data for the workforce of 杨行镇: social workers of the first neighborhoods at every post
level (the demo secretary and social worker among them), this year's 燃星计划 with its sessions and
hours, 1+1 pairs with monthly logs, the 社工论坛 on the 23rd with ratings and a secretaries'
roundtable, last year's adopted assessment round with bonuses and promotions, an open quarterly
round the demo department head scores in, and the three chiefs of the first neighborhood.
Everything goes through the services, so the audit trail is real. Idempotent.
"""

import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Meeting
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Neighborhood, PartyOrg
from gongzhi.projects.models import Project
from gongzhi.volunteers import services as volunteers
from gongzhi.volunteers.models import CallUpAnswer
from gongzhi.workforce import services
from gongzhi.workforce.models import Line, TrainingPlan

NEIGHBORHOODS = 8  # the first neighborhoods get a full team
TEAM = ["secretary", "team_lead", "regular", "regular", "novice"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["晓雯", "志明", "丽华", "建军", "婷婷", "海燕", "俊杰", "雪梅", "伟强", "佳琪", "国庆", "静怡"]
REQUIRED = {  # hours a year per line (theory, must-know, practice, capability), by level: 4 lines, 500+ hours
    "novice": (8, 10, 8, 6),
    "regular": (8, 4, 10, 8),
    "team_lead": (8, 4, 6, 12),
    "secretary": (8, 4, 6, 14),
}
COURSES = [
    ("习近平新时代中国特色社会主义思想专题", "theory", "", 3),
    ("基层党建工作实务", "theory", "", 2),
    ("民政政策应知应会", "must_know", "novice", 3),
    ("居委会工作法规", "must_know", "", 2),
    ("入户走访与民情日志", "practice", "novice", 4),
    ("矛盾调解实战演练", "practice", "regular", 3),
    ("全能社工：卫计与综治", "practice", "regular", 3),
    ("微项目设计与评估", "capability", "team_lead", 4),
    ("头雁班：书记领导力 A 班", "capability", "secretary", 4),
    ("头雁班：书记领导力 B 班", "capability", "secretary", 4),
    ("案例研讨：加装电梯中的协商", "capability", "", 3),
    ("演讲比赛：我的社区故事", "capability", "regular", 2),
]
FORUM_TOPICS = [
    "走访中的倾听",
    "老旧小区加装电梯",
    "垃圾分类的坚持",
    "独居老人关爱",
    "物业矛盾调处",
    "志愿者的激励",
    "防汛防台准备",
    "党建引领微治理",
    "青年社工成长",
    "数字化民情日志",
    "年终回顾",
]


def _user(username: str, name: str) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    return user


def _team(admin, neighborhoods, known: dict) -> list:
    """Five workers per neighborhood; the demo secretary and social worker sit in the first."""
    profiles = []
    for n, nb in enumerate(neighborhoods):
        outposts = list(PartyOrg.objects.filter(neighborhood=nb, branch_kind=PartyOrg.BranchKind.OUTPOST)[:2])
        for i, level in enumerate(TEAM):
            user = (
                known["secretary"]
                if (n, i) == (0, 0)
                else known["socialworker"]
                if (n, i) == (0, 2)
                else None
            )
            name = user.display_name if user else SURNAMES[(n * 5 + i) % 20] + GIVEN[(n + i) % 12]
            user = user or _user(f"sw{n + 1:02d}{i + 1}", name)
            profile = services.create_profile(
                actor=admin,
                user=user,
                name=name,
                neighborhood=nb,
                post_level=level,
                started_on=date(2015 + (n + i) % 9, 3, 1),
                qualification=["assistant", "social_worker", ""][i % 3],
                topics=["party_building", "civil_affairs", "health", "public_safety", "property_management"][
                    : 1 + i % 5
                ],
                outpost_branch=outposts[i % len(outposts)] if outposts and level != "novice" else None,
            )
            profiles.append(profile)
    return profiles


def _kind(title: str) -> str:
    for prefix, kind in (
        ("头雁", "lead_goose"),
        ("案例研讨", "case_discussion"),
        ("演讲比赛", "speech_contest"),
    ):
        if title.startswith(prefix):
            return kind
    return "lecture"


def _contests(admin, plan) -> int:
    """Scores of those who came to the case discussions and speech contests held so far."""
    scored = 0
    for course in plan.courses.filter(kind__in=("case_discussion", "speech_contest")):
        for session in course.sessions.all():
            for k, credit in enumerate(session.credits.select_related("profile")):
                score = Decimal(75 + (k * 7 + session.pk) % 24)
                services.score_contest(actor=admin, session=session, profile=credit.profile, score=score)
                scored += 1
    return scored


def _designs(secretary, profiles) -> int:
    """微项目 designs of the first neighborhood's team lead and regular workers; one accepted and
    linked to the neighborhood's first project, one returned for rework, one waiting."""
    first = profiles[0].neighborhood
    mid = [p for p in profiles if p.neighborhood_id == first.pk and p.post_level in ("team_lead", "regular")]
    titles = [
        (
            "楼道微更新：旧物换新",
            "需求：楼道堆物多、照明差。目标：三个月清理 12 个楼道。步骤：楼组长动员、志愿者清运、居民自治公约。",
        ),
        (
            "银发手机课堂",
            "需求：独居老人不会用健康码与挂号。目标：每月两次课堂，覆盖 40 人。伙伴：共建单位青年志愿者。",
        ),
        ("雨天积水点巡查队", "需求：东门积水点每逢暴雨积水。目标：组建 8 人巡查队，汛期每日巡查。"),
    ]
    made = []
    for profile, (title, text_) in zip(mid, titles, strict=False):
        made.append(services.submit_design(actor=profile.user, title=title, design=text_))
    project = Project.objects.filter(neighborhood=first).order_by("pk").first()
    if made:
        services.review_design(
            actor=secretary, design=made[0], accepted=True, review="切实可行，纳入微项目", project=project
        )
    if len(made) > 1:
        services.review_design(actor=secretary, design=made[1], accepted=False, review="请补充预算与场地安排")
    return len(made)


def _emergency_service(admin, profiles) -> int:
    """Two workers of the second neighborhood who answered last summer's flood call-up and held
    posts: the adopted round puts them on the promotion list early, for service in emergencies."""
    nb = profiles[5].neighborhood
    chosen = [p for p in profiles if p.neighborhood_id == nb.pk and p.post_level in ("novice", "regular")]
    chosen = [p for p in chosen if Decimal(72 + (profiles.index(p) * 7) % 27) < 90][:2]
    for p in chosen:
        volunteers.register_volunteer(actor=admin, neighborhood=nb, name=p.name, user=p.user)
    emergency = volunteers.open_emergency(
        actor=admin, subdistrict=nb.subdistrict, neighborhood=nb, title="暴雨积水紧急召集"
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=60)
    post = volunteers.add_post(
        actor=admin,
        emergency=emergency,
        name="地下车库入口",
        latitude=Decimal("31.3431"),
        longitude=Decimal("121.4198"),
    )
    shift = volunteers.add_shift(
        actor=admin, emergency=emergency, starts_at=start, ends_at=start + timedelta(hours=8)
    )
    volunteers.set_need(actor=admin, post=post, shift=shift, count=len(chosen))
    volunteers.call_up(actor=admin, emergency=emergency)
    for answer in CallUpAnswer.objects.filter(
        emergency=emergency, volunteer__user__in=[p.user for p in chosen]
    ):
        volunteers.answer_call_up(token=answer.token, accept=True)
    volunteers.plan_assignment(actor=admin, emergency=emergency)
    volunteers.close_emergency(actor=admin, emergency=emergency)
    return len(chosen)


def _plan(admin, subdistrict, profiles, year: int) -> tuple[TrainingPlan, int]:
    requirements = {
        (lvl, line): h for lvl, hours in REQUIRED.items() for line, h in zip(Line.values, hours, strict=True)
    }
    plan = services.create_plan(
        actor=admin,
        subdistrict=subdistrict,
        year=year,
        title=f"{year} 年燃星计划",
        target_hours="520",
        requirements=requirements,
    )
    today = timezone.localdate()
    credited = 0
    for k, (title, line, audience, hours) in enumerate(COURSES):
        course = services.add_course(
            actor=admin,
            plan=plan,
            title=title,
            line=line,
            audience=audience,
            hours=hours,
            kind=_kind(title),
        )
        for sitting in range(2):  # each course runs twice a year, spring and autumn
            held = date(year, 1 + (k + 6 * sitting) % 12, 10 + k)
            if held >= today:
                continue
            session = services.schedule_session(
                actor=admin,
                course=course,
                place="杨行镇党群服务中心",
                starts_at=timezone.make_aware(datetime(held.year, held.month, held.day, 14, 0)),
            )
            # Roughly four in five of the course's audience came; the sheet credits their hours.
            came = [
                p
                for i, p in enumerate(profiles)
                if (not audience or p.post_level == audience) and (i + k + sitting) % 5
            ]
            credited += services.record_attendance(actor=admin, session=session, profiles=came)
    now = timezone.now()
    if now.year == year:  # one session this afternoon, for scanning its code in the demo
        course = plan.courses.get(title="居委会工作法规")
        services.schedule_session(
            actor=admin, course=course, starts_at=now - timedelta(minutes=20), place="杨泰一村会议室"
        )
    return plan, credited


def _classes(admin, plan, profiles) -> int:
    """头雁 A and B classes: the secretaries split between them; those who came often enough graduate."""
    secretaries = [p for p in profiles if p.post_level == "secretary"]
    graduated = 0
    for k, course in enumerate(plan.courses.filter(kind="lead_goose").order_by("title")):
        klass = services.open_lead_goose_class(actor=admin, plan=plan, course=course, name=f"{'AB'[k]} 班")
        services.select_into_class(actor=admin, klass=klass, profiles=secretaries[k::2])
        if course.sessions.exists():
            graduated += services.graduate_class(actor=admin, klass=klass, on=timezone.localdate())
    return graduated


def _pairs(admin, profiles, year: int) -> int:
    by_nb: dict[int, list] = {}
    for p in profiles:
        by_nb.setdefault(p.neighborhood_id, []).append(p)
    made = 0
    for team in by_nb.values():
        heads = [p for p in team if p.post_level in ("secretary", "team_lead")]
        young = [p for p in team if p.post_level in ("novice", "regular")]
        for mentor, mentee in zip(heads, young, strict=False):
            pair = services.pair_mentor(
                actor=admin,
                mentor=mentor,
                mentee=mentee,
                goals="缺什么、补什么：群众工作方法、政策解读、写作",
                started_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
            )
            last = timezone.localdate().month if timezone.localdate().year == year else 13
            for month in range(max(1, last - 3), last):  # the last three months' logs
                for author in (mentor, mentee):
                    services.write_mentor_log(
                        actor=author.user,
                        mentorship=pair,
                        month=date(year, month, 1),
                        text_=f"{month} 月：共同入户走访，复盘群众诉求处理。",
                    )
            made += 1
    return made


def _forums(admin, subdistrict, profiles, year: int) -> int:
    today = timezone.localdate()
    forums = services.schedule_forums(
        actor=admin, subdistrict=subdistrict, year=year, first_month=1, months=11, topics=FORUM_TOPICS
    )
    for forum in forums:
        if forum.held_on > today:
            continue
        for k, rater in enumerate(p for p in profiles[:12] if p.pk != forum.speaker_id):
            services.rate_forum(
                actor=rater.user,
                forum=forum,
                learning=3 + k % 3,
                writing=3 + (k + 1) % 3,
                speaking=4 + k % 2,
                reviewing=3 + (k + 2) % 3,
            )
    held = date(year, 6, 12) if date(year, 6, 12) < today else today - timedelta(days=1)
    services.hold_roundtable(
        actor=admin,
        subdistrict=subdistrict,
        held_on=held,
        topic="书记圆桌：老旧小区加装电梯",
        minutes="新老书记结对交流加装电梯协商经验；议定各居民区摸排意愿、三季度集中推进。",
    )
    return len(forums)


# 华漕镇: a secretary's personal score is 30 % their neighborhood's red-property score.
CRITERIA = [{"code": "red_property", "level": "secretary", "weight": "30"}]
GROUPS = [
    ("party", "社区党委", "40"),
    ("office", "机关科室及职能部门", "30"),
    ("civic", "社建办", "20"),
    ("grid", "微社区组长", "10"),
]


def _raters(admin, assessment, department) -> dict:
    groups = {g.code: g for g in assessment.groups.all()}
    for code, group in groups.items():
        for i in range(5 if code == "grid" else 3):
            services.add_rater(
                actor=admin, group=group, user=_user(f"rater_{code}{i + 1}", f"{group.name}{i + 1}")
            )
    if department is not None:
        services.add_rater(actor=admin, group=groups["office"], user=department)
    return groups


def _assessment(admin, subdistrict, neighborhoods, profiles, department, year: int) -> str:
    last = services.open_round(
        actor=admin,
        subdistrict=subdistrict,
        title=f"{year - 1} 年度社工考核",
        kind="year_end",
        period=str(year - 1),
        pool="200000.00",
        groups=GROUPS,
        criteria=CRITERIA,
    )
    groups = _raters(admin, last, department)
    for code, group in groups.items():
        for r, rater in enumerate(group.raters.all()):
            for n, nb in enumerate(neighborhoods):
                score = Decimal(78 + (n * 7 + r * 3 + len(code)) % 20)
                services.score_neighborhood(actor=rater, group=group, neighborhood=nb, score=score)
    for i, p in enumerate(profiles):
        services.set_personal_score(actor=admin, round=last, profile=p, score=Decimal(72 + (i * 7) % 27))
    services.adopt_round(actor=admin, round=last)
    current = services.open_round(
        actor=admin,
        subdistrict=subdistrict,
        title=f"{year} 年第三季度考核",
        kind="quarterly",
        period=f"{year}Q3",
        pool="50000.00",
        groups=GROUPS,
        criteria=CRITERIA,
    )
    groups = _raters(admin, current, department)
    rater = groups["party"].raters.first()
    for n, nb in enumerate(neighborhoods[:4]):
        services.score_neighborhood(actor=rater, group=groups["party"], neighborhood=nb, score=80 + n)
    return f"{last.bonuses.count()} bonuses, {last.promotions.count()} on the promotion list"


def _chiefs(secretary, neighborhood, known: dict, year: int) -> int:
    made = 0
    held = (timezone.make_aware(datetime(year, 1, 1)), timezone.now())
    meetings = list(
        Meeting.objects.filter(neighborhood=neighborhood, held_at__range=held).order_by("held_at")[:4]
    )
    for month, title in ((3, "居民议事会：楼道堆物整治"), (6, "联席会商：小区停车"))[len(meetings) :]:
        on = timezone.make_aware(datetime(year, month, 18, 19, 0))
        if on < timezone.now():
            meetings.append(
                deliberation.create_meeting(
                    actor=secretary,
                    kind="deliberation" if month == 3 else "joint_consultation",
                    title=title,
                    held_at=on,
                    neighborhood=neighborhood,
                    place="居委会会议室",
                )
            )
    rows = [
        ("stairwellchief", "stairwell_chief", "1号楼 2 单元楼组", "150.00"),
        ("partygroupchief", "party_group_chief", "1号楼党小组", "150.00"),
        ("volunteerchief", "volunteer_team_chief", "杨泰志愿服务队", "200.00"),
    ]
    for username, kind, unit, allowance in rows:
        user = known.get(username)
        if user is None:
            continue
        chief = services.nominate_chief(
            actor=secretary,
            neighborhood=neighborhood,
            user=user,
            name=user.display_name,
            kind=kind,
            unit_label=unit,
            on=date(year - 1, 11, 20),
        )
        services.vet_chief(
            actor=secretary, chief=chief, approved=True, on=date(year - 1, 12, 5), note="党组织审查通过"
        )
        services.appoint_chief(
            actor=secretary,
            chief=chief,
            term_starts=date(year, 1, 1),
            term_ends=date(year + 2, 12, 31),
            monthly_allowance=allowance,
        )
        services.record_chief_event(
            actor=secretary, chief=chief, action="trained", on=date(year, 1, 15), note="三长岗前培训"
        )
        for meeting in meetings[: 2 + made]:  # the meetings' sign-in sheets
            services.record_meeting_attendance(actor=secretary, chief=chief, meeting=meeting)
        for month in range(1, timezone.localdate().month if timezone.localdate().year == year else 13):
            services.pay_allowance(actor=secretary, chief=chief, month=date(year, month, 1))
        made += 1
    retiring = services.nominate_chief(
        actor=secretary,
        neighborhood=neighborhood,
        user=_user("chief_exit", "钱老伯"),
        name="钱老伯",
        kind="stairwell_chief",
        unit_label="3号楼 1 单元楼组",
        on=date(year - 3, 1, 5),
    )
    services.vet_chief(actor=secretary, chief=retiring, approved=True, on=date(year - 3, 1, 10))
    services.appoint_chief(
        actor=secretary,
        chief=retiring,
        term_starts=date(year - 3, 2, 1),
        term_ends=date(year, 1, 31),
        monthly_allowance="150.00",
    )
    services.record_chief_event(
        actor=secretary, chief=retiring, action="rewarded", on=date(year - 1, 12, 20), note="优秀楼组长"
    )
    services.exit_chief(actor=secretary, chief=retiring, on=date(year, 1, 31), note="任期届满，年事已高")
    services.nominate_chief(
        actor=secretary,
        neighborhood=neighborhood,
        user=_user("chief_new", "孙阿姨"),
        name="孙阿姨",
        kind="stairwell_chief",
        unit_label="3号楼 1 单元楼组",
        on=date(year, 2, 10),
    )
    return made + 2


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "workforce: no demo town loaded; run `gongzhi demo load` first."
    year = timezone.localdate().year
    if TrainingPlan.objects.filter(subdistrict=subdistrict, year=year).exists():
        return "workforce: already loaded, nothing changed."
    known = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "admin",
                "secretary",
                "socialworker",
                "department",
                "stairwellchief",
                "partygroupchief",
                "volunteerchief",
            ]
        )
    }
    admin = known.get("admin")
    if admin is None or "secretary" not in known or "socialworker" not in known:
        return "workforce: the demo logins are missing; run `gongzhi demo load` first."
    neighborhoods = list(
        Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code")[:NEIGHBORHOODS]
    )
    with transaction.atomic():
        profiles = _team(admin, neighborhoods, known)
        served = _emergency_service(admin, profiles)
        plan, credited = _plan(admin, subdistrict, profiles, year)
        scored = _contests(admin, plan)
        designs = _designs(known["secretary"], profiles)
        graduated = _classes(admin, plan, profiles)
        pairs = _pairs(admin, profiles, year)
        forums = _forums(admin, subdistrict, profiles, year)
        results = _assessment(admin, subdistrict, neighborhoods, profiles, known.get("department"), year)
        chiefs = _chiefs(known["secretary"], neighborhoods[0], known, year)
    seconds = time.perf_counter() - started
    return (
        f"workforce: {len(profiles)} social workers, plan {plan.title} ({credited} attendances credited, "
        f"{graduated} secretaries graduated from the lead-goose classes, {scored} contest scores), "
        f"{designs} micro-project designs, {served} workers called up in an emergency, "
        f"{pairs} pairs, {forums} forums, last year's round adopted ({results}), {chiefs} chiefs in {seconds:.1f} s."
    )
