"""A courier needs survey in the world's neighborhood A, for tests."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from gongzhi.surveys import services
from gongzhi.surveys.models import Survey

COURIERS_CSV = "姓名,手机,平台\n张师傅,13800000001,顺丰\n李师傅,13800000002,美团\n王师傅,13800000003,饿了么\n"


def courier_survey(world, *, publish: bool = True, open_link: bool = False, neighborhood=None) -> Survey:
    actor = world.users["subdistrict_admin"]
    now = timezone.now()
    survey = services.create_survey(
        actor=actor
        if neighborhood is None or neighborhood.subdistrict_id == world.subdistrict.pk
        else _root(),
        neighborhood=neighborhood or world.neighborhood_a,
        title="小哥驿站需求调查",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        target=Survey.Target.CUSTOM,
        open_link=open_link,
    )
    actor = actor if survey.neighborhood.subdistrict_id == world.subdistrict.pk else _root()
    services.add_question(
        actor=actor,
        survey=survey,
        kind="single",
        text="您主要在哪个平台工作？",
        options="顺丰\n美团\n饿了么\n其他",
    )
    services.add_question(
        actor=actor,
        survey=survey,
        kind="multiple",
        text="驿站最需要哪些服务？",
        options="饮水\n充电\n休息\n如厕\n热饭",
    )
    services.add_question(
        actor=actor, survey=survey, kind="scale", text="您对现有休息条件的满意度", scale_max=5
    )
    services.add_question(actor=actor, survey=survey, kind="text", text="其他建议", required=False)
    services.import_respondents(
        actor=actor, survey=survey, upload=ContentFile(COURIERS_CSV.encode(), name="couriers.csv")
    )
    if publish:
        survey = services.publish(actor=actor, survey=survey)
    return survey


def _root():
    from django.contrib.auth import get_user_model

    from gongzhi.org import factories as f

    return get_user_model().objects.filter(username="survey-root").first() or f.UserFactory(
        username="survey-root", is_superuser=True, is_staff=True
    )


def full_answer(survey: Survey) -> dict[str, list[str]]:
    q = {x.position: x.field_name for x in survey.questions.all()}
    return {q[1]: ["1"], q[2]: ["0", "2"], q[3]: ["4"], q[4]: ["希望有微波炉，电话 13912345678"]}
