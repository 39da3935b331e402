"""Spending rules and expenses (services/expenses.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Expense

pytestmark = pytest.mark.django_db
D = Decimal


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
