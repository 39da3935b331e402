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


def _aged(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


def test_survey_lists_lose_their_people_a_year_after_the_survey_closed(world):
    from gongzhi.surveys import testing as survey_testing
    from gongzhi.surveys.models import Respondent, Survey

    old = survey_testing.courier_survey(world)
    fresh = survey_testing.courier_survey(world)
    closed = timezone.now() - timedelta(days=400)
    _aged(Survey, old.pk, opens_at=closed - timedelta(days=30), closes_at=closed, status="closed")
    retention.purge()
    gone = list(Respondent.objects.filter(survey=old).values_list("name", "phone_digest", "note"))
    assert gone and set(gone) == {("", "", "")}
    assert Respondent.objects.get(survey=old, pk=old.respondents.first().pk).phone == ""
    assert Respondent.objects.filter(survey=fresh).exclude(phone_digest="").count() == 3
    assert Respondent.objects.filter(survey=old).count() == 3  # the counts of who was asked stay


def test_volunteers_without_service_lose_their_contact_data_after_three_years(world):
    from gongzhi.volunteers import services
    from gongzhi.volunteers import testing as vt
    from gongzhi.volunteers.models import Volunteer

    idle = vt.volunteer(world, "老志愿者", phone="13912340001")
    active = vt.volunteer(world, "常来的", phone="13912340002")
    young = vt.volunteer(world, "新来的", phone="13912340003")
    long_ago = timezone.now() - timedelta(days=4 * 365)
    Volunteer.objects.filter(pk__in=[idle.pk, active.pk]).update(created_at=long_ago)
    services.sign_up(actor=world.users["subdistrict_admin"], activity=vt.activity(world), volunteer=active)
    retention.purge()
    idle, active, young = (Volunteer.objects.get(pk=v.pk) for v in (idle, active, young))
    assert (idle.name, idle.phone) == ("老志愿者", "")  # the name stays with the hours ledger
    assert active.phone == "13912340002" and young.phone == "13912340003"


def test_closed_micro_wishes_lose_who_wished_after_two_years(world):
    from gongzhi.volunteers.models import MicroWish

    def wish(status):
        return MicroWish.objects.create(
            neighborhood=world.neighborhood_a,
            resident=world.resident_a,
            wisher_name="王阿姨",
            title="修理轮椅",
            description="住 3 楼，腿脚不便",
            status=status,
            posted_by=world.users["social_worker"],
        )

    done, waiting = wish("fulfilled"), wish("open")
    MicroWish.objects.update(created_at=timezone.now() - timedelta(days=3 * 365))
    retention.purge()
    done, waiting = MicroWish.objects.get(pk=done.pk), MicroWish.objects.get(pk=waiting.pk)
    assert (done.wisher_name, done.description, done.resident_id) == (
        retention.ANONYMISED,
        retention.ANONYMISED,
        None,
    )
    assert done.title == "修理轮椅" and waiting.wisher_name == "王阿姨"


def test_unreferenced_uploads_are_deleted_with_their_files(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.core import uploads
    from gongzhi.core.models import StoredFile
    from gongzhi.core.tests.test_uploads import PNG

    settings.MEDIA_ROOT = tmp_path / "uploads"
    orphan = uploads.store(SimpleUploadedFile("a.png", PNG), "photo", actor=world.users["social_worker"])
    recent = uploads.store(SimpleUploadedFile("b.png", PNG), "photo", actor=world.users["social_worker"])
    StoredFile.objects.filter(pk=orphan.pk).update(uploaded_at=timezone.now() - timedelta(days=60))
    assert uploads.path_of(orphan).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        found = counts(retention.purge())
    assert found["stored_files.unreferenced"] == 1
    assert not StoredFile.objects.filter(pk=orphan.pk).exists() and not uploads.path_of(orphan).exists()
    assert StoredFile.objects.filter(pk=recent.pk).exists() and uploads.path_of(recent).is_file()


def test_an_upload_a_record_refers_to_is_kept(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.core.models import StoredFile
    from gongzhi.projects import services as project_services
    from gongzhi.projects import testing as pt

    settings.MEDIA_ROOT = tmp_path / "uploads"
    project = pt.project(world, state="running", budget="5000")
    pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")
    expense = project_services.record_expense(
        actor=world.users["social_worker"],
        project=project,
        category="materials",
        description="花苗",
        amount="120",
        spent_on=pt.today(),
        receipt=pdf,
    )
    StoredFile.objects.update(uploaded_at=timezone.now() - timedelta(days=60))
    assert counts(retention.purge())["stored_files.unreferenced"] == 0
    assert StoredFile.objects.filter(pk=expense.receipt_id).exists()


def test_decided_export_requests_go_after_a_year_pending_ones_stay(world):
    from gongzhi.core.models import ExportRequest

    old = timezone.now() - timedelta(days=400)
    who = world.users["neighborhood_secretary"]
    refused = ExportRequest.objects.create(
        kind="org.households", purpose="核对台账", requested_by=who, status="refused"
    )
    pending = ExportRequest.objects.create(kind="org.households", purpose="核对台账", requested_by=who)
    ExportRequest.objects.update(requested_at=old)
    retention.purge()
    assert not ExportRequest.objects.filter(pk=refused.pk).exists()
    assert ExportRequest.objects.filter(pk=pending.pk).exists()


def test_api_tokens_expired_a_month_ago_are_deleted(world):
    from gongzhi.core.models import ApiToken

    user, now = world.users["subdistrict_admin"], timezone.now()
    ApiToken.objects.create(user=user, name="old", digest="a" * 64, expires_at=now - timedelta(days=31))
    recent = ApiToken.objects.create(
        user=user, name="recent", digest="b" * 64, expires_at=now - timedelta(days=2)
    )
    live = ApiToken.objects.create(
        user=user, name="live", digest="c" * 64, expires_at=now + timedelta(days=60)
    )
    assert counts(retention.purge())["api_tokens.expired"] == 1
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
