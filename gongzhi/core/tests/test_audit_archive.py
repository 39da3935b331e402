"""Audit archiving: an encrypted archive that verifies, removal only past retention, chain intact."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.audit_archive import ArchiveError, archive, read_archive, verify_archive
from gongzhi.core.models import AuditRecord
from gongzhi.core.tests.test_audit_chain import _without_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_blanket_purge(settings):
    """The suite may purge (conftest); take that away to prove the archive is what lifts it."""
    settings.AUDIT_PURGE_ALLOWED = False
    settings.AUDIT_RETENTION_DAYS = 180
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET gongzhi.audit_purge = 'off'")  # undone with the test's transaction


def trail(days_ago: list[int]) -> list[AuditRecord]:
    """Records written as if on those days, chained like real ones (the writer sets `at`)."""
    made = []
    for days in days_ago:
        with _clock(timezone.now() - timedelta(days=days)):
            made.append(audit.record("update", summary=f"{days} days ago"))
    return made


class _clock:
    def __init__(self, at):
        self.at = at

    def __enter__(self):
        self.original = timezone.now
        timezone.now = lambda: self.at

    def __exit__(self, *exc):
        timezone.now = self.original


def test_old_records_are_archived_removed_and_the_rest_still_verifies(tmp_path):
    made = trail([400, 390, 380, 10, 5])
    out = tmp_path / "audit-2025.gza"
    report = archive(timezone.now() - timedelta(days=200), out)
    assert report.count == 3 and report.deleted and report.last_id == made[2].pk
    assert not AuditRecord.objects.filter(pk__in=[m.pk for m in made[:3]]).exists()
    assert audit.verify_chain().intact
    # The archive is encrypted, verifies on its own, and joins the remaining chain.
    assert b"390 days ago" not in out.read_bytes()
    checked = verify_archive(out)
    assert checked.count == 3 and checked.last_hash == made[2].hash
    assert AuditRecord.objects.order_by("id").first().prev_hash == checked.last_hash
    assert AuditRecord.objects.filter(action="archive").count() == 1


def test_records_inside_retention_are_archived_but_kept(tmp_path):
    trail([100, 50, 1])
    report = archive(timezone.now() - timedelta(days=20), tmp_path / "a.gza")
    assert report.count == 2 and not report.deleted and "kept" in report.note
    assert AuditRecord.objects.filter(action="update").count() == 3


def test_a_tampered_archive_fails_verification(tmp_path):
    trail([400, 390])
    out = tmp_path / "a.gza"
    archive(timezone.now() - timedelta(days=200), out, delete=False)
    data = bytearray(out.read_bytes())
    data[-40] ^= 1
    out.write_bytes(bytes(data))
    with pytest.raises(ArchiveError):
        verify_archive(out)


def test_a_broken_chain_is_not_archived(tmp_path):
    made = trail([400, 390, 380])
    _without_triggers("UPDATE core_auditrecord SET summary = 'edited' WHERE id = %s", [made[1].pk])
    with pytest.raises(ArchiveError):
        archive(timezone.now() - timedelta(days=200), tmp_path / "a.gza")
    assert AuditRecord.objects.filter(pk=made[0].pk).exists()


def test_the_trail_stays_append_only_outside_the_archive(tmp_path):
    trail([400])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().delete()


def test_archive_lines_keep_every_hash(tmp_path):
    made = trail([400, 390])
    out = tmp_path / "a.gza"
    archive(timezone.now() - timedelta(days=200), out, delete=False)
    _header, rows, closing = read_archive(out)
    assert [(r["id"], r["prev_hash"], r["hash"]) for r in rows] == [(m.pk, m.prev_hash, m.hash) for m in made]
    assert closing["manifest"]["count"] == 2


def test_commands(tmp_path):
    trail([400, 3])
    before = (timezone.localdate() - timedelta(days=300)).isoformat()
    out = StringIO()
    call_command("audit", "archive", "--before", before, "--out", str(tmp_path / "x.gza"), stdout=out)
    assert "1 records" in out.getvalue() and "removed from the database" in out.getvalue()
    out = StringIO()
    call_command("audit", "verify-archive", str(tmp_path / "x.gza"), stdout=out)
    assert out.getvalue().startswith("audit archive intact: 1 records")
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain intact" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("audit", "archive", "--before", "yesterday", "--out", str(tmp_path / "y.gza"))
    with pytest.raises(CommandError):
        call_command("audit", "archive", "--before", before, "--out", str(tmp_path / "x.gza"))
