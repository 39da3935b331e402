"""Every page: in-scope allowed, out-of-scope 404 or 403, anonymous sent to sign in."""

import datetime

import pytest
from django.urls import reverse

from gongzhi.org import factories as f
from gongzhi.org.testing import subdistrict_colleague
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Allocation, Comment, Project

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_list_and_dashboard(client, world):
    t.project(world, "加装电梯", state="running")
    t.project(world, "远方项目", neighborhood=world.neighborhood_far)
    page = _client(client, world.users["neighborhood_secretary"]).get(reverse("projects:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "加装电梯" in text and "远方项目" not in text
    assert "项目" in text


def test_list_refuses_roles_without_projects_and_anonymous(client, world):
    assert client.get(reverse("projects:list")).status_code == 302
    assert _client(client, world.users["grid_worker"]).get(reverse("projects:list")).status_code == 403


def test_detail_in_scope_and_out_of_scope(client, world):
    mine = t.project(world, state="running")
    far = t.project(world, "远方项目", neighborhood=world.neighborhood_far)
    c = _client(client, world.users["social_worker"])
    assert c.get(reverse("projects:detail", args=[mine.pk])).status_code == 200
    assert c.get(reverse("projects:detail", args=[far.pk])).status_code == 404
    c.force_login(world.users["neighborhood_secretary"])
    assert c.post(reverse("projects:transition", args=[far.pk]), {"to": "submitted"}).status_code == 404
    assert client.get(reverse("projects:detail", args=[mine.pk]).replace("", "")).status_code == 200


def test_detail_anonymous_redirects(client, world):
    mine = t.project(world)
    assert client.get(reverse("projects:detail", args=[mine.pk])).status_code == 302


def test_create_edit_and_submit_through_pages(client, world):
    c = _client(client, world.users["neighborhood_secretary"])
    assert c.get(reverse("projects:create")).status_code == 200
    response = c.post(
        reverse("projects:create"),
        {
            "neighborhood": world.neighborhood_a.pk,
            "title": "口袋公园",
            "kind": "micro_renewal",
            "origin": "proposal",
            "goals": "增加休憩空间",
            "beneficiaries": "周边 300 户",
        },
    )
    project = Project.objects.get(title="口袋公园")
    assert response.status_code == 302 and response.url == reverse("projects:detail", args=[project.pk])
    c.post(
        reverse("projects:add_line", args=[project.pk]),
        {"category": "works", "item": "铺装", "amount": "8000.50"},
    )
    assert str(project.budget_lines.get().amount) == "8000.50"
    bad = c.post(
        reverse("projects:add_line", args=[project.pk]),
        {"category": "works", "item": "x", "amount": "1.001"},
        follow=True,
    )
    assert project.budget_lines.count() == 1 and "分" in bad.content.decode()
    c.post(reverse("projects:transition", args=[project.pk]), {"to": "submitted", "expected": "draft"})
    project.refresh_from_db()
    assert project.state == "submitted"
    # the owner cannot approve: 403 from the service
    assert (
        c.post(reverse("projects:transition", args=[project.pk]), {"to": "under_review"}).status_code == 302
    )
    project.refresh_from_db()
    assert project.state == "submitted"


def test_create_refused_for_read_only_roles(client, world):
    assert _client(client, world.users["partner_liaison"]).get(reverse("projects:create")).status_code == 403


def test_expense_page_flow_and_idempotent_retry(client, world):
    project = t.project(world, state="running", budget="5000")
    c = _client(client, world.users["social_worker"])
    data = {
        "request_key": "abc123",
        "category": "materials",
        "description": "花苗",
        "amount": "300",
        "spent_on": t.today().isoformat(),
    }
    c.post(reverse("projects:add_expense", args=[project.pk]), data)
    c.post(reverse("projects:add_expense", args=[project.pk]), data)
    assert project.expenses.count() == 1


def test_my_tasks_lists_only_mine(client, world):
    project = t.project(world, state="running")
    sw = world.users["social_worker"]
    services.add_task(
        actor=world.users["neighborhood_secretary"],
        project=project,
        title="发放问卷",
        assignee=sw,
        due_on=t.today(),
    )
    services.add_task(
        actor=world.users["neighborhood_secretary"],
        project=project,
        title="别人的",
        assignee=world.users["neighborhood_secretary"],
        due_on=t.today(),
    )
    text = _client(client, sw).get(reverse("projects:my_tasks")).content.decode()
    assert "发放问卷" in text and "别人的" not in text


def _round_with_scores(world):
    admin = world.users["subdistrict_admin"]
    rule = services.save_rule(
        actor=admin,
        subdistrict=world.subdistrict,
        name="奖优罚劣",
        top=1,
        raise_percent=10,
        bottom=1,
        cut_percent=10,
    )
    a = t.project(world, "甲", state="submitted", budget="10000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="submitted", budget="10000", owner=t.org(world, "乙支部"))
    r, judges = t.review_round(world, [a, b], members=1, rule=rule)
    return r, judges, a, b


def test_round_scoring_pages_for_panel_members_only(client, world):
    r, judges, a, b = _round_with_scores(world)
    c = _client(client, judges[0])
    assert c.get(reverse("projects:round", args=[r.pk])).status_code == 200
    url = reverse("projects:score", args=[r.pk, a.pk])
    assert c.get(url).status_code == 200
    crit = list(r.criteria.all())
    c.post(url, {f"criterion_{x.pk}": "88" for x in crit})
    assert a.scores.count() == 3
    outsider = f.UserFactory(username="nobody")
    c.force_login(outsider)
    assert c.get(reverse("projects:round", args=[r.pk])).status_code == 404
    assert c.get(url).status_code == 404
    c.force_login(world.users["neighborhood_secretary"])  # reads the round, does not score
    assert c.get(url).status_code == 404


def test_allocation_preview_and_adopt_only_by_the_subdistrict(client, world):
    r, judges, a, b = _round_with_scores(world)
    crit = list(r.criteria.all())
    for p, v in ((a, 90), (b, 70)):
        services.submit_scores(actor=judges[0], review_round=r, project=p, values={x.pk: v for x in crit})
    c = _client(client, world.users["neighborhood_secretary"])
    assert c.post(reverse("projects:allocation_preview", args=[r.pk])).status_code == 403
    c.force_login(world.users["subdistrict_admin"])
    c.post(reverse("projects:allocation_preview", args=[r.pk]))
    preview = Allocation.objects.get(review_round=r)
    c.force_login(world.users["neighborhood_secretary"])
    assert c.post(reverse("projects:allocation_adopt", args=[r.pk, preview.pk])).status_code == 403
    c.force_login(world.users["subdistrict_admin"])  # made the preview: told to ask a colleague
    page = c.get(reverse("projects:round", args=[r.pk])).content.decode()
    assert f'data-adopt="{preview.pk}"' not in page and 'class="second-person' in page
    assert c.post(reverse("projects:allocation_adopt", args=[r.pk, preview.pk])).status_code == 403
    assert Allocation.objects.get(pk=preview.pk).status == "preview"
    c.force_login(subdistrict_colleague(world))
    assert f'data-adopt="{preview.pk}"' in c.get(reverse("projects:round", args=[r.pk])).content.decode()
    c.post(reverse("projects:allocation_adopt", args=[r.pk, preview.pk]))
    assert Allocation.objects.get(pk=preview.pk).status == "adopted"
    page = c.get(reverse("projects:round", args=[r.pk])).content.decode()
    assert "11000.00" in page and "9000.00" in page
    export = c.get(reverse("projects:round_export", args=[r.pk]))
    assert export.status_code == 200 and export.content[:2] == b"PK"
    c.force_login(f.UserFactory(username="far-away"))
    assert c.get(reverse("projects:round_export", args=[r.pk])).status_code == 404


def test_round_create_page_for_the_subdistrict(client, world):
    a = t.project(world, "甲", state="submitted")
    c = _client(client, world.users["subdistrict_admin"])
    assert c.get(reverse("projects:round_create")).status_code == 200
    judge = world.users["neighborhood_secretary"]
    response = c.post(
        reverse("projects:round_create"),
        {
            "name": "2026 立项评审",
            "stage": "setup",
            "criteria": "立项 40\n进度 30\n资金管理 30",
            "projects": [a.pk],
            "judges": [judge.pk],
        },
    )
    assert response.status_code == 302
    assert (
        _client(client, world.users["social_worker"]).get(reverse("projects:round_create")).status_code == 403
    )


def test_public_disclosure_without_login_is_de_identified_and_takes_comments(client, world):
    project = t.project(world, state="running", budget="12000")
    sw = world.users["social_worker"]
    services.record_expense(
        actor=sw,
        project=project,
        category="works",
        description="电梯井道施工",
        amount="3000",
        spent_on=t.today(),
    )
    d = services.publish_disclosure(
        actor=sw, project=project, opens_on=t.today(), closes_on=t.today() + datetime.timedelta(days=7)
    )
    url = reverse("projects:public", args=[d.token])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "12000.00" in text and "电梯井道施工" in text
    assert sw.username not in text
    client.post(url, {"kind": "objection", "name": "王小明", "body": "施工噪音时间请公示"})
    assert Comment.objects.get().kind == "objection"
    text = client.get(url).content.decode()
    assert "王小明" not in text and "施工噪音" in text
    assert client.get(reverse("projects:public", args=["nope"])).status_code == 404


def test_public_comment_needs_csrf(world):
    from django.test import Client

    project = t.project(world, state="approved")
    d = services.publish_disclosure(
        actor=world.users["social_worker"], project=project, opens_on=t.today(), closes_on=t.today()
    )
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(reverse("projects:public", args=[d.token]), {"kind": "comment", "body": "x"}).status_code
        == 403
    )


def test_public_compound_page(client, world):
    compound = world.neighborhood_a.compounds.first()
    project = t.project(world, state="approved", compound=compound)
    services.publish_disclosure(
        actor=world.users["social_worker"], project=project, opens_on=t.today(), closes_on=t.today()
    )
    page = client.get(reverse("projects:public_compound", args=[compound.pk]))
    assert page.status_code == 200 and project.title in page.content.decode()
    assert client.get(reverse("projects:public_compound", args=[999999])).status_code == 404


def test_settings_page_sets_checklist_and_spending_rules_for_the_subdistrict_only(client, world):
    from gongzhi.projects.models import RequiredAction, SpendingRule

    c = _client(client, world.users["subdistrict_admin"])
    assert c.get(reverse("projects:settings")).status_code == 200
    c.post(reverse("projects:settings"), {"what": "checklist", "names": "一张任务清单\n一个工作团队\n"})
    assert list(RequiredAction.objects.filter(active=True).values_list("name", flat=True)) == [
        "一张任务清单",
        "一个工作团队",
    ]
    c.post(
        reverse("projects:settings"),
        {"category": "visit", "cap_per_person": "200", "forbidden_items": "烟酒，购物卡"},
    )
    rule = SpendingRule.objects.get(category="visit")
    assert str(rule.cap_per_person) == "200.00" and rule.forbidden_list() == ["烟酒", "购物卡"]
    bad = c.post(reverse("projects:settings"), {"category": "visit", "cap_per_person": "2百"}, follow=True)
    assert "不是金额" in bad.content.decode()
    assert str(SpendingRule.objects.get(category="visit").cap_per_person) == "200.00"
    assert (
        _client(client, world.users["neighborhood_secretary"]).get(reverse("projects:settings")).status_code
        == 403
    )
    client.logout()
    assert client.get(reverse("projects:settings")).status_code == 302


def test_receipts_are_content_checked_and_served_only_to_readers(client, world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    project = t.project(world, state="running", budget="5000")
    c = _client(client, world.users["social_worker"])
    base = {
        "category": "materials",
        "description": "花苗",
        "amount": "120",
        "spent_on": t.today().isoformat(),
    }
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = c.post(
        reverse("projects:add_expense", args=[project.pk]),
        {**base, "request_key": "k1", "receipt": fake},
        follow=True,
    )
    assert project.expenses.count() == 0 and '<li class="error">' in page.content.decode()
    pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")
    c.post(reverse("projects:add_expense", args=[project.pk]), {**base, "request_key": "k2", "receipt": pdf})
    expense = project.expenses.get()
    url = reverse("core:stored_file", args=[expense.receipt.name])
    assert c.get(url).status_code == 200
    c.force_login(world.users["grid_worker"])
    assert c.get(url).status_code == 404
    detail = _client(client, world.users["neighborhood_secretary"]).get(
        reverse("projects:detail", args=[project.pk])
    )
    assert url in detail.content.decode()
