"""Workforce records on the shared `world`: who works where, a plan, a session and an open round."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.org import factories as f
from gongzhi.workforce import services
from gongzhi.workforce.models import Line


@dataclass
class Crew:
    admin: object
    secretary: object  # profile of the neighborhood secretary (level secretary)
    worker: object  # profile of the social worker (regular)
    novice: object  # a novice in the same neighborhood, with an account of no role
    far_worker: object  # a worker of neighborhood B
    plan: object
    course: object
    session: object


def build_crew(world) -> Crew:
    admin = world.users["subdistrict_admin"]
    nb_a, nb_b = world.neighborhood_a, world.neighborhood_b
    start = date(2024, 3, 1)

    def profile(user, name, level, nb=nb_a):
        return services.create_profile(
            actor=admin, user=user, name=name, neighborhood=nb, post_level=level, started_on=start
        )

    secretary = profile(world.users["neighborhood_secretary"], "王书记", "secretary")
    worker = profile(world.users["social_worker"], "李社工", "regular")
    novice = profile(f.UserFactory(username="novice"), "陈初任", "novice")
    far_worker = profile(f.UserFactory(username="worker_b"), "赵社工", "regular", nb_b)
    year = timezone.localdate().year
    plan = services.create_plan(
        actor=admin,
        subdistrict=world.subdistrict,
        year=year,
        title="燃星计划",
        target_hours="500",
        requirements={
            (level, line): "8"
            for level in ("novice", "regular", "team_lead", "secretary")
            for line in Line.values
        },
    )
    course = services.add_course(
        actor=admin, plan=plan, title="应知应会：民政政策", line="must_know", hours="3"
    )
    session = services.schedule_session(
        actor=admin, course=course, starts_at=timezone.now() - timedelta(minutes=10), place="党群服务中心"
    )
    return Crew(admin, secretary, worker, novice, far_worker, plan, course, session)


def open_test_round(world, crew, pool: str = "10000.00"):
    admin = world.users["subdistrict_admin"]
    assessment = services.open_round(
        actor=admin,
        subdistrict=world.subdistrict,
        title="2025 年终考核",
        kind="year_end",
        period="2025",
        pool=pool,
        groups=[("party", "社区党委", "50"), ("office", "社建办", "30"), ("grid", "微社区组长", "20")],
    )
    groups = {g.code: g for g in assessment.groups.all()}
    return assessment, groups


PERSONAL = {
    "worker": Decimal("90"),
    "secretary": Decimal("80"),
    "novice": Decimal("70"),
    "far_worker": Decimal("60"),
}
