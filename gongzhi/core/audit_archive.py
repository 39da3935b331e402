"""Archiving old audit records: an encrypted, verifiable file, then removal if retention allows.

`archive(before, out)` takes the oldest stretch of the chain (every record up to the last one
written before `before`), checks that stretch is intact, and writes it with every record's
prev_hash and hash as gzip'd JSON lines, closed by a keyed manifest, encrypted like a backup
(AES-GCM chunks, core/backup.py). Only when all archived records are older than the audit
retention (at least 180 days) are they then deleted — through the purge permission the
append-only triggers look for. The remaining chains stay verifiable: `verify_chain` anchors each
chain (core/audit.py runs several in parallel) on its first remaining record's prev_hash, which
equals that chain's last archived hash, which a signed purge marker written outside the database
before the removal vouches for (core/audit_anchor.py).
`verify_archive(path)` recomputes every link of an archive and its manifest.
"""

import contextlib
import gzip
import hashlib
import hmac
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core import audit, audit_anchor, pii
from gongzhi.core.backup import _decrypt_file, _encrypt_file
from gongzhi.core.models import AuditRecord
from gongzhi.core.retention import audit_retention_days

FORMAT = "gongzhi-audit-archive-1"
FIELDS = [
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "reason",
    "ip",
    "subdistrict_id",
    "neighborhood_id",
    "changes",
    "chain",
    "prev_hash",
    "hash",
]
_BATCH = 5000


class ArchiveError(Exception):
    pass


@dataclass
class ArchiveReport:
    count: int
    first_id: int | None
    last_id: int | None
    last_hash: str
    deleted: bool
    sha256: str = ""
    note: str = ""


def _row(entry: AuditRecord) -> dict:
    row = {name: getattr(entry, name) for name in FIELDS}
    row["at"] = entry.at.astimezone(timezone.UTC).isoformat()
    return row


def _entry(row: dict) -> AuditRecord:
    values = dict(row)
    values["at"] = datetime.fromisoformat(values["at"])
    return AuditRecord(**values)


def _manifest_mac(header: dict, digest: str) -> str:
    message = json.dumps([header, digest], sort_keys=True, ensure_ascii=False).encode()
    return hmac.new(pii.audit_chain_key(), message, hashlib.sha256).hexdigest()


def archive(before: datetime, out: Path, *, delete: bool = True, actor=None) -> ArchiveReport:
    """Write every record older than `before` (the oldest prefix of the chain) to `out`."""
    last = AuditRecord.objects.filter(at__lt=before).order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return ArchiveReport(0, None, None, "", False, note="no audit records before that date")
    selected = AuditRecord.objects.filter(id__lte=last).order_by("id")
    digest, count, first_id, last_hash, previous = hashlib.sha256(), 0, None, "", {}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "archive.jsonl.gz"
        with gzip.open(plain, "wt", encoding="utf-8") as stream:
            header = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "before": before.isoformat(),
            }
            stream.write(json.dumps({"header": header}, ensure_ascii=False) + "\n")
            for entry in selected.iterator(chunk_size=_BATCH):
                if entry.chain in previous and entry.prev_hash != previous[entry.chain]:
                    raise ArchiveError(f"audit chain broken at record {entry.pk}; nothing archived")
                if not audit._link_holds(entry):
                    raise ArchiveError(f"audit record {entry.pk} does not match its hash; nothing archived")
                line = json.dumps(_row(entry), ensure_ascii=False, sort_keys=True)
                digest.update(line.encode())
                stream.write(line + "\n")
                first_id = first_id if first_id is not None else entry.pk
                previous[entry.chain] = last_hash = entry.hash
                count += 1
            summary = {"count": count, "first_id": first_id, "last_id": last, "last_hash": last_hash}
            mac = _manifest_mac({**header, **summary}, digest.hexdigest())
            stream.write(json.dumps({"manifest": summary, "mac": mac}) + "\n")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        _encrypt_file(plain, out)
    report = ArchiveReport(
        count, first_id, last, last_hash, False, hashlib.sha256(out.read_bytes()).hexdigest()
    )
    verify_archive(out)  # what was written reads back and verifies before anything is removed
    cutoff = timezone.now() - timedelta(days=audit_retention_days())
    if delete and before <= cutoff:
        # Signed, outside the database, before anything goes: what `verify` accepts as archived.
        audit_anchor.purge_marker(
            first_id=first_id, last_id=last, count=count, last_hashes=previous, sha256=report.sha256
        )
        _delete_through(last)
        report.deleted = True
    elif delete:
        report.note = f"archived only: audit records are kept {audit_retention_days()} days"
    audit.record(
        "archive",
        actor=actor,
        summary=f"audit archive: records {first_id}–{last} ({count})"
        + (", removed" if report.deleted else ""),
        changes={
            "first_id": first_id,
            "last_id": last,
            "count": count,
            "last_hash": last_hash,
            "sha256": report.sha256,
            "deleted": report.deleted,
        },
    )
    return report


@contextlib.contextmanager
def _purge_permitted():
    """Lift the append-only triggers' refusal to delete, for this transaction only."""
    previous = getattr(settings, "AUDIT_PURGE_ALLOWED", False)
    settings.AUDIT_PURGE_ALLOWED = True  # read per call by the SQLite function (core/db.py)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL gongzhi.audit_purge = 'on'")
            yield
    finally:
        settings.AUDIT_PURGE_ALLOWED = previous


def _delete_through(last_id: int) -> None:
    with _purge_permitted():
        while True:
            ids = list(
                AuditRecord.objects.filter(id__lte=last_id)
                .order_by("id")
                .values_list("id", flat=True)[:_BATCH]
            )
            if not ids:
                break
            AuditRecord.objects.filter(id__in=ids).delete()


def read_archive(path: Path) -> tuple[dict, list[dict], dict]:
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "archive.jsonl.gz"
        try:
            _decrypt_file(Path(path), plain)
        except Exception as exc:  # noqa: BLE001  (any failure to open means the file is not ours)
            raise ArchiveError(f"archive does not decrypt: {exc}") from None
        with gzip.open(plain, "rt", encoding="utf-8") as stream:
            lines = [json.loads(line) for line in stream]
    if len(lines) < 2 or "header" not in lines[0] or "manifest" not in lines[-1]:
        raise ArchiveError("archive is incomplete")
    return lines[0]["header"], lines[1:-1], lines[-1]


def verify_archive(path: Path) -> ArchiveReport:
    """Every link recomputed, the sequence unbroken, the manifest's count, ends and MAC matching."""
    header, rows, closing = read_archive(path)
    if header.get("format") != FORMAT:
        raise ArchiveError("not an audit archive")
    digest, previous, last_hash = hashlib.sha256(), {}, ""
    for row in rows:
        entry = _entry(row)  # archives written before parallel chains have no "chain": chain 1
        if entry.chain in previous and entry.prev_hash != previous[entry.chain]:
            raise ArchiveError(f"archive chain broken at record {entry.pk}")
        if not audit._link_holds(entry):
            raise ArchiveError(f"archived record {entry.pk} does not match its hash")
        digest.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
        previous[entry.chain] = last_hash = entry.hash
    manifest = closing["manifest"]
    expected = {"count": len(rows), "first_id": rows[0]["id"] if rows else None}
    if manifest.get("count") != expected["count"] or manifest.get("first_id") != expected["first_id"]:
        raise ArchiveError("archive manifest does not match its records")
    if last_hash != manifest.get("last_hash"):
        raise ArchiveError("archive manifest does not match its last record")
    macs = [
        hmac.new(
            key,
            json.dumps(
                [{**header, **manifest}, digest.hexdigest()], sort_keys=True, ensure_ascii=False
            ).encode(),
            hashlib.sha256,
        ).hexdigest()
        for key in pii.audit_chain_keys()
    ]
    if not any(hmac.compare_digest(closing.get("mac", ""), mac) for mac in macs):
        raise ArchiveError("archive manifest MAC does not verify")
    return ArchiveReport(len(rows), manifest["first_id"], manifest["last_id"], manifest["last_hash"], False)


def adopt(path: Path) -> dict:
    """Once, after upgrading: the signed purge marker an archive removed before markers existed
    would have written, rebuilt from the archive file itself (decrypted, every link and its MAC
    verified), so what it removed verifies again and nothing else does."""
    report = verify_archive(path)
    _header, rows, _closing = read_archive(path)
    last_hashes = {}
    for row in rows:
        last_hashes[row.get("chain", audit.HEAD_ID)] = row["hash"]
    return audit_anchor.purge_marker(
        first_id=report.first_id,
        last_id=report.last_id,
        count=report.count,
        last_hashes=last_hashes,
        sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
    )
