"""Panel scoring, ranking, allocation preview and adoption, spending rules, disclosure comments."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.org import factories as f
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Allocation, Comment, Expense

pytestmark = pytest.mark.django_db
D = Decimal


def _score_all(r, judges, table):
    """table: {project: [per judge: (立项, 进度, 资金管理)]}"""
    crit = list(r.criteria.all())
    for project, rows in table.items():
        for judge, row in zip(judges, rows, strict=True):
            services.submit_scores(
                actor=judge,
                review_round=r,
                project=project,
                values={c.pk: v for c, v in zip(crit, row, strict=True)},
            )


def test_weighted_mean_and_ranking_with_drop_of_extremes(world):
    a = t.project(world, "甲", state="submitted")
    b = t.project(world, "乙", state="submitted")
    r, judges = t.review_round(world, [a, b], members=3, drop_extremes=True)
    _score_all(
        r,
        judges,
        {a: [(100, 100, 100), (80, 80, 80), (0, 0, 0)], b: [(90, 90, 90), (90, 90, 90), (90, 60, 30)]},
    )
    rows = services.ranking(r)
    # a: totals 100, 80, 0 → drop both → 80; b: 90, 90, 0.4*90+0.3*60+0.3*30=63 → drop 90 and 63 → 90
    assert [(x.project.title, x.result, x.rank) for x in rows] == [
        ("乙", D("90.0000"), 1),
        ("甲", D("80.0000"), 2),
    ]


def test_members_score_independently_and_only_what_their_panel_reviews(world):
    a = t.project(world, "甲", state="submitted")
    b = t.project(world, "乙", state="submitted")
    r, judges = t.review_round(world, [a, b], members=2)
    admin = world.users["subdistrict_admin"]
    outsider = f.UserFactory(username="outsider")
    services.create_panel(actor=admin, review_round=r, name="第二组", members=[outsider], projects=[b])
    crit = list(r.criteria.all())
    with pytest.raises(NotInScope):
        services.submit_scores(actor=outsider, review_round=r, project=a, values={c.pk: 50 for c in crit})
    with pytest.raises(NotInScope):
        services.submit_scores(
            actor=world.users["neighborhood_secretary"],
            review_round=r,
            project=a,
            values={c.pk: 50 for c in crit},
        )
    with pytest.raises(ValidationError) as e:
        services.submit_scores(
            actor=judges[0], review_round=r, project=a, values={crit[0].pk: 101, crit[1].pk: 1, crit[2].pk: 1}
        )
    assert f"criterion_{crit[0].pk}" in e.value.message_dict
    services.submit_scores(actor=judges[0], review_round=r, project=a, values={c.pk: 70 for c in crit})
    services.submit_scores(
        actor=judges[0], review_round=r, project=a, values={c.pk: 60 for c in crit}
    )  # replaces
    assert a.scores.count() == 3
    assert services.ranking(r)[0].result == D("60.0000")


def test_allocation_preview_then_adopt_then_supersede(world):
    admin = world.users["subdistrict_admin"]
    rule = services.save_rule(
        actor=admin,
        subdistrict=world.subdistrict,
        name="前1增10%后1减10%",
        top=1,
        raise_percent=10,
        bottom=1,
        cut_percent=10,
    )
    a = t.project(world, "甲", state="submitted", budget="10000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="submitted", budget="20000", owner=t.org(world, "乙支部"))
    c = t.project(world, "丙", state="submitted", budget="30000.05", owner=t.org(world, "丙支部"))
    r, judges = t.review_round(world, [a, b, c], members=1, rule=rule)
    with pytest.raises(ValidationError) as e:
        services.preview_allocation(actor=admin, review_round=r)
    assert "scores" in e.value.message_dict
    _score_all(r, judges, {a: [(90, 90, 90)], b: [(80, 80, 80)], c: [(70, 70, 70)]})
    with pytest.raises(PermissionDenied):
        services.preview_allocation(actor=world.users["neighborhood_secretary"], review_round=r)
    preview = services.preview_allocation(actor=admin, review_round=r)
    assert [(x.org.name, x.old, x.new) for x in preview.lines.all()] == [
        ("甲支部", D("10000.00"), D("11000.00")),
        ("乙支部", D("20000.00"), D("20000.00")),
        ("丙支部", D("30000.05"), D("27000.05")),  # 27000.045 → half up
    ]
    adopted = services.adopt_allocation(actor=admin, allocation_obj=preview)
    assert adopted.status == "adopted"
    with pytest.raises(ValidationError):
        services.adopt_allocation(actor=admin, allocation_obj=adopted)
    second = services.preview_allocation(actor=admin, review_round=r)
    with pytest.raises(ValidationError) as e:
        services.adopt_allocation(actor=admin, allocation_obj=second)
    assert "reason" in e.value.message_dict
    services.adopt_allocation(actor=admin, allocation_obj=second, reason="评分更正")
    assert Allocation.objects.get(pk=preview.pk).status == "superseded"
    assert Allocation.objects.get(pk=second.pk).supersedes_id == preview.pk
    # the superseded one keeps its lines unchanged
    assert [x.new for x in Allocation.objects.get(pk=preview.pk).lines.all()] == [
        D("11000.00"),
        D("20000.00"),
        D("27000.05"),
    ]


def test_spending_rules_need_an_override_with_reason(world):
    admin = world.users["subdistrict_admin"]
    services.save_spending_rule(
        actor=admin,
        subdistrict=world.subdistrict,
        category="visit",
        cap_per_person="200",
        cap_per_event="2000",
        forbidden_items="烟酒\n购物卡",
    )
    project = t.project(world, state="running", budget="5000")
    sw = world.users["social_worker"]
    today = t.today()
    ok = services.record_expense(
        actor=sw,
        project=project,
        category="visit",
        description="慰问困难老人 米油",
        amount="1000",
        persons=5,
        spent_on=today,
    )
    assert ok.breaches == []
    with pytest.raises(ValidationError) as e:
        services.record_expense(
            actor=sw,
            project=project,
            category="visit",
            description="慰问 购物卡",
            amount="300",
            persons=1,
            spent_on=today,
        )
    messages = e.value.message_dict["amount"]
    assert any("购物卡" in m for m in messages) and len(messages) == 2  # forbidden item and per-person cap
    with pytest.raises(ValidationError):
        services.record_expense(
            actor=sw, project=project, category="visit", description="慰问", amount="100", spent_on=today
        )  # persons missing
    with pytest.raises(PermissionDenied):  # a social worker cannot override
        services.record_expense(
            actor=sw,
            project=project,
            category="visit",
            description="慰问",
            amount="300",
            persons=1,
            spent_on=today,
            override_reason="特殊困难",
        )
    sec = world.users["neighborhood_secretary"]
    e1 = services.record_expense(
        actor=sec,
        project=project,
        category="visit",
        description="慰问",
        amount="300",
        persons=1,
        spent_on=today,
        override_reason="特殊困难",
        request_key="k1",
    )
    again = services.record_expense(
        actor=sec,
        project=project,
        category="visit",
        description="慰问",
        amount="300",
        persons=1,
        spent_on=today,
        override_reason="特殊困难",
        request_key="k1",
    )
    assert e1.pk == again.pk and e1.overridden_by == sec and e1.breaches
    assert Expense.objects.filter(project=project).count() == 2
    with pytest.raises(ValidationError) as e:  # beyond the approved budget
        services.record_expense(
            actor=sw, project=project, category="works", description="材料", amount="3700.01", spent_on=today
        )
    rows = {r["category"]: r for r in services.budget_vs_actual(project)}
    assert rows["visit"]["spent"] == D("1300.00") and rows["works"]["budget"] == D("5000.00")


def test_expenses_only_while_running(world):
    project = t.project(world, state="submitted")
    with pytest.raises(ValidationError):
        services.record_expense(
            actor=world.users["social_worker"],
            project=project,
            category="works",
            description="x",
            amount="1",
            spent_on=t.today(),
        )


def test_comments_only_in_the_notice_period_and_rate_limited(world):
    project = t.project(world, state="approved")
    sec = world.users["neighborhood_secretary"]
    today = t.today()
    with pytest.raises(ValidationError):
        services.publish_disclosure(
            actor=sec, project=project, opens_on=today, closes_on=today - datetime.timedelta(days=1)
        )
    d = services.publish_disclosure(
        actor=sec, project=project, opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    c = services.add_comment(disclosure=d, kind="objection", body="预算偏高", name="张三", client="10.0.0.1")
    assert services.add_comment(disclosure=d, kind="objection", body="预算偏高", client="10.0.0.1").pk == c.pk
    for i in range(4):
        services.add_comment(disclosure=d, kind="comment", body=f"意见{i}", client="10.0.0.1")
    with pytest.raises(ValidationError):
        services.add_comment(disclosure=d, kind="comment", body="再来", client="10.0.0.1")
    services.add_comment(disclosure=d, kind="comment", body="另一位", client="10.0.0.2")
    past = services.publish_disclosure(
        actor=sec,
        project=project,
        opens_on=today - datetime.timedelta(days=9),
        closes_on=today - datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        services.add_comment(disclosure=past, kind="comment", body="晚了", client="10.0.0.3")
    assert Comment.objects.count() == 6


def test_approval_defaults_to_the_adopted_allocation(world):
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
    a = t.project(world, "甲", state="under_review", budget="10000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="under_review", budget="10000", owner=t.org(world, "乙支部"))
    r, judges = t.review_round(world, [a, b], members=1, rule=rule)
    _score_all(r, judges, {a: [(90, 90, 90)], b: [(60, 60, 60)]})
    services.adopt_allocation(
        actor=admin, allocation_obj=services.preview_allocation(actor=admin, review_round=r)
    )
    assert services.transition(actor=admin, project=a, to="approved").approved_budget == D("11000.00")
    assert services.transition(actor=admin, project=b, to="approved").approved_budget == D("9000.00")
