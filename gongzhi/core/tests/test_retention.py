"""Retention: expired personal data is anonymised (statistics kept), plumbing deleted, counts reported."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from gongzhi.accounts.models import PhoneCode
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core import retention
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged(world):
    """One concern closed four years ago, one closed last month; old and fresh sign-in codes."""
    old = concern_for(world, reporter_name="王阿姨", reporter_phone="13912345678")
    fresh = concern_for(world, reporter_name="李师傅", reporter_phone="13800001111")
    now = timezone.now()
    Concern.objects.filter(pk=old.pk).update(
        state="closed", closed_at=now - timedelta(days=4 * 365), rating="satisfied"
    )
    Concern.objects.filter(pk=fresh.pk).update(state="closed", closed_at=now - timedelta(days=30))
    PhoneCode.objects.create(
        phone_digest="a", code_digest="b", created_at=now - timedelta(days=40), expires_at=now
    )
    PhoneCode.objects.create(phone_digest="c", code_digest="d", expires_at=now + timedelta(minutes=5))
    return old, fresh


def counts(outcomes) -> dict[str, int]:
    return {o.rule.code: o.count for o in outcomes if not o.skipped}


def test_dry_run_counts_and_changes_nothing(aged):
    old, _fresh = aged
    before = AuditRecord.objects.count()
    found = counts(retention.purge(dry_run=True))
    assert found["concerns.closed"] == 1 and found["phone_codes"] == 1
    assert Concern.objects.get(pk=old.pk).reporter_name == "王阿姨"
    assert PhoneCode.objects.count() == 2 and AuditRecord.objects.count() == before


def test_purge_anonymises_expired_concerns_and_keeps_their_statistics(aged):
    old, fresh = aged
    retention.purge()
    old = Concern.objects.get(pk=old.pk)
    assert (old.reporter_name, old.reporter_phone, old.household_id) == ("", "", None)
    assert old.description == retention.ANONYMISED and old.place == ""
    # What the KPIs count stays.
    assert (old.state, old.rating, old.category_id, old.neighborhood_id) == (
        "closed",
        "satisfied",
        old.category_id,
        old.neighborhood_id,
    )
    assert old.closed_at is not None and old.accepted_at is not None
    fresh = Concern.objects.get(pk=fresh.pk)
    assert fresh.reporter_name == "李师傅" and fresh.reporter_phone == "13800001111"
    assert PhoneCode.objects.count() == 1
    assert AuditRecord.objects.filter(action="purge", summary__startswith="concerns.closed: 1").exists()


def test_a_second_purge_finds_nothing_more(aged):
    retention.purge()
    again = counts(retention.purge(dry_run=True))
    assert again["concerns.closed"] == 0 and again["phone_codes"] == 0


def test_periods_are_configurable(aged, settings, monkeypatch):
    settings.RETENTION_DAYS = {"concerns.closed": 10}
    assert counts(retention.purge(dry_run=True))["concerns.closed"] == 2
    monkeypatch.setenv("GONGZHI_RETENTION_DAYS", "concerns.closed=5000")
    assert counts(retention.purge(dry_run=True))["concerns.closed"] == 0


def test_audit_retention_is_never_below_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    assert retention.audit_retention_days() == 180
    settings.AUDIT_RETENTION_DAYS = 400
    assert retention.audit_retention_days() == 400


def test_expired_sessions_are_deleted(world):
    Session.objects.create(
        session_key="x" * 32, session_data="e30", expire_date=timezone.now() - timedelta(hours=1)
    )
    Session.objects.create(
        session_key="y" * 32, session_data="e30", expire_date=timezone.now() + timedelta(hours=1)
    )
    retention.purge()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]


def test_command_reports_counts(aged):
    out = StringIO()
    call_command("retention", "purge", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("concerns.closed") and "1 records" in line for line in lines)
    assert lines[-1] == "retention: 1 records would be anonymised, 1 would be deleted (dry run)"
    out = StringIO()
    call_command("retention", "purge", stdout=out)
    assert out.getvalue().splitlines()[-1] == "retention: 1 records were anonymised, 1 were deleted"
    out = StringIO()
    call_command("retention", "rules", stdout=out)
    assert "audit" in out.getvalue() and "concerns.closed" in out.getvalue()


def test_sent_sign_in_codes_are_blanked_after_a_day_other_messages_kept(world):
    from gongzhi.notifications.models import Message
    from gongzhi.notifications.services import send

    for key in ("otp:1", "concern:1:2"):
        send(key=key, channel="sms", address="13912345678", subject="s", body="您的验证码是 123456")
    Message.objects.update(created_at=timezone.now() - timedelta(days=2))
    retention.purge()
    bodies = dict(Message.objects.values_list("key", "body"))
    assert bodies["otp:1"] == retention.ANONYMISED and "123456" in bodies["concern:1:2"]
