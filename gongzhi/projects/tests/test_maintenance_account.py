"""维修账目: the compound's public page shows its maintenance works as an account (item, date,
amount, payee de-identified, totals), only of projects whose notice is published."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.projects import selectors, services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db


def _spend(world, project, description, amount, *, category="works", payee="", person=False, days_ago=3):
    return services.record_expense(
        actor=world.users["neighborhood_secretary"],
        project=project,
        category=category,
        description=description,
        amount=amount,
        spent_on=t.today() - datetime.timedelta(days=days_ago),
        payee=payee,
        payee_is_person=person,
    )


def _disclose(world, project, *, opens_in=0):
    opens = t.today() + datetime.timedelta(days=opens_in)
    return services.publish_disclosure(
        actor=world.users["neighborhood_secretary"],
        project=project,
        opens_on=opens,
        closes_on=opens + datetime.timedelta(days=7),
    )


@pytest.fixture
def compound_with_works(world):
    compound = world.neighborhood_a.compounds.first()
    roof = t.project(world, "屋面防水维修", state="running", budget="50000", compound=compound)
    _disclose(world, roof)
    _spend(world, roof, "3 号楼屋面防水", "12000.50", payee="上海某某防水工程有限公司", days_ago=5)
    _spend(world, roof, "雨水管更换", "800", payee="王建国", person=True, days_ago=2)
    _spend(world, roof, "防水材料", "300", category="materials", payee="某建材店")
    lift = t.project(world, "电梯维保", state="running", budget="20000", compound=compound)
    _disclose(world, lift)
    _spend(world, lift, "电梯钢丝绳更换", "6000", payee="某电梯公司", days_ago=1)
    hidden = t.project(world, "未公示的维修", state="running", budget="9000", compound=compound)
    _spend(world, hidden, "外墙修补", "4000", payee="某公司")
    later = t.project(world, "下周公示的维修", state="running", budget="9000", compound=compound)
    _disclose(world, later, opens_in=3)
    _spend(world, later, "路面修补", "2500", payee="某市政公司")
    return compound


def test_the_account_lists_works_of_published_projects_with_totals(compound_with_works):
    account = selectors.maintenance_account(compound_with_works.pk)
    assert [(r["item"], r["amount"], r["payee"]) for r in account["rows"]] == [
        ("3 号楼屋面防水", Decimal("12000.50"), "上海某某防水工程有限公司"),
        ("雨水管更换", Decimal("800.00"), "王**"),
        ("电梯钢丝绳更换", Decimal("6000.00"), "某电梯公司"),
    ]
    assert [(x["project"], x["amount"]) for x in account["per_project"]] == [
        ("屋面防水维修", Decimal("12800.50")),
        ("电梯维保", Decimal("6000.00")),
    ]
    assert account["total"] == Decimal("18800.50")


def test_the_public_compound_page_prints_the_account_without_names_of_persons(client, compound_with_works):
    page = client.get(reverse("projects:public_compound", args=[compound_with_works.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="maintenance-account"' in html and "data-print" in html
    assert "18800.50" in html and "12800.50" in html and "12000.50" in html
    assert "上海某某防水工程有限公司" in html and "王建国" not in html
    for absent in ("外墙修补", "路面修补", "防水材料"):
        assert absent not in html


def test_the_project_notice_masks_a_private_payee_too(client, world):
    project = t.project(world, "楼道照明", state="running", budget="5000")
    disclosure = _disclose(world, project)
    _spend(world, project, "更换灯具", "600", payee="李小红", person=True)
    html = client.get(reverse("projects:public", args=[disclosure.token])).content.decode()
    assert selectors.payee_shown("李小红", True) in html and "李小红" not in html


def test_an_empty_compound_has_an_empty_account(client, world):
    compound = world.neighborhood_b.compounds.first()
    account = selectors.maintenance_account(compound.pk)
    assert account["rows"] == [] and account["total"] == Decimal("0.00")
    html = client.get(reverse("projects:public_compound", args=[compound.pk])).content.decode()
    assert 'id="maintenance-total"' not in html and 'id="maintenance-account"' in html


def test_the_expense_form_records_the_payee(client, world):
    project = t.project(world, "楼道照明", state="running", budget="5000")
    client.force_login(world.users["social_worker"])
    response = client.post(
        reverse("projects:add_expense", args=[project.pk]),
        {
            "request_key": "k-1",
            "category": "works",
            "description": "更换灯具",
            "amount": "600",
            "spent_on": t.today().isoformat(),
            "payee": "李小红",
            "payee_is_person": "on",
        },
    )
    assert response.status_code == 302
    expense = project.expenses.get()
    assert (expense.payee, expense.payee_is_person) == ("李小红", True)
    client.force_login(world.users["partner_liaison"])  # reads no project it takes no part in
    assert client.post(reverse("projects:add_expense", args=[project.pk]), {}).status_code == 404
