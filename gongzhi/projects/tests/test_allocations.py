"""Allocations (services/allocations.py): preview, adopt and supersede; per owner organisation, from
pinned baselines; an adopted allocation feeds approvals and refuses every change at the model level.
One subdistrict account previews, a colleague adopts (four eyes, core/separation.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import AuditRecord
from gongzhi.core.separation import SamePerson
from gongzhi.org.testing import subdistrict_colleague
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Allocation, AllocationLine, AllocationLocked, RoundBaseline

pytestmark = pytest.mark.django_db
D = Decimal


def _rule(world, top=1, bottom=1):
    return services.save_rule(
        actor=world.users["subdistrict_admin"],
        subdistrict=world.subdistrict,
        name="前1增10%后1减10%",
        top=top,
        raise_percent=10,
        bottom=bottom,
        cut_percent=10,
    )


def _score(r, judge, project, value):
    values = {c.pk: value for c in r.criteria.all()}
    services.submit_scores(actor=judge, review_round=r, project=project, values=values)


def _adopt(world, r, reason=""):
    preview = services.preview_allocation(actor=world.users["subdistrict_admin"], review_round=r)
    return services.adopt_allocation(
        actor=subdistrict_colleague(world), allocation_obj=preview, reason=reason
    )


def test_a_second_preview_after_approval_starts_from_the_same_baseline(world):
    admin = world.users["subdistrict_admin"]
    a = t.project(world, "甲", state="under_review", budget="20000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="under_review", budget="8000", owner=t.org(world, "乙支部"))
    r, (judge,) = t.review_round(world, [a, b], members=1, rule=_rule(world))
    _score(r, judge, a, 92)
    _score(r, judge, b, 75)
    first = _adopt(world, r)
    assert services.transition(actor=admin, project=a, to="approved").approved_budget == D("22000.00")
    assert services.transition(actor=admin, project=b, to="approved").approved_budget == D("7200.00")
    _score(r, judge, b, 76)  # a corrected score, then a new preview of the same round
    again = services.preview_allocation(actor=admin, review_round=r)
    by_org = {x.org.name: (x.old, x.new) for x in again.lines.all()}
    assert by_org == {"甲支部": (D("20000.00"), D("22000.00")), "乙支部": (D("8000.00"), D("7200.00"))}
    assert [(x.old, x.new) for x in again.lines.all()] == [(x.old, x.new) for x in first.lines.all()]
    assert RoundBaseline.objects.filter(review_round=r).count() == 2


def test_an_organisation_with_two_projects_gets_one_line_with_their_mean_score_and_summed_budget(world):
    admin = world.users["subdistrict_admin"]
    x_org, y_org, z_org = t.org(world, "X支部"), t.org(world, "Y支部"), t.org(world, "Z支部")
    x1 = t.project(world, "X一", state="submitted", budget="10000", owner=x_org)
    x2 = t.project(world, "X二", state="submitted", budget="20000", owner=x_org)
    y = t.project(world, "Y", state="submitted", budget="5000", owner=y_org)
    z = t.project(world, "Z", state="submitted", budget="4000", owner=z_org)
    r, (judge,) = t.review_round(world, [x1, x2, y, z], members=1, rule=_rule(world))
    for project, value in ((x1, 90), (x2, 70), (y, 85), (z, 60)):
        _score(r, judge, project, value)
    preview = services.preview_allocation(actor=admin, review_round=r)
    lines = list(preview.lines.all())
    assert [(x.org.name, x.rank, x.score, x.old, x.new) for x in lines] == [
        ("Y支部", 1, D("85.0000"), D("5000.00"), D("5500.00")),
        ("X支部", 2, D("80.0000"), D("30000.00"), D("30000.00")),  # (90 + 70) / 2, 10000 + 20000
        ("Z支部", 3, D("60.0000"), D("4000.00"), D("3600.00")),
    ]
    assert [p["title"] for p in lines[1].projects] == ["X一", "X二"]
    assert "rank 2 of 3" in lines[1].reason or "第 2" in lines[1].reason


def test_the_next_rounds_budget_prefills_and_caps_the_organisations_approvals(world):
    admin = world.users["subdistrict_admin"]
    x_org, y_org = t.org(world, "X支部"), t.org(world, "Y支部")
    x = t.project(world, "X", state="submitted", budget="10000", owner=x_org)
    y = t.project(world, "Y", state="submitted", budget="10000", owner=y_org)
    r, (judge,) = t.review_round(world, [x, y], members=1, rule=_rule(world))
    _score(r, judge, x, 90)
    _score(r, judge, y, 60)
    _adopt(world, r)
    services.transition(actor=admin, project=x, to="rejected", note="并入明年项目")
    # next round: the organisation X asks for two projects; its 11000 is shared in proportion to
    # what they request (the projects of the organisation still awaiting approval)
    n1 = t.project(world, "X 明年一", state="under_review", budget="3000", owner=x_org)
    n2 = t.project(world, "X 明年二", state="under_review", budget="6000", owner=x_org)
    budget = services.org_budget(n1)
    assert (budget.allocated, budget.left, budget.suggested) == (D("11000.00"), D("11000.00"), D("3666.67"))
    assert services.transition(actor=admin, project=n1, to="approved").approved_budget == D("3666.67")
    assert services.org_budget(n2).left == D("7333.33")
    with pytest.raises(ValidationError) as e:
        services.transition(actor=admin, project=n2, to="approved", approved_budget="8000")
    assert "approved_budget" in e.value.message_dict
    n2.refresh_from_db()
    assert n2.state == "under_review" and n2.approved_budget is None
    approved = services.transition(
        actor=admin, project=n2, to="approved", approved_budget="8000", note="追加"
    )
    assert approved.approved_budget == D("8000.00")
    record = AuditRecord.objects.filter(action="transition", object_id=str(n2.pk)).order_by("-id").first()
    assert record.changes["org_left"] == "7333.33"


def test_an_organisation_without_an_adopted_allocation_is_approved_at_its_budget_lines(world):
    project = t.project(world, "无分配", state="under_review", budget="5000", owner=t.org(world, "新支部"))
    assert services.org_budget(project) is None
    approved = services.transition(actor=world.users["subdistrict_admin"], project=project, to="approved")
    assert approved.approved_budget == D("5000.00")


def test_an_adopted_allocation_refuses_changes_on_save_update_and_delete(world):
    admin = world.users["subdistrict_admin"]
    a = t.project(world, "甲", state="submitted", budget="10000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="submitted", budget="10000", owner=t.org(world, "乙支部"))
    r, (judge,) = t.review_round(world, [a, b], members=1, rule=_rule(world))
    _score(r, judge, a, 90)
    _score(r, judge, b, 60)
    preview = services.preview_allocation(actor=admin, review_round=r)
    line = preview.lines.first()
    line.reason = "a preview may still change"
    line.save()
    adopted = services.adopt_allocation(actor=subdistrict_colleague(world), allocation_obj=preview)
    adopted.rule_name = "changed"
    with pytest.raises(AllocationLocked):
        adopted.save()
    adopted.refresh_from_db()
    adopted.status = Allocation.Status.PREVIEW
    with pytest.raises(AllocationLocked):
        adopted.save(update_fields=["status"])
    with pytest.raises(AllocationLocked):
        Allocation.objects.filter(pk=adopted.pk).update(rule_name="changed")
    with pytest.raises(AllocationLocked):
        adopted.delete()
    line = AllocationLine.objects.get(pk=line.pk)
    line.new = D("99999.00")
    with pytest.raises(AllocationLocked):
        line.save()
    with pytest.raises(AllocationLocked):
        AllocationLine.objects.filter(allocation=adopted).update(new=D(1))
    with pytest.raises(AllocationLocked):
        line.delete()
    assert AllocationLine.objects.get(pk=line.pk).new == D("11000.00")
    # superseding is the one change: through the service, with a reason, audited
    second = _adopt(world, r, reason="评分更正")
    adopted.refresh_from_db()
    assert adopted.status == "superseded" and second.supersedes_id == adopted.pk
    assert AuditRecord.objects.filter(action="supersede", object_id=str(adopted.pk)).exists()
    adopted.status = Allocation.Status.ADOPTED
    with pytest.raises(AllocationLocked):
        adopted.save(update_fields=["status"])


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
    t.score_all(r, judges, {a: [(90, 90, 90)], b: [(80, 80, 80)], c: [(70, 70, 70)]})
    with pytest.raises(PermissionDenied):
        services.preview_allocation(actor=world.users["neighborhood_secretary"], review_round=r)
    preview = services.preview_allocation(actor=admin, review_round=r)
    assert [(x.org.name, x.old, x.new) for x in preview.lines.all()] == [
        ("甲支部", D("10000.00"), D("11000.00")),
        ("乙支部", D("20000.00"), D("20000.00")),
        ("丙支部", D("30000.05"), D("27000.05")),  # 27000.045 → half up
    ]
    colleague = subdistrict_colleague(world)
    adopted = services.adopt_allocation(actor=colleague, allocation_obj=preview)
    assert adopted.status == "adopted" and adopted.adopted_by == colleague and adopted.created_by == admin
    with pytest.raises(ValidationError):
        services.adopt_allocation(actor=colleague, allocation_obj=adopted)
    second = services.preview_allocation(actor=admin, review_round=r)
    with pytest.raises(ValidationError) as e:
        services.adopt_allocation(actor=colleague, allocation_obj=second)
    assert "reason" in e.value.message_dict
    services.adopt_allocation(actor=colleague, allocation_obj=second, reason="评分更正")
    assert Allocation.objects.get(pk=preview.pk).status == "superseded"
    assert Allocation.objects.get(pk=second.pk).supersedes_id == preview.pk
    # the superseded one keeps its lines unchanged
    assert [x.new for x in Allocation.objects.get(pk=preview.pk).lines.all()] == [
        D("11000.00"),
        D("20000.00"),
        D("27000.05"),
    ]


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
    t.score_all(r, judges, {a: [(90, 90, 90)], b: [(60, 60, 60)]})
    services.adopt_allocation(
        actor=subdistrict_colleague(world),
        allocation_obj=services.preview_allocation(actor=admin, review_round=r),
    )
    assert services.transition(actor=admin, project=a, to="approved").approved_budget == D("11000.00")
    assert services.transition(actor=admin, project=b, to="approved").approved_budget == D("9000.00")


def test_the_account_that_previewed_an_allocation_cannot_adopt_it(world):
    """Issue 19, finding 10: adopting sets next year's budgets, so it checks the preview's maker."""
    admin, colleague = world.users["subdistrict_admin"], subdistrict_colleague(world)
    a = t.project(world, "甲", state="submitted", budget="10000", owner=t.org(world, "甲支部"))
    b = t.project(world, "乙", state="submitted", budget="10000", owner=t.org(world, "乙支部"))
    r, (judge,) = t.review_round(world, [a, b], members=1, rule=_rule(world))
    _score(r, judge, a, 90)
    _score(r, judge, b, 60)
    preview = services.preview_allocation(actor=admin, review_round=r)
    with pytest.raises(SamePerson):
        services.adopt_allocation(actor=admin, allocation_obj=preview)
    preview.refresh_from_db()
    assert (preview.status, preview.adopted_by, preview.adopted_at) == ("preview", None, None)
    assert not AuditRecord.objects.filter(action="adopt").exists()
    # the colleague's own preview is the admin's to adopt: the rule binds the pair, not a rank
    theirs = services.preview_allocation(actor=colleague, review_round=r)
    with pytest.raises(SamePerson):
        services.adopt_allocation(actor=colleague, allocation_obj=theirs)
    assert services.adopt_allocation(actor=admin, allocation_obj=theirs).adopted_by == admin
