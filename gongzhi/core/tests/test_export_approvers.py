"""Every export request says what, how many rows, which area and who may approve, with a deadline;
when nobody in the area but the requester may approve, the next level up (the subdistrict) does;
the approval hands the file to a background task whose steps the page follows."""

import pytest
from django.urls import reverse

from gongzhi.core import exports
from gongzhi.core.models import ExportRequest
from gongzhi.core.tests.test_exports import KIND, ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_a_request_nobody_else_in_the_area_may_approve_goes_to_the_subdistrict(world):
    item = ask(world.users["neighborhood_secretary"], world)
    level, approvers = exports.approvers_of(item)
    assert item.approver_level == level == "subdistrict"
    assert world.users["subdistrict_admin"] in approvers
    assert world.users["neighborhood_secretary"] not in approvers
    assert item.due_at is not None and (item.due_at - item.requested_at).total_seconds() == 48 * 3600
    assert item.row_count == 2  # residents a and a2 of neighborhood A


def test_the_request_page_says_what_rows_area_and_who_approves(client, world):
    item = ask(world.users["neighborhood_secretary"], world)
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("core:export", args=[item.pk])).content.decode()
    assert "住户及居民台账" in page or "台账" in page
    assert "约 2 行" in page and world.neighborhood_a.name in page and world.subdistrict.name in page
    assert "上一级" in page and str(world.users["subdistrict_admin"]) in page
    assert 'id="export-due"' in page


def test_the_next_level_up_approves_and_the_file_is_produced_in_the_background(client, world):
    item = ask(world.users["neighborhood_secretary"], world)
    client.force_login(world.users["subdistrict_admin"])
    answer = client.post(reverse("core:export_decide", args=[item.pk]), {"decision": "approve"})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.decided_by, item.progress_step) == (
        "ready",
        world.users["subdistrict_admin"],
        3,
    )
    assert item.row_count == 2
    fragment = client.get(reverse("core:export", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="ready"' in fragment and "hx-trigger" not in fragment


def test_a_producing_request_is_polled_until_ready(client, world):
    item = ask(world.users["neighborhood_secretary"], world)
    ExportRequest.objects.filter(pk=item.pk).update(
        status="producing",
        progress_step=1,
        decided_by=world.users["subdistrict_admin"],
        decided_at=item.requested_at,
    )
    client.force_login(world.users["neighborhood_secretary"])
    fragment = client.get(reverse("core:export", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "正在" in fragment
    assert exports.produce_approved(item.pk) == "ready"


def test_the_export_page_without_parameters_explains_what_can_be_exported(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("core:export_new"))
    assert page.status_code == 200
    assert reverse("org:ledger_import") in page.content.decode() and "export-kind" in page.content.decode()
    client.force_login(world.users["grid_worker"])
    assert 'id="no-export-kinds"' in client.get(reverse("core:export_new")).content.decode()
    assert client.get(reverse("core:export_new"), {"kind": "no.such"}).status_code == 404


@pytest.mark.parametrize("role", ["grid_worker", "security_admin", "auditor"])
def test_roles_without_export_rights_cannot_see_or_approve(client, world, role):
    item = ask(world.users["neighborhood_secretary"], world)
    client.force_login(world.users[role])
    assert client.get(reverse("core:export", args=[item.pk])).status_code in (403, 404)  # duty roles: 403
    client.post(reverse("core:export_decide", args=[item.pk]), {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "pending"


def test_a_kinds_row_count_is_the_files_own_once_produced(world):
    item = ask(world.users["neighborhood_secretary"], world)
    assert KIND == item.kind
    done = exports.decide(world.users["subdistrict_admin"], item, approve=True)
    assert done.status == "ready" and done.row_count == 2
