"""Demo data: the couriers' rest-station (小哥驿站) needs survey of the demo town's first
neighborhood, after 大场镇's questionnaire for 120 couriers and delivery riders: 132 people on the
list, 120 answers, a few open-link answers. Idempotent: a second run changes nothing."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Neighborhood
from gongzhi.surveys.models import Answer, Question, Respondent, Response, Survey

TITLE = "小哥驿站需求调查"
PROJECT = "小哥驿站建设"  # the projects demo's first project
INVITED, ANSWERED, OPEN_ANSWERS = 132, 120, 6
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
PLATFORMS = ["顺丰", "京东", "中通/圆通/申通/韵达", "美团外卖", "饿了么", "其他"]
NEEDS = ["饮水", "手机充电", "电动车充换电", "休息座椅", "如厕", "热饭/微波炉", "避暑避寒", "医药箱"]
HOURS = ["8 小时以内", "8–10 小时", "10–12 小时", "12 小时以上"]
SUGGESTIONS = [
    "希望驿站晚上十点以后也开着",
    "电动车充电最要紧，小区里不让充",
    "有个能热饭的地方就很好",
    "希望离菜市场近一点，取餐方便",
    "夏天太热，想要空调和冰水",
    "能不能给我们也办个社区活动，认识认识邻居",
    "厕所问题最头疼，商场保安不让进",
    "希望有雨衣、雨鞋借用",
]


def _questions(survey: Survey) -> list[Question]:
    rows = [
        ("single", "您目前主要在哪个平台工作？", PLATFORMS, True, 5),
        ("single", "您平均每天工作多长时间？", HOURS, True, 5),
        ("multiple", "您最希望“小哥驿站”提供哪些服务？", NEEDS, True, 5),
        ("scale", "您对目前工作途中休息条件的满意程度", [], True, 5),
        ("scale", "您有多大可能向同行推荐使用驿站？", [], True, 10),
        ("text", "您对驿站建设还有什么建议？", [], False, 5),
    ]
    return [
        Question(
            survey=survey,
            position=n,
            kind=kind,
            text=text,
            options=options,
            required=required,
            scale_min=0 if top == 10 else 1,
            scale_max=top,
        )
        for n, (kind, text, options, required, top) in enumerate(rows, start=1)
    ]


def _answers(rng: random.Random, questions: list[Question]) -> list[Answer]:
    platform, hours, needs, comfort, recommend, text = questions
    picked_needs = rng.sample(range(len(NEEDS)), rng.randint(1, 4))
    if rng.random() < 0.7 and 2 not in picked_needs:
        picked_needs.append(2)  # charging is what riders ask for most
    out = [
        Answer(
            question=platform,
            choices=[rng.choices(range(len(PLATFORMS)), weights=[14, 10, 18, 30, 22, 6])[0]],
        ),
        Answer(question=hours, choices=[rng.choices(range(len(HOURS)), weights=[10, 35, 40, 15])[0]]),
        Answer(question=needs, choices=sorted(picked_needs)),
        Answer(question=comfort, number=rng.choices([1, 2, 3, 4, 5], weights=[22, 35, 28, 11, 4])[0]),
        Answer(question=recommend, number=min(10, max(0, round(rng.gauss(8, 1.6))))),
    ]
    if rng.random() < 0.45:
        out.append(Answer(question=text, text=rng.choice(SUGGESTIONS)))
    return out


def _attach_project(survey: Survey) -> bool:
    """The projects demo's rest-station project of the same neighborhood, whichever loads first."""
    from gongzhi.projects.models import Project

    project = Project.objects.filter(neighborhood=survey.neighborhood, title=PROJECT).first()
    if project is None:
        return False
    Survey.objects.filter(pk=survey.pk).update(project=project)
    audit.record("update", survey, actor=None, summary=f"demo survey attached to project {project.pk}")
    return True


def load_demo() -> str:
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "surveys: no demo town loaded; run `gongzhi demo load` first."
    neighborhood = Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code").first()
    existing = Survey.objects.filter(neighborhood=neighborhood, title=TITLE).first()
    if existing is not None:
        if existing.project_id is None and _attach_project(existing):
            return f"surveys: {TITLE} already loaded; now the needs study of project {PROJECT}."
        return f"surveys: {TITLE} already loaded, nothing changed."
    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        survey = Survey.objects.create(
            neighborhood=neighborhood,
            title=TITLE,
            intro="为建好“小哥驿站”，居民区党总支与上海大学调研团队邀请在社区工作、生活的快递员和外卖骑手填写本问卷，约 3 分钟。",
            status=Survey.Status.PUBLISHED,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=4),
            published_at=now - timedelta(days=10),
            target=Survey.Target.CUSTOM,
            open_link=True,
        )
        questions = Question.objects.bulk_create(_questions(survey))
        people = []
        for n in range(INVITED):
            person = Respondent(
                survey=survey,
                name=rng.choice(SURNAMES) + "师傅",
                note=rng.choice(PLATFORMS[:5]),
                notified_at=now - timedelta(days=10),
            )
            person.set_phone(f"170{n:08d}")
            people.append(person)
        people = Respondent.objects.bulk_create(people)
        responses = [
            Response(
                survey=survey, respondent=p, submitted_at=now - timedelta(minutes=rng.randint(30, 14000))
            )
            for p in rng.sample(people, ANSWERED)
        ]
        responses += [
            Response(
                survey=survey,
                submission_key=f"demo-open-{n:04d}-{rng.getrandbits(64):016x}",
                client_digest=f"demo-{n}",
                submitted_at=now - timedelta(minutes=rng.randint(30, 14000)),
            )
            for n in range(OPEN_ANSWERS)
        ]
        responses = Response.objects.bulk_create(responses)
        answers = []
        for response in responses:
            for answer in _answers(rng, questions):
                answer.response = response
                answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=1000)
        audit.record("import", survey, actor=None, summary=f"demo survey {TITLE}: {len(responses)} responses")
        _attach_project(survey)
    return (
        f"surveys: {TITLE} in {neighborhood.name}: {INVITED} couriers asked, "
        f"{ANSWERED} answered by personal link, {OPEN_ANSWERS} by open link."
    )
