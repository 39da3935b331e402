"""Bulk exports: a second person in scope approves, the file is watermarked, every step audited."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import exports
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord, ExportRequest
from gongzhi.core.testing import run_together
from gongzhi.org import factories as f
from gongzhi.org import services as org_services

KIND = "org.households"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def people(world):
    """The requester and an approver in neighborhood A; a secretary of neighborhood B."""
    second = f.UserFactory(username="second_secretary", is_staff=True)
    org_services.assign_role(
        actor=None, user=second, role="neighborhood_secretary", unit=world.neighborhood_a
    )
    elsewhere = f.UserFactory(username="b_secretary", is_staff=True)
    org_services.assign_role(
        actor=None, user=elsewhere, role="neighborhood_secretary", unit=world.neighborhood_b
    )
    return world.users["neighborhood_secretary"], second, elsewhere


def ask(user, world, purpose="年度民政核对"):
    return exports.request_export(user, KIND, {"neighborhood": str(world.neighborhood_a.pk)}, purpose)


def test_requester_cannot_approve_own_request(world, people):
    requester, _second, _elsewhere = people
    item = ask(requester, world)
    with pytest.raises(PermissionDenied):
        exports.decide(requester, item, approve=True)
    assert ExportRequest.objects.get(pk=item.pk).status == "pending"


def test_approver_outside_the_area_is_refused(world, people):
    requester, _second, elsewhere = people
    item = ask(requester, world)
    with pytest.raises(NotInScope):
        exports.decide(elsewhere, item, approve=True)
    assert not exports.requests_visible_to(elsewhere).filter(pk=item.pk).exists()


@pytest.mark.parametrize("role", ["social_worker", "grid_worker", "stairwell_chief"])
def test_roles_without_export_can_neither_request_nor_approve(world, people, role):
    requester, _second, _elsewhere = people
    with pytest.raises(PermissionDenied):
        ask(world.users[role], world)
    item = ask(requester, world)
    with pytest.raises(PermissionDenied):
        exports.decide(world.users[role], item, approve=True)


def test_purpose_is_required_and_retries_do_not_duplicate(world, people):
    requester, _second, _elsewhere = people
    with pytest.raises(ValidationError) as error:
        ask(requester, world, purpose="  ")
    assert "purpose" in error.value.message_dict
    first, again = ask(requester, world), ask(requester, world)
    assert first.pk == again.pk and ExportRequest.objects.count() == 1


def test_another_neighborhood_cannot_be_requested(world, people):
    requester, _second, _elsewhere = people
    with pytest.raises(NotInScope):
        exports.request_export(requester, KIND, {"neighborhood": str(world.neighborhood_b.pk)}, "核对数据")


def test_approved_xlsx_carries_the_watermark_and_only_the_requester_downloads(world, people):
    requester, second, _elsewhere = people
    item = exports.decide(second, ask(requester, world), approve=True, note="同意")
    assert item.status == "ready" and item.expires_at > timezone.now()
    with pytest.raises(NotInScope):
        exports.open_download(second, item)
    content, item = exports.open_download(requester, item)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    first = sheet.cell(row=1, column=1).value
    for part in (f"#{item.pk}", "neighborhood_secretary", "second_secretary", "年度民政核对"):
        assert part in first
    assert "second_secretary" in sheet.oddHeader.center.text
    assert f"#{item.pk}" in sheet.oddFooter.center.text
    assert book.properties.keywords == f"gongzhi-export:{item.pk}"
    assert "neighborhood_secretary" in book.properties.creator
    # The ledger itself follows, header row first, numbers masked.
    assert sheet.cell(row=2, column=1).value and world.resident_a.name in [c.value for c in sheet[3]]
    assert world.resident_a.id_number not in content.decode("latin-1")


def test_every_step_is_audited(world, people):
    requester, second, _elsewhere = people
    item = exports.decide(second, ask(requester, world), approve=True)
    exports.open_download(requester, item)
    trail = AuditRecord.objects.filter(object_type="core.exportrequest", object_id=str(item.pk))
    assert sorted(trail.values_list("action", flat=True)) == ["approve", "download", "export"]
    assert trail.get(action="approve").actor_id == second.pk
    assert trail.get(action="download").summary.startswith("下载导出文件: #")  # in Chinese (issue 23)
    assert ExportRequest.objects.get(pk=item.pk).downloads == 1


def test_refusal_needs_a_reason_and_produces_nothing(world, people):
    requester, second, _elsewhere = people
    item = ask(requester, world)
    with pytest.raises(ValidationError):
        exports.decide(second, item, approve=False)
    item = exports.decide(second, item, approve=False, note="用途不明确")
    assert item.status == "refused" and not item.stored_name
    with pytest.raises(ValidationError):
        exports.open_download(requester, item)
    with pytest.raises(ValidationError):
        exports.decide(world.users["subdistrict_admin"], item, approve=True)


def test_expired_export_is_deleted_and_refused(world, people):
    requester, second, _elsewhere = people
    item = exports.decide(second, ask(requester, world), approve=True)
    stored = exports.folder() / item.stored_name
    assert stored.exists()
    ExportRequest.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        exports.open_download(requester, item)
    assert not stored.exists() and ExportRequest.objects.get(pk=item.pk).status == "expired"


def test_csv_exports_get_a_first_comment_line():
    produced = exports.ExportFile("姓名,电话\n张三,139****0000\n".encode(), "x.csv", "text/csv")
    lines = {
        "request": "7",
        "requester": "甲(a)",
        "approver": "乙(b)",
        "time": "2026-11-23 10:00",
        "purpose": "核对",
    }
    text = exports.watermark(produced, lines).decode("utf-8-sig").splitlines()
    assert text[0].startswith("# ") and "甲(a)" in text[0] and "乙(b)" in text[0] and "#7" in text[0]
    assert text[1] == "姓名,电话"


def test_pages_walk_the_request_through(client, world, people):
    requester, second, elsewhere = people
    client.force_login(requester)
    start = client.post(reverse("org:ledger_export"), {"neighborhood": world.neighborhood_a.pk})
    form = client.get(start["Location"])
    assert form.status_code == 200 and "用途" in form.content.decode()
    empty = client.post(reverse("core:export_new"), {"kind": KIND, "neighborhood": world.neighborhood_a.pk})
    assert empty.status_code == 400 and not ExportRequest.objects.exists()
    made = client.post(
        reverse("core:export_new"),
        {"kind": KIND, "neighborhood": world.neighborhood_a.pk, "purpose": "年度民政核对"},
    )
    item = ExportRequest.objects.get()
    assert made["Location"] == reverse("core:export", args=[item.pk])
    assert "export-decision" not in client.get(made["Location"]).content.decode()
    client.force_login(elsewhere)
    assert client.get(reverse("core:export", args=[item.pk])).status_code == 404
    assert (
        client.post(reverse("core:export_decide", args=[item.pk]), {"decision": "approve"}).status_code == 404
    )
    client.force_login(second)
    assert str(item.pk) in client.get(reverse("core:exports")).content.decode()
    client.post(reverse("core:export_decide", args=[item.pk]), {"decision": "approve"})
    assert client.get(reverse("core:export_download", args=[item.pk])).status_code == 404
    client.force_login(requester)
    download = client.get(reverse("core:export_download", args=[item.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name", ["exports", "export_new"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(f"core:{name}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_produce_one_file(world, people):
    requester, second, _elsewhere = people
    item = ask(requester, world)
    admin = world.users["subdistrict_admin"]
    outcomes = run_together(
        lambda: exports.decide(second, item, approve=True), lambda: exports.decide(admin, item, approve=True)
    )
    assert sum(isinstance(o, ExportRequest) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert AuditRecord.objects.filter(action="approve").count() == 1
    assert (
        len([p for p in exports.folder().iterdir() if p.name == ExportRequest.objects.get().stored_name]) == 1
    )


def test_download_asks_for_the_password_again_after_five_minutes(client, world, people):
    import time

    from gongzhi.core.reauth import AUTHENTICATED_AT

    requester, second, _elsewhere = people
    item = exports.decide(second, ask(requester, world), approve=True, note="同意")
    client.force_login(requester)
    url = reverse("core:export_download", args=[item.pk])
    assert client.get(url).status_code == 200
    session = client.session
    session[AUTHENTICATED_AT] = time.time() - 6 * 60
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:reauth") in response["Location"]
