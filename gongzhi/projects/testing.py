"""Builders for project tests on top of the `world` fixture: a submitted, approved or running
project of neighborhood A, a review round with a panel, all through the real services."""

import datetime

from django.utils import timezone

from gongzhi.org import factories as f
from gongzhi.org.testing import far_admin
from gongzhi.projects import services
from gongzhi.projects.models import Project


def project(
    world,
    title: str = "加装电梯",
    *,
    state: str = "draft",
    budget: str = "20000",
    neighborhood=None,
    **fields,
):
    """A project of neighborhood A (or `neighborhood`) taken to `state` by the real services."""
    neighborhood = neighborhood or world.neighborhood_a
    secretary = world.users["neighborhood_secretary"] if neighborhood == world.neighborhood_a else None
    admin = world.users["subdistrict_admin"]
    if neighborhood != world.neighborhood_a and not neighborhood.party_orgs.exists():
        f.PartyOrgFactory(neighborhood=neighborhood, level="community")
    actor = secretary or (admin if neighborhood.subdistrict_id == world.subdistrict.pk else None)
    if actor is None:  # another subdistrict: its own admin
        actor = far_admin(world)
        admin = actor
    p = services.create_project(
        actor=actor,
        neighborhood=neighborhood,
        title=title,
        goals="让老人上下楼方便",
        beneficiaries="6 号楼 24 户",
        **fields,
    )
    services.add_budget_line(actor=actor, project=p, category="works", item="电梯土建", amount=budget)
    path = ["submitted", "under_review", "approved", "running", "midterm", "final_report", "closed"]
    if state == "draft":
        return p
    for step in path[: path.index(state) + 1]:
        who = admin if step in ("under_review", "approved", "closed") else actor
        p = services.transition(actor=who, project=p, to=step, note="ok")
    return Project.objects.get(pk=p.pk)


def org(world, name: str, *, neighborhood=None):
    """Another party organisation of neighborhood A (or `neighborhood`) to own projects: the
    allocation ranks owner organisations, so rounds of several projects need several owners."""
    neighborhood = neighborhood or world.neighborhood_a
    return f.PartyOrgFactory(neighborhood=neighborhood, subdistrict=neighborhood.subdistrict, name=name)


def review_round(world, projects, *, members=2, drop_extremes: bool = False, rule=None):
    admin = world.users["subdistrict_admin"]
    r = services.create_round(
        actor=admin,
        subdistrict=world.subdistrict,
        name="2026 年度立项评审",
        criteria=[("立项", 40), ("进度", 30), ("资金管理", 30)],
        drop_extremes=drop_extremes,
        rule=rule,
    )
    services.add_to_round(actor=admin, review_round=r, projects=projects)
    judges = [f.UserFactory(username=f"judge{i}-{r.pk}") for i in range(members)]
    services.create_panel(actor=admin, review_round=r, name="评审组", members=judges, chair=judges[0])
    return r, judges


def today() -> datetime.date:
    return timezone.localdate()


def score_all(review_round, judges, table) -> None:
    """Every judge scores every project; table: {project: [per judge: (立项, 进度, 资金管理)]}."""
    criteria = list(review_round.criteria.all())
    for project, rows in table.items():
        for judge, row in zip(judges, rows, strict=True):
            services.submit_scores(
                actor=judge,
                review_round=review_round,
                project=project,
                values={c.pk: v for c, v in zip(criteria, row, strict=True)},
            )
