"""Public notices add up: a project approved for a total other than its budget lines' sum gets its
lines apportioned to the approved total (the asked-for amounts kept), so every notice's lines sum
to the approved budget it shows; checked here and over the demo's disclosures."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.projects import demo, services
from gongzhi.projects import testing as t
from gongzhi.projects.models import BudgetLine, Disclosure

pytestmark = pytest.mark.django_db
D = Decimal


def assert_every_notice_adds_up() -> None:
    disclosures = list(Disclosure.objects.select_related("project"))
    assert disclosures
    for disclosure in disclosures:
        lines = disclosure.project.budget_lines.aggregate(t=Sum("amount"))["t"]
        assert D(lines).quantize(D("0.01")) == disclosure.project.approved_budget, disclosure.title


def _two_lines(world, budget_lines):
    project = t.project(world, "楼道微更新", state="under_review", budget=budget_lines[0])
    admin = world.users["subdistrict_admin"]
    for amount in budget_lines[1:]:
        BudgetLine.objects.create(project=project, category="materials", item="材料", amount=amount)
    return project, admin


def test_an_approval_below_the_lines_apportions_them_and_keeps_what_was_asked(world):
    project, admin = _two_lines(world, ["30000", "20000.01"])
    services.transition(actor=admin, project=project, to="approved", approved_budget="45000")
    lines = list(project.budget_lines.order_by("id"))
    assert sum(line.amount for line in lines) == D("45000.00")
    assert [line.requested_amount for line in lines] == [D("30000.00"), D("20000.01")]
    assert services.requested_budget(project) == D("50000.01")


def test_an_approval_at_the_lines_total_leaves_them_alone(world):
    project, admin = _two_lines(world, ["30000", "20000"])
    services.transition(actor=admin, project=project, to="approved", approved_budget="50000")
    assert not project.budget_lines.filter(requested_amount__isnull=False).exists()


def test_the_public_notice_shows_lines_adding_up_to_the_approved_budget(world, client):
    project, admin = _two_lines(world, ["30000", "20000"])
    services.transition(actor=admin, project=project, to="approved", approved_budget="55000", note="追加")
    today = datetime.date.today()
    disclosure = services.publish_disclosure(
        actor=admin, project=project, opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    page = client.get(reverse("projects:public", args=[disclosure.token])).content.decode()
    assert 'id="lines-total">55000.00<' in page and 'id="public-approved">55000.00<' in page
    assert_every_notice_adds_up()


def test_every_notice_of_the_demo_adds_up():
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    demo.load_demo()
    assert_every_notice_adds_up()
