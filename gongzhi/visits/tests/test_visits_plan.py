"""The visit plan: rules per subdistrict (admin edits, others read), coverage measured against them
by grid, neighborhood, worker and month, due and overdue households, xlsx ledgers."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core import exports
from gongzhi.core.models import AuditRecord
from gongzhi.visits import plan as visit_plan
from gongzhi.visits import selectors as vs
from gongzhi.visits import services
from gongzhi.visits.models import VisitRule

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


# ---- the pure rules ---------------------------------------------------------------------------


def test_household_status_under_monthly_and_quarterly_rules():
    october = date(2026, 10, 1)
    assert visit_plan.household_status(date(2026, 10, 3), october, 1) == "visited"
    assert visit_plan.household_status(date(2026, 9, 30), october, 1) == "due"
    assert visit_plan.household_status(date(2026, 8, 31), october, 1) == "overdue"
    assert visit_plan.household_status(None, october, 1) == "overdue"
    # Every 3 months: August–October is the window; May–July before it.
    assert visit_plan.household_status(date(2026, 8, 1), october, 3) == "visited"
    assert visit_plan.household_status(date(2026, 7, 31), october, 3) == "due"
    assert visit_plan.household_status(date(2026, 7, 1), october, 3) == "due"
    assert visit_plan.household_status(date(2026, 6, 30), october, 3) == "overdue"
    assert visit_plan.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert visit_plan.add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)


def test_tagged_status_weekly():
    now = at(2026, 11, 20)
    assert visit_plan.tagged_status(now - timedelta(days=2), now, 7) == "visited"
    assert visit_plan.tagged_status(now - timedelta(days=6), now, 7) == "due"  # one day left
    assert visit_plan.tagged_status(now - timedelta(days=7), now, 7) == "overdue"
    assert visit_plan.tagged_status(None, now, 7) == "overdue"
    assert visit_plan.StaffTarget(18, 20).shortfall == 2 and not visit_plan.StaffTarget(20, 20).shortfall


# ---- rules ------------------------------------------------------------------------------------


def test_only_the_subdistrict_admin_changes_rules_and_each_kind_is_one_row(world):
    admin = world.users["subdistrict_admin"]
    rule = services.save_visit_rule(actor=admin, subdistrict=world.subdistrict, kind="household", every=2)
    again = services.save_visit_rule(actor=admin, subdistrict=world.subdistrict, kind="household", every=3)
    assert rule.pk == again.pk and VisitRule.objects.get().every == 3
    assert AuditRecord.objects.filter(action="update", object_type__contains="visitrule").exists()
    for code in ("neighborhood_secretary", "grid_worker", "social_worker"):
        with pytest.raises(PermissionDenied):
            services.save_visit_rule(
                actor=world.users[code], subdistrict=world.subdistrict, kind="household", every=1
            )
    with pytest.raises(PermissionDenied):  # another subdistrict's plan
        services.save_visit_rule(actor=admin, subdistrict=world.subdistrict_far, kind="household", every=1)
    assert vs.plan_of(world.subdistrict.pk).household_months == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "household", "every": 0}, "every"),
        ({"kind": "household", "every": 25}, "every"),
        ({"kind": "household", "every": "x"}, "every"),
        ({"kind": "tagged", "every": 7}, "tag"),
        ({"kind": "tagged", "every": 7, "tag": "nonsense"}, "tag"),
        ({"kind": "household", "every": 1, "role": "grid_worker"}, "role"),
        ({"kind": "weekly", "every": 1}, "kind"),
    ],
)
def test_bad_rules_name_the_field_and_change_nothing(world, fields, field):
    with pytest.raises(ValidationError) as error:
        services.save_visit_rule(
            actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, **fields
        )
    assert field in error.value.message_dict
    assert not VisitRule.objects.exists()


def test_rules_page_edits_for_the_admin_and_reads_for_workers(client, world):
    client.force_login(world.users["subdistrict_admin"])
    page = client.get(reverse("visits:rules"))
    assert page.status_code == 200 and 'id="rule-form"' in page.content.decode()
    response = client.post(
        reverse("visits:rules"),
        {"kind": "staff", "every": "25", "role": "grid_worker", "tag": "health"},
    )
    assert response.status_code == 302
    rule = VisitRule.objects.get()
    assert (rule.kind, rule.every, rule.role, rule.tag) == ("staff", 25, "grid_worker", "")
    bad = client.post(reverse("visits:rules"), {"kind": "tagged", "every": "400", "tag": "elderly_alone"})
    assert bad.status_code == 400 and "every" in bad.context["errors"]
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("visits:rules")).content.decode()
    assert 'data-rule="staff-grid_worker"' in page and 'id="rule-form"' not in page
    assert client.post(reverse("visits:rules"), {"kind": "household", "every": "1"}).status_code == 403
    client.force_login(world.users["stairwell_chief"])  # works with no concerns
    assert client.get(reverse("visits:rules")).status_code == 403
    client.logout()
    assert client.get(reverse("visits:rules")).status_code == 302


# ---- coverage ---------------------------------------------------------------------------------


def _visit(world, household, when, actor=None):
    return services.record_visit(
        actor=actor or world.users["neighborhood_secretary"], household=household, visited_at=when
    )


def test_coverage_by_grid_neighborhood_and_month_against_the_rule(world):
    secretary = world.users["neighborhood_secretary"]
    _visit(world, world.household_a, at(2026, 10, 5))
    _visit(world, world.household_a2, at(2026, 8, 20))
    october = date(2026, 10, 1)
    rows = {r["key"]: r for r in vs.coverage_rows(secretary, month=october, months=1)}
    a, a2 = rows[world.grid_a.pk], rows[world.household_a2.micro_grid_id]
    assert (a["total"], a["visited"], a["due"], a["overdue"], a["rate"]) == (1, 1, 0, 0, 1.0)
    # Monthly rule: household_a2 was last seen in August: not visited in October nor September.
    assert (a2["visited"], a2["due"], a2["overdue"]) == (0, 1, 1)
    # Every 3 months: August counts, nothing is due.
    quarterly = {r["key"]: r for r in vs.coverage_rows(secretary, month=october, months=3)}
    assert quarterly[world.household_a2.micro_grid_id]["visited"] == 1
    by_nb = vs.coverage_rows(secretary, month=october, months=1, by="neighborhood")
    assert [(r["label"], r["total"], r["visited"]) for r in by_nb] == [("杨泰一村", 2, 1)]
    trend = {t["month"]: t for t in vs.coverage_trend(secretary, month=october, months=1, span=3)}
    assert (trend[date(2026, 8, 1)]["visited"], trend[date(2026, 9, 1)]["visited"]) == (1, 0)
    assert trend[october]["visited"] == 1 and trend[october]["rate"] == 0.5


def test_due_list_marks_overdue_and_masks_names(world):
    secretary = world.users["neighborhood_secretary"]
    _visit(world, world.household_a2, at(2026, 9, 20))
    october = date(2026, 10, 1)
    due = vs.with_masked_names(vs.due_households(secretary, month=october, months=1))
    by_pk = {h.pk: h for h in due}
    assert set(by_pk) == {world.household_a.pk, world.household_a2.pk}
    assert by_pk[world.household_a2.pk].recent and not by_pk[world.household_a.pk].recent
    assert by_pk[world.household_a.pk].masked_name == world.resident_a.name[0] + "*" * (
        len(world.resident_a.name) - 1
    )
    overdue = list(vs.due_households(secretary, month=october, months=1, overdue_only=True))
    assert overdue == [world.household_a]


def test_workers_against_the_staff_rule_and_a_grid_worker_sees_only_their_grid(world):
    admin = world.users["subdistrict_admin"]
    services.save_visit_rule(actor=admin, subdistrict=world.subdistrict, kind="staff", every=2)
    worker = world.users["grid_worker"]
    _visit(world, world.household_a, timezone.now(), actor=worker)
    month = timezone.localdate().replace(day=1)
    plan = vs.plan_of(world.subdistrict.pk)
    rows = {r["label"]: r for r in vs.worker_rows(admin, month=month, plan=plan)}
    assert rows["grid_worker"]["households"] == 1 and rows["grid_worker"]["target"] == 2
    assert rows["grid_worker"]["met"] is False and rows["grid_worker"]["shortfall"] == 1
    assert rows["social_worker"]["households"] == 0 and rows["social_worker"]["met"] is False
    own = {r["label"] for r in vs.worker_rows(worker, month=month, plan=plan)}
    assert own == {"grid_worker", "grid_chief"}
    # The grid worker's coverage is their grid's households only.
    assert {h.pk for h in vs.coverage_households(worker)} == {world.household_a.pk}
    assert not vs.coverage_households(world.users["property_staff"]).exists()


def test_tagged_rule_lists_only_for_roles_reading_sensitive_tags(world):
    secretary = world.users["neighborhood_secretary"]
    plan = vs.plan_of(world.subdistrict.pk)  # defaults: elderly living alone weekly
    _visit(world, world.household_a, timezone.now() - timedelta(days=6))
    rows = vs.tagged_rows(secretary, plan=plan)
    status = {h.pk: h.status for h in rows[0]["households"]}
    assert status == {world.household_a.pk: "due", world.household_a2.pk: "overdue"}
    assert vs.tagged_rows(world.users["property_staff"], plan=plan) == []


def test_coverage_page_and_permissions(client, world):
    _visit(world, world.household_a, timezone.now())
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("visits:coverage")).content.decode()
    assert (
        f'data-coverage="{world.grid_a.pk}"' in page
        and f'data-unvisited="{world.household_a2.pk}"' not in page
    )
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("visits:coverage"), {"overdue": "1"}).content.decode()
    assert (
        f'data-unvisited="{world.household_a2.pk}"' in page
        and f'data-unvisited="{world.household_a.pk}"' not in page
    )
    assert f'data-tagged="{world.household_a2.pk}"' in page
    assert "trend-data" in page
    client.force_login(world.users["stairwell_chief"])
    assert client.get(reverse("visits:coverage")).status_code == 403
    client.logout()
    assert client.get(reverse("visits:coverage")).status_code == 302


def _approved_file(world, kind: str, params: dict) -> list[tuple]:
    """Asked for by the secretary, approved by the admin, downloaded: the rows below the watermark."""
    item = exports.request_export(world.users["neighborhood_secretary"], kind, params, "月度走访考核")
    exports.decide(world.users["subdistrict_admin"], item, approve=True)
    content, _item = exports.open_download(world.users["neighborhood_secretary"], item)
    return list(load_workbook(io.BytesIO(content)).worksheets[0].values)[1:]


def test_xlsx_ledgers_of_coverage_and_of_the_unvisited_go_through_approval(client, world):
    _visit(world, world.household_a, timezone.now())
    client.force_login(world.users["neighborhood_secretary"])
    response = client.get(reverse("visits:coverage_export"))
    assert response.status_code == 302 and "kind=concerns.visit_coverage" in response["Location"]
    month = f"{timezone.localdate():%Y-%m}"
    coverage = _approved_file(world, "concerns.visit_coverage", {"month": month, "by": "micro_grid"})
    assert coverage[2][1:4] == (1, 1, 0)  # grid_a: 1 household, visited
    assert coverage[-1][1:3] == (2, 1)  # total
    unvisited = client.get(reverse("visits:coverage_export"), {"what": "unvisited"})
    assert "kind=concerns.visit_unvisited" in unvisited["Location"]
    rows = _approved_file(world, "concerns.visit_unvisited", {"month": month})
    assert len(rows) == 3 and rows[2][4] == world.household_a2.room
    assert rows[2][5] == world.resident_a2.name[0] + "*" * (len(world.resident_a2.name) - 1)
    with pytest.raises(ValidationError):
        exports.request_export(
            world.users["neighborhood_secretary"], "concerns.visit_coverage", {"by": "street"}, "月度走访考核"
        )
    client.force_login(world.users["grid_worker"])  # no export capability
    assert client.get(reverse("visits:coverage_export")).status_code == 403


def test_admin_keeps_visit_rules_with_the_same_checks(client, world):
    client.force_login(world.users["subdistrict_admin"])
    url = reverse("admin:visits_visitrule_add")
    form = {
        "subdistrict": world.subdistrict.pk,
        "kind": "tagged",
        "every": "7",
        "tag": "",
        "role": "",
        "active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not VisitRule.objects.exists()  # no tag: the form says so
    response = client.post(url, {**form, "tag": "elderly_alone"})
    assert response.status_code == 302
    rule = VisitRule.objects.get()
    assert (rule.tag, rule.every, rule.updated_by) == ("elderly_alone", 7, world.users["subdistrict_admin"])
    client.force_login(world.users["grid_worker"])  # reads the plan, may not change it
    change = reverse("admin:visits_visitrule_change", args=[rule.pk])
    assert client.post(change, {**form, "tag": "elderly_alone", "every": "3"}).status_code == 403
    assert client.post(url, {**form, "tag": "health", "every": "3"}).status_code == 403
    assert VisitRule.objects.get().every == 7
