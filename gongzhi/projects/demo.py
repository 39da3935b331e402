"""Demo data for projects: the demo town's special party-building fund round, after 杨行镇's
"年初立项、中期评估、终期报告" and 大场镇's "九个一". Eight neighborhood projects are submitted,
scored by a three-member panel on setup, progress and fund management, ranked, and the
"top 3 +10%, bottom 5 −10%" rule is previewed by `admin` and adopted by `admin2` (four eyes); the projects then run with
milestones, tasks, check-ins and expenses (one override), and one is disclosed (公示).
Everything goes through the services, so the audit trail is real. Idempotent.
"""

import datetime
import time

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.org.demo import catalog, generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Neighborhood, PartyOrg
from gongzhi.projects import services
from gongzhi.projects.models import ReviewRound

ROUND = "2026 年度党建专项经费立项评审"
NINE = "一张任务清单 一个工作团队 一张时间表 一次需求调研 一次启动仪式 一次中期评估 一篇宣传报道 一次成果展示 一份终期报告".split()
PROJECTS = [
    # title, kind, goals, beneficiaries, budget lines, scores (setup, progress, fund management) × 3
    (
        "小哥驿站建设",
        "fund",
        "为快递员、外卖骑手建设集饮水、充电、休息于一体的驿站",
        "辖区 120 名快递外卖小哥",
        [("materials", "饮水机、微波炉、充电柜", "18000"), ("works", "驿站装修", "32000")],
        (92, 90, 88),
    ),
    (
        "老年助餐点提质",
        "fund",
        "提升助餐点菜品与送餐服务",
        "独居、高龄老人 86 人",
        [("services", "送餐服务购买", "24000"), ("materials", "保温餐箱", "3600")],
        (88, 86, 90),
    ),
    (
        "楼道微更新",
        "micro_renewal",
        "整治 12 个楼道的堆物与照明",
        "6 栋楼 144 户",
        [("works", "楼道照明改造", "15000"), ("materials", "公共晾晒架", "4800")],
        (85, 83, 82),
    ),
    (
        "睦邻客厅",
        "flagship",
        "打造居民议事和睦邻活动空间",
        "全体居民",
        [("works", "空间改造", "40000"), ("activity", "睦邻节活动", "6000")],
        (84, 80, 86),
    ),
    (
        "加装电梯协商",
        "practical",
        "推动两个门洞加装电梯协商达成一致",
        "3 号楼 24 户",
        [("services", "协商会议与第三方咨询", "9000")],
        (80, 78, 79),
    ),
    (
        "困难家庭走访慰问",
        "fund",
        "节日走访困难家庭，建立需求台账",
        "困难家庭 40 户",
        [("visit", "节日慰问品", "8000")],
        (76, 77, 72),
    ),
    (
        "小区停车秩序治理",
        "practical",
        "规范非机动车停放，建设充电棚",
        "2 个小区",
        [("works", "非机动车充电棚", "26000")],
        (74, 70, 73),
    ),
    (
        "社区花园",
        "micro_renewal",
        "改造闲置绿地为居民共建花园",
        "周边 300 户",
        [("materials", "花苗与工具", "7000"), ("activity", "共建活动", "2000")],
        (70, 72, 68),
    ),
]
JUDGE_SPREAD = (0, -3, 2)  # three members score independently, a little apart


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["admin", "secretary", "socialworker"])}


def _owners(neighborhoods, n: int) -> list:
    """One owner organisation per project, as the allocation ranks organisations: each
    neighborhood's own (community committee, else top branch) first, then, in a small demo town,
    further branches of the same neighborhoods."""
    first = [services.owner_of(nb) for nb in neighborhoods]
    more = PartyOrg.objects.filter(neighborhood__in=neighborhoods).exclude(pk__in=[o.pk for o in first])
    return (first + list(more.select_related("neighborhood").order_by("neighborhood__code", "id")))[:n]


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "projects: no demo town loaded; run `gongzhi demo load` first."
    if ReviewRound.objects.filter(subdistrict=subdistrict, name=ROUND).exists():
        return f"projects: {ROUND} already loaded, nothing changed."
    users = _users()
    admin = users.get("admin")
    colleague = User.objects.filter(username=catalog.SUBDISTRICT_COLLEAGUE[0]).first()
    if admin is None or colleague is None:
        return "projects: the demo logins are missing; run `gongzhi demo load` first."
    neighborhoods = [
        nb
        for nb in Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code")
        if nb.party_orgs.exists()
    ][: len(PROJECTS)]
    owners = _owners(neighborhoods, len(PROJECTS))
    today = timezone.localdate()
    with transaction.atomic():
        services.set_required_actions(actor=admin, subdistrict=subdistrict, names=NINE)
        services.save_spending_rule(
            actor=admin,
            subdistrict=subdistrict,
            category="visit",
            cap_per_person="200",
            cap_per_event="3000",
            forbidden_items="烟酒\n购物卡\n现金红包",
        )
        rule = services.save_rule(
            actor=admin,
            subdistrict=subdistrict,
            name="前 3 名上浮 10%，后 5 名下调 10%",
            top=3,
            raise_percent=10,
            bottom=5,
            cut_percent=10,
        )
        projects = []
        for i, (title, kind, goals, beneficiaries, lines, _scores) in enumerate(PROJECTS):
            owner = owners[i % len(owners)]
            nb = owner.neighborhood
            p = services.create_project(
                actor=admin,
                neighborhood=nb,
                owner=owner,
                title=title,
                kind=kind,
                origin="proposal",
                goals=goals,
                beneficiaries=beneficiaries,
                compound=nb.compounds.order_by("id").first(),
                starts_on=today.replace(month=1, day=1) if today.month > 1 else today,
                ends_on=today.replace(month=12, day=31),
                university_teams="上海大学社会学院调研团队" if i == 0 else "",
            )
            for category, item, amount in lines:
                services.add_budget_line(actor=admin, project=p, category=category, item=item, amount=amount)
            p = services.transition(actor=admin, project=p, to="submitted", note="居民区党组织提交立项申请")
            projects.append(p)
        review = services.create_round(
            actor=admin,
            subdistrict=subdistrict,
            name=ROUND,
            stage="setup",
            criteria=[("项目设置", 40), ("推进情况", 30), ("经费管理", 30)],
            rule=rule,
        )
        services.add_to_round(actor=admin, review_round=review, projects=projects)
        judges = list(users.values())
        services.create_panel(
            actor=admin, review_round=review, name="党建办评审组", members=judges, chair=admin
        )
        criteria = list(review.criteria.all())
        for p, (*_rest, scores) in zip(projects, PROJECTS, strict=True):
            for judge, spread in zip(judges, JUDGE_SPREAD, strict=False):
                values = {c.pk: max(0, min(100, s + spread)) for c, s in zip(criteria, scores, strict=True)}
                services.submit_scores(actor=judge, review_round=review, project=p, values=values)
        services.close_round(actor=admin, review_round=review)
        preview = services.preview_allocation(actor=admin, review_round=review)
        # four eyes: the second subdistrict login adopts what admin previewed
        services.adopt_allocation(actor=colleague, allocation_obj=preview)
        for p in projects:
            services.transition(actor=admin, project=p, to="under_review", note="进入评审")
        for p in projects[:-1]:
            services.transition(actor=admin, project=p, to="approved", note="评审通过")
        services.transition(
            actor=admin, project=projects[-1], to="rejected", note="与去年项目重复，建议并入楼道微更新"
        )
        _run(admin, users, projects[:6], today)
        services.draft_from_hot_issue(
            admin,
            neighborhood=neighborhoods[0],
            title="老旧小区雨污混接改造",
            summary="近三个月 37 条诉求反映雨天下水道返味、积水（问题清单）",
        )
    return (
        f"projects: {len(projects) + 1} projects, {ROUND} scored by {len(judges)} members, allocation adopted, "
        f"1 disclosure, in {time.perf_counter() - started:.1f} s."
    )


def _run(admin, users, projects, today: datetime.date) -> None:
    """The first six run: milestones, a task each, check-ins, expenses; the first is disclosed."""
    worker = users.get("socialworker", admin)
    nine = list(projects[0].neighborhood.subdistrict.required_actions.filter(active=True))
    for n, p in enumerate(projects):
        services.transition(actor=admin, project=p, to="running", note="启动实施")
        services.add_milestone(
            actor=admin, project=p, title="需求调研完成", due_on=today - datetime.timedelta(days=30)
        )
        m = services.add_milestone(
            actor=admin, project=p, title="主体建设完成", due_on=today + datetime.timedelta(days=45)
        )
        services.add_task(
            actor=admin,
            project=p,
            title="整理居民意见并反馈",
            assignee=worker,
            due_on=today + datetime.timedelta(days=n + 2),
            milestone=m,
        )
        for action in nine[: max(1, 6 - n)]:
            services.tick_action(actor=admin, project=p, action=action, done_on=today)
        for weeks in (3, 2, 1):
            services.record_check_in(
                actor=admin,
                project=p,
                cadence="weekly",
                held_on=today - datetime.timedelta(weeks=weeks),
                notes="每周一对接：梳理进度、协调共建单位",
            )
        services.record_check_in(
            actor=admin,
            project=p,
            cadence="monthly",
            held_on=today - datetime.timedelta(days=20),
            notes="每月一碰头：居民区书记、高校团队、物业共同参加",
        )
        if n != 4:  # one project is late with its survey: the dashboard shows an overdue milestone
            services.complete_milestone(actor=admin, milestone=p.milestones.order_by("due_on").first())
    first = projects[0]
    services.record_expense(
        actor=admin,
        project=first,
        category="materials",
        description="饮水机 2 台、微波炉 1 台",
        amount="6380.00",
        spent_on=today - datetime.timedelta(days=12),
        request_key="demo-exp-1",
    )
    services.record_expense(
        actor=admin,
        project=first,
        category="works",
        description="驿站墙面与地面翻新",
        amount="21500.50",
        spent_on=today - datetime.timedelta(days=5),
        request_key="demo-exp-2",
    )
    visits = next(p for p in projects if p.title == "困难家庭走访慰问")
    services.record_expense(
        actor=admin,
        project=visits,
        category="visit",
        description="春节慰问困难家庭米油",
        amount="3600.00",
        persons=20,
        spent_on=today - datetime.timedelta(days=3),
        override_reason="春节集中走访，单次超上限，经党总支会议同意",
        request_key="demo-exp-3",
    )
    services.publish_disclosure(
        actor=admin,
        project=first,
        opens_on=today - datetime.timedelta(days=2),
        closes_on=today + datetime.timedelta(days=5),
        title="小哥驿站建设项目经费公示",
        body="根据居民区党组织决定，现将小哥驿站建设项目预算和支出情况公示如下，公示期内欢迎居民提出意见。",
    )
