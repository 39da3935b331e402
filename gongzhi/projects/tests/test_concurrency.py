"""Two people acting on one project at once: one wins, the other is told (run on PostgreSQL too)."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.org.testing import subdistrict_colleague
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Allocation, Expense, Project, Step

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approve_and_reject_leave_one_decision(world):
    project = t.project(world, state="under_review")
    admin = world.users["subdistrict_admin"]
    outcomes = run_together(
        lambda: services.transition(actor=admin, project=project, to="approved"),
        lambda: services.transition(actor=admin, project=project, to="rejected", note="不符合条件"),
    )
    won = [o for o in outcomes if isinstance(o, Project)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(lost)) == (1, 1), outcomes
    assert Project.objects.get(pk=project.pk).state == won[0].state
    assert Step.objects.filter(project=project, from_state="under_review").count() == 1


def test_concurrent_expenses_never_pass_the_approved_budget(world):
    project = t.project(world, state="running", budget="5000")
    people = [
        world.users["social_worker"],
        world.users["neighborhood_secretary"],
        world.users["subdistrict_admin"],
    ]
    outcomes = run_together(
        *(
            lambda p=p: services.record_expense(
                actor=p,
                project=project,
                category="works",
                description="材料",
                amount="2000",
                spent_on=t.today(),
            )
            for p in people
        )
    )
    assert sum(isinstance(o, Expense) for o in outcomes) == 2, outcomes
    assert services.spent(project) == 4000


def test_concurrent_adoptions_adopt_one_preview(world):
    admin = world.users["subdistrict_admin"]
    rule = services.save_rule(
        actor=admin,
        subdistrict=world.subdistrict,
        name="r",
        top=1,
        raise_percent=10,
        bottom=1,
        cut_percent=10,
    )
    a = t.project(world, "甲", state="submitted")
    b = t.project(world, "乙", state="submitted")
    r, judges = t.review_round(world, [a, b], members=1, rule=rule)
    crit = list(r.criteria.all())
    for p, v in ((a, 90), (b, 80)):
        services.submit_scores(actor=judges[0], review_round=r, project=p, values={c.pk: v for c in crit})
    previews = [services.preview_allocation(actor=admin, review_round=r) for _ in range(3)]
    colleague = subdistrict_colleague(world)  # four eyes: the previewer may not adopt
    outcomes = run_together(
        *(lambda x=x: services.adopt_allocation(actor=colleague, allocation_obj=x) for x in previews)
    )
    assert sum(isinstance(o, Allocation) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 2, outcomes  # told, not refused
    assert Allocation.objects.filter(review_round=r, status="adopted").count() == 1
