"""Issue 19, finding 9: the audit chain is anchored at both ends. Removing the oldest records,
removing the newest ones and pointing a head back, or forging a checkpoint no longer verifies;
a legitimate archive purge still does."""

import json
import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core import audit, audit_anchor
from gongzhi.core.audit_archive import archive
from gongzhi.core.models import AuditChainHead, AuditRecord
from gongzhi.core.tests.test_audit_archive import trail

pytestmark = pytest.mark.django_db


def records(n: int) -> list[AuditRecord]:
    return [audit.record("update", summary=f"记录{i}", changes={"n": i}) for i in range(n)]


def problems() -> str:
    report = audit.verify_chain()
    assert report.broken_at is None, report.problem  # every remaining link holds: only ends are gone
    assert not report.intact
    return "\n".join(report.missing)


def verify_fails(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("audit", "verify", stdout=StringIO())


def test_an_untouched_trail_with_checkpoints_verifies_and_says_what_it_checked():
    records(5)
    call_command("audit", "checkpoint", stdout=StringIO())
    records(2)
    call_command("audit", "checkpoint", stdout=StringIO())
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain intact: 7 records; checked against 2 checkpoints" in out.getvalue()


def test_a_checkpoint_is_a_signed_line_in_the_anchor_file_and_the_log(settings, caplog):
    made = records(3)
    with caplog.at_level(logging.INFO, logger="gongzhi.audit"):
        call_command("audit", "checkpoint", stdout=StringIO())
    line = json.loads(Path(settings.AUDIT_CHECKPOINTS).read_text().splitlines()[-1])
    assert line["kind"] == "checkpoint" and line["count"] == 3
    assert (line["first_id"], line["last_id"]) == (made[0].pk, made[-1].pk)
    assert line["heads"] == {str(made[-1].chain): [made[-1].pk, made[-1].hash]}
    assert len(line["mac"]) == 64 and line["mac"] in caplog.text


def test_deleting_the_oldest_records_is_reported_even_without_a_checkpoint():
    made = records(8)
    AuditRecord.objects.filter(pk__in=[r.pk for r in made[:3]]).delete()
    assert f"oldest records missing: chain {made[3].chain} starts at record {made[3].pk}" in problems()
    verify_fails("oldest records missing")


def test_deleting_the_oldest_records_is_counted_against_the_checkpoint():
    made = records(8)
    call_command("audit", "checkpoint", stdout=StringIO())
    AuditRecord.objects.filter(pk__in=[r.pk for r in made[:3]]).delete()
    assert "counted 8 records" in problems() and "the database holds 5 of them" in problems()


def test_deleting_the_newest_records_and_pointing_the_head_back_by_hand_is_reported():
    made = records(6)
    AuditRecord.objects.filter(pk__in=[r.pk for r in made[4:]]).delete()
    AuditChainHead.objects.filter(pk=made[3].chain).update(last_hash=made[3].hash, last_record_id=made[3].pk)
    assert f"the head of chain {made[3].chain} does not match its seal" in problems()
    verify_fails("does not match its seal")


def test_a_head_restored_to_an_earlier_genuine_state_is_caught_by_the_checkpoint():
    made = records(4)
    earlier = AuditChainHead.objects.values("last_hash", "last_record_id", "mac").get(pk=made[0].chain)
    newer = records(3)
    call_command("audit", "checkpoint", stdout=StringIO())
    AuditRecord.objects.filter(pk__in=[r.pk for r in newer]).delete()
    AuditChainHead.objects.filter(pk=made[0].chain).update(**earlier)  # a sealed head, replayed
    found = problems()
    assert f"saw chain {made[0].chain} at record {newer[-1].pk}, which is no longer in the database" in found
    assert "counted 7 records" in found
    verify_fails("rolled back")


def test_a_forged_or_altered_checkpoint_is_reported(settings):
    records(3)
    call_command("audit", "checkpoint", stdout=StringIO())
    path = Path(settings.AUDIT_CHECKPOINTS)
    line = json.loads(path.read_text())
    line["count"] = 2  # as if three records had been two
    forged = {**line, "count": 1, "mac": "0" * 64}
    path.write_text(json.dumps(line) + "\n" + json.dumps(forged) + "\n")
    found = problems()
    assert "line 1 has a bad signature" in found and "line 2 has a bad signature" in found
    verify_fails("forged or altered")


def test_a_legitimate_purge_leaves_a_signed_marker_and_still_verifies(settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 180
    old = trail([400, 390, 380])
    call_command("audit", "checkpoint", stdout=StringIO())
    trail([10, 5])
    report = archive(timezone.now() - timedelta(days=200), tmp_path / "a.gz")
    assert report.deleted and not AuditRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    marker = audit_anchor.read_anchors().purges[0]
    assert (marker["first_id"], marker["last_id"], marker["count"]) == (old[0].pk, old[-1].pk, 3)
    assert marker["last_hashes"] == {str(old[-1].chain): old[-1].hash} and marker["sha256"] == report.sha256
    assert audit.verify_chain().intact
    call_command("audit", "checkpoint", stdout=StringIO())
    assert audit.verify_chain().intact


def test_deleting_beyond_what_a_purge_archived_is_still_reported(settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 180
    trail([400, 390])
    kept = trail([10, 9, 8])
    archive(timezone.now() - timedelta(days=200), tmp_path / "a.gz")
    AuditRecord.objects.filter(pk=kept[0].pk).delete()
    assert f"starts at record {kept[1].pk}" in problems()


def test_a_removed_head_row_is_reported():
    made = records(3)
    AuditChainHead.objects.filter(pk=made[0].chain).delete()
    assert f"chain {made[0].chain} has records but no head" in problems()


def test_a_purge_from_before_markers_is_adopted_from_its_archive_file(settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 180
    trail([400, 390])
    trail([10])
    archive(timezone.now() - timedelta(days=200), tmp_path / "a.gz")
    Path(settings.AUDIT_CHECKPOINTS).unlink()  # as an installation that archived before this version
    assert "oldest records missing" in problems()
    out = StringIO()
    call_command("audit", "checkpoint", "--adopt-archive", str(tmp_path / "a.gz"), stdout=out)
    assert "purge marker for records" in out.getvalue()
    assert audit.verify_chain().intact


def test_an_archive_that_does_not_verify_is_not_adopted(tmp_path):
    (tmp_path / "fake.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="fake.gz"):
        call_command("audit", "checkpoint", "--adopt-archive", str(tmp_path / "fake.gz"), stdout=StringIO())
    assert not audit_anchor.read_anchors().purges
