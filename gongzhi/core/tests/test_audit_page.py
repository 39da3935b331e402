"""The auditor's pages: the trail filtered by Beijing dates, object and area (bad filters are named
and list nothing); the chain verified from the web as a background task, with its history."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.models import AuditRecord, AuditVerification
from gongzhi.core.tests.test_audit_chain import _without_triggers

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _record_at(world, at: datetime.datetime, summary: str, *, household=None):
    """A record written at `at` (the clock stopped there, so its hash covers that time)."""
    household = household or world.household_a
    with mock.patch("gongzhi.core.audit.timezone.now", return_value=at):
        return audit.record("update", household, actor=world.users["subdistrict_admin"], summary=summary)


def _trail(client, world, **query):
    client.force_login(world.users["auditor"])
    return client.get(reverse("core:audit"), query)


def test_a_date_range_means_whole_beijing_days(client, world):
    # 00:30 in Beijing on 3 March is still 2 March in UTC: it belongs to 3 March.
    _record_at(world, datetime.datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI), "三月三日凌晨")
    _record_at(world, datetime.datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), "三月二日深夜")
    page = _trail(client, world, since="2026-03-03", until="2026-03-03").content.decode()
    assert "三月三日凌晨" in page and "三月二日深夜" not in page


def test_the_trail_filters_by_object_and_area(client, world):
    _record_at(world, timezone.now(), "甲户改动")
    _record_at(world, timezone.now(), "乙户改动", household=world.household_b)
    by_object = _trail(
        client, world, object_type="org.household", object_id=str(world.household_b.pk)
    ).content.decode()
    assert "乙户改动" in by_object and "甲户改动" not in by_object
    by_area = _trail(client, world, neighborhood=str(world.neighborhood_a.pk)).content.decode()
    assert "甲户改动" in by_area and "乙户改动" not in by_area
    assert world.neighborhood_far.name not in by_area  # the area list is the auditor's own town


@pytest.mark.parametrize(
    "query, named",
    [
        ({"since": "2026-13-01"}, "不是日期"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "结束日期早于开始日期"),
        ({"object_id": "5"}, "请选择对象类型"),
        ({"action": "explode"}, "未知操作"),
    ],
)
def test_bad_filters_are_named_and_list_nothing(client, world, query, named):
    _record_at(world, timezone.now(), "某条记录")
    page = _trail(client, world, **query)
    assert page.status_code == 400
    assert named in page.content.decode() and "某条记录" not in page.content.decode()


def test_the_auditor_verifies_an_intact_chain_and_sees_it_in_the_history(
    client, world, django_capture_on_commit_callbacks
):
    _record_at(world, timezone.now(), "一条记录")
    client.force_login(world.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("core:audit_verify_start"))
    run = AuditVerification.objects.get()
    assert answer.url == reverse("core:audit_verification", args=[run.pk])
    assert run.status == "intact" and run.checked == AuditRecord.objects.count()
    assert run.started_by == world.users["auditor"] and run.finished_at is not None
    fragment = client.get(answer.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="intact"' in fragment and "hx-trigger" not in fragment
    history = client.get(reverse("core:audit_verify")).content.decode()
    assert f'"{reverse("core:audit_verification", args=[run.pk])}"' in history and "完好" in history


def test_a_tampered_record_is_named_by_the_web_check(client, world, django_capture_on_commit_callbacks):
    records = [_record_at(world, timezone.now(), f"记录{i}") for i in range(3)]
    _without_triggers("UPDATE core_auditrecord SET summary = %s WHERE id = %s", ["改过", records[1].pk])
    client.force_login(world.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:audit_verify_start"))
    run = AuditVerification.objects.get()
    assert (run.status, run.broken_at) == ("broken", records[1].pk)
    page = client.get(reverse("core:audit_verification", args=[run.pk])).content.decode()
    assert f"审计链在第 {records[1].pk} 条记录处断开" in page


def test_a_second_start_while_one_runs_returns_the_running_one(world):
    from gongzhi.core.audit_verification import start_verification

    first = AuditVerification.objects.create(started_by=world.users["auditor"])
    assert start_verification(actor=world.users["auditor"]) == first
    assert AuditVerification.objects.count() == 1


@pytest.mark.parametrize("role", ["neighborhood_secretary", "security_admin", "system_admin", "grid_worker"])
def test_only_the_subdistricts_audit_readers_may_verify(client, world, role):
    run = AuditVerification.objects.create(started_by=world.users["auditor"])
    client.force_login(world.users[role])
    assert client.get(reverse("core:audit_verify")).status_code == 403
    assert client.post(reverse("core:audit_verify_start")).status_code == 403
    assert client.get(reverse("core:audit_verification", args=[run.pk])).status_code == 403
    assert AuditVerification.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("core:audit_verify", "core:audit"):
        assert "/accounts/login/" in client.get(reverse(name)).url
    assert "/accounts/login/" in client.post(reverse("core:audit_verify_start")).url


def test_a_run_lost_for_an_hour_is_marked_failed_and_a_new_one_starts(
    world, django_capture_on_commit_callbacks
):
    from gongzhi.core.audit_verification import start_verification

    lost = AuditVerification.objects.create(
        started_by=world.users["auditor"],
        status="running",
        requested_at=timezone.now() - datetime.timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = start_verification(actor=world.users["auditor"])
    lost.refresh_from_db()
    assert lost.status == "failed" and fresh != lost and fresh.status == "queued"
