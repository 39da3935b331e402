"""Anchoring the audit chain outside the database (issue 19, finding 9).

The chain (core/audit.py) shows a changed, inserted or removed record in its middle, but someone
with write access to the database could remove records at either end and leave a chain that
verifies: the oldest ones (the first remaining record then looks like the start of the trail) or
the newest ones (with the chain head pointed back). Three anchors close that:

- every chain head carries an HMAC with the audit key over (chain, last record id, last hash),
  so a head pointed back by hand no longer verifies;
- `gongzhi audit checkpoint` (cron) appends a signed checkpoint to a file outside the database
  (`AUDIT_CHECKPOINTS` / GONGZHI_AUDIT_CHECKPOINTS, default var/audit-checkpoints.jsonl; the
  operator ships it off the server) and the log: count, first and last record id, every chain's
  head, and a hash over the heads. `verify` then notices records missing behind a checkpoint and
  heads set back to an earlier, once genuine, state;
- an audit archive that removes records (core/audit_archive.py) first appends a signed purge
  marker to the same file: the range, count and last hash of every chain it archived, and the
  archive file's sha256, so a legitimate purge verifies and any other removal does not.

Each line of the file is one JSON object signed with the audit key (HMAC-SHA256); a line that
does not verify is reported as forged or altered.
"""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from gongzhi.core import pii
from gongzhi.core.models import AuditChainHead, AuditRecord

FORMAT = "gongzhi-audit-anchor-1"
logger = logging.getLogger("gongzhi.audit")


def anchor_path() -> Path:
    """Where checkpoints and purge markers are appended."""
    configured = getattr(settings, "AUDIT_CHECKPOINTS", "") or os.environ.get("GONGZHI_AUDIT_CHECKPOINTS", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-checkpoints.jsonl"


def head_mac(chain: int, last_record_id: int | None, last_hash: str, key: bytes | None = None) -> str:
    """The keyed seal of a chain head, like a record's link hash."""
    message = json.dumps([FORMAT, "head", chain, last_record_id, last_hash or ""]).encode()
    return hmac.new(key or pii.audit_chain_key(), message, hashlib.sha256).hexdigest()


def head_holds(head: AuditChainHead) -> bool:
    """Whether the head's seal matches it under the current or an older audit key."""
    return any(
        hmac.compare_digest(head.mac or "", head_mac(head.pk, head.last_record_id, head.last_hash, key))
        for key in pii.audit_chain_keys()
    )


def _signature(entry: dict, key: bytes | None = None) -> str:
    body = {k: v for k, v in entry.items() if k != "mac"}
    message = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key or pii.audit_chain_key(), message, hashlib.sha256).hexdigest()


def _append(entry: dict) -> dict:
    """Sign `entry`, append it to the anchor file (synced to disk) and log it."""
    entry = {"format": FORMAT, "at": timezone.now().isoformat(), **entry}
    entry["mac"] = _signature(entry)
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(line + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    logger.info("audit anchor %s", line)
    return entry


def _heads() -> dict[str, list]:
    rows = AuditChainHead.objects.filter(last_record_id__isnull=False).order_by("pk")
    return {str(h.pk): [h.last_record_id, h.last_hash] for h in rows}


def _heads_hash(heads: dict) -> str:
    return hashlib.sha256(json.dumps(heads, sort_keys=True).encode()).hexdigest()


def checkpoint() -> dict:
    """Append a signed checkpoint of the trail as it stands (run by cron)."""
    with transaction.atomic():  # one consistent view of records and heads (a snapshot on PostgreSQL)
        totals = AuditRecord.objects.aggregate(count=Count("id"), first=Min("id"), last=Max("id"))
        heads = _heads()
    return _append(
        {
            "kind": "checkpoint",
            "count": totals["count"],
            "first_id": totals["first"],
            "last_id": totals["last"],
            "heads": heads,
            "head_hash": _heads_hash(heads),
        }
    )


def purge_marker(*, first_id: int, last_id: int, count: int, last_hashes: dict, sha256: str) -> dict:
    """Append the signed record of an archive about to remove records `first_id`–`last_id`."""
    return _append(
        {
            "kind": "purge",
            "first_id": first_id,
            "last_id": last_id,
            "count": count,
            "last_hashes": {str(k): v for k, v in last_hashes.items()},
            "sha256": sha256,
        }
    )


@dataclass
class Anchors:
    """What the anchor file says, and what was wrong with it."""

    checkpoints: list[dict] = field(default_factory=list)
    purges: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    order: list[dict] = field(default_factory=list)  # both kinds, in file order

    @property
    def archived_through(self) -> int:
        return max((p["last_id"] for p in self.purges), default=0)

    def archived_heads(self) -> dict[int, str]:
        """Each chain's last archived hash: what its first remaining record must follow."""
        heads: dict[int, str] = {}
        for marker in self.purges:
            heads.update({int(k): v for k, v in marker["last_hashes"].items()})
        return heads


def read_anchors() -> Anchors:
    """Every line of the anchor file, its signature checked (a bad line is reported, not used)."""
    found = Anchors()
    path = anchor_path()
    if not path.exists():
        return found
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            found.problems.append(f"anchor file line {number} is not a checkpoint (unreadable JSON)")
            continue
        macs = [_signature(entry, key) for key in pii.audit_chain_keys()] if isinstance(entry, dict) else []
        if not any(hmac.compare_digest(str(entry.get("mac", "")), mac) for mac in macs):
            found.problems.append(
                f"anchor file line {number} has a bad signature: the checkpoint is forged or altered"
            )
            continue
        kind = entry.get("kind")
        if kind in ("checkpoint", "purge"):
            (found.checkpoints if kind == "checkpoint" else found.purges).append(entry)
            found.order.append(entry)
    return found


def check(firsts: dict[int, AuditRecord], lasts: dict[int, AuditRecord]) -> list[str]:
    """What the heads and the anchor file say is missing, given each chain's first and last
    remaining record (from the chain walk in `audit.verify_chain`)."""
    anchors = read_anchors()
    problems = list(anchors.problems)
    problems += _oldest_end(firsts, anchors)
    problems += _heads_now(lasts, anchors)
    latest = anchors.checkpoints[-1] if anchors.checkpoints else None
    if latest is not None and (latest.get("last_id") or 0) > anchors.archived_through:
        problems += _against_checkpoint(latest, anchors)
    return problems


def _oldest_end(firsts: dict[int, AuditRecord], anchors: Anchors) -> list[str]:
    """A chain's first remaining record follows nothing, or the last record a purge archived."""
    archived = anchors.archived_heads()
    problems = []
    for chain, first in sorted(firsts.items()):
        if first.prev_hash and first.prev_hash != archived.get(chain):
            problems.append(
                f"oldest records missing: chain {chain} starts at record {first.pk}, which follows a "
                "record that is neither in the database nor in a signed purge marker"
            )
    return problems


def _heads_now(lasts: dict[int, AuditRecord], anchors: Anchors) -> list[str]:
    """Every head is sealed and ends on its chain's newest remaining record (or was archived)."""
    problems = []
    heads = {h.pk: h for h in AuditChainHead.objects.order_by("pk")}
    for chain in sorted(set(heads) | set(lasts)):
        head, last = heads.get(chain), lasts.get(chain)
        if head is None:
            problems.append(f"chain {chain} has records but no head: the head row was removed")
        elif head.last_record_id is not None and not head_holds(head):
            problems.append(f"the head of chain {chain} does not match its seal: it was set by hand")
        elif last is not None and (head.last_record_id, head.last_hash) != (last.pk, last.hash):
            problems.append(
                f"newest records missing: the head of chain {chain} is at record {head.last_record_id}, "
                f"its newest remaining record is {last.pk}"
            )
        elif last is None and (head.last_record_id or 0) > anchors.archived_through:
            problems.append(
                f"newest records missing: chain {chain} has no records left, its head is at record "
                f"{head.last_record_id} and no purge marker covers it"
            )
    return problems


def _against_checkpoint(latest: dict, anchors: Anchors) -> list[str]:
    """Nothing the latest checkpoint saw is gone unless a later purge marker accounts for it."""
    problems = []
    at, through = latest["at"], anchors.archived_through
    later = anchors.order[anchors.order.index(latest) + 1 :]
    purged_since = sum(p["count"] for p in later if p["kind"] == "purge")
    present = AuditRecord.objects.filter(id__lte=latest["last_id"]).count()
    if present + purged_since < latest["count"]:
        problems.append(
            f"records missing: the checkpoint of {at} counted {latest['count']} records up to record "
            f"{latest['last_id']}; the database holds {present} of them and purge markers account for "
            f"{purged_since}"
        )
    heads = {h.pk: h for h in AuditChainHead.objects.all()}
    for chain, (record_id, record_hash) in sorted(latest["heads"].items(), key=lambda i: int(i[0])):
        if record_id <= through:
            continue
        kept = AuditRecord.objects.filter(pk=record_id).values_list("hash", flat=True).first()
        head = heads.get(int(chain))
        if kept != record_hash:
            problems.append(
                f"rolled back: the checkpoint of {at} saw chain {chain} at record {record_id}, "
                "which is no longer in the database"
            )
        elif head is None or (head.last_record_id or 0) < record_id:
            problems.append(
                f"rolled back: the head of chain {chain} is behind the checkpoint of {at} "
                f"(record {record_id})"
            )
    return problems


@dataclass
class Summary:
    checkpoints: int
    purges: int
    latest_at: str


def summary() -> Summary:
    anchors = read_anchors()
    latest = anchors.checkpoints[-1]["at"] if anchors.checkpoints else ""
    return Summary(len(anchors.checkpoints), len(anchors.purges), latest)
