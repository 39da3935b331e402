"""Writing and verifying the audit trail. Services call `record` inside their transaction.

Records form chains: each one's keyed hash (HMAC-SHA256 with a key derived from the field key)
covers its own content and the previous record's hash in its chain, so editing, inserting or
deleting a record in the database breaks the chain at that point, and `verify_chain` names the
first break. There are `CHAINS` parallel chains, each with its own head row: a writer takes the
first head no other transaction holds (SKIP LOCKED), so concurrent audited writes no longer wait
for each other's commit (and its WAL flush) as they did behind one platform-wide head row. Within
a chain, ids rise in chain order, because the next link is inserted only after the head's lock
was released by the previous link's commit. A record moved between chains breaks both.
"""

import hashlib
import hmac
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from gongzhi.core import audit_anchor, pii
from gongzhi.core.middleware import client_ip, current_request
from gongzhi.core.models import AuditChainHead, AuditRecord

# Fields whose values never go into the trail in clear.
PERSONAL_FIELDS = {"id_number", "phone", "id_number_digest", "phone_digest", "password"}
HEAD_ID = 1  # the first chain, the only one before chains ran in parallel
# More heads than concurrent writers (gunicorn workers × threads) keeps writers from queueing.
CHAINS = 16


def _area_of(obj: Model | None) -> tuple[int | None, int | None]:
    """(subdistrict_id, neighborhood_id) of a record, so the trail is browsable by area."""
    if obj is None:
        return None, None
    paths = getattr(obj, "scope_paths", {})
    values = {}
    for kind in ("subdistrict", "neighborhood"):
        path = paths.get(kind)
        if path and "__" not in path.removesuffix("_id"):
            values[kind] = obj.pk if path == "id" else getattr(obj, path, None)
        elif path:
            values[kind] = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True).first()
    return values.get("subdistrict"), values.get("neighborhood")


def safe_changes(changes: dict) -> dict:
    masked = {k: ("***" if k in PERSONAL_FIELDS else v) for k, v in changes.items()}
    # Through JSON once, so what is hashed is exactly what the database returns later.
    return json.loads(json.dumps(masked, default=str, ensure_ascii=False))


def link_hash(record: AuditRecord, key: bytes | None = None) -> str:
    content = [
        record.prev_hash or "",
        timezone.localtime(record.at, timezone.UTC).isoformat(),
        record.actor_id,
        record.actor_label,
        record.action,
        record.object_type,
        record.object_id,
        record.summary,
        record.reason,
        record.ip,
        record.subdistrict_id,
        record.neighborhood_id,
        record.changes,
    ]
    message = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key or pii.audit_chain_key(), message, hashlib.sha256).hexdigest()


def _link_holds(entry: AuditRecord) -> bool:
    """Records sealed before a key rotation verify with the old key they were written under."""
    return any(hmac.compare_digest(entry.hash or "", link_hash(entry, key)) for key in pii.audit_chain_keys())


_HEAD_SQL: dict[str, tuple[str, str, str]] = {}  # per database engine


def _head_sql() -> tuple[str, str, str]:
    """The chain head's statements (take a free head, wait for a given one, move it), written out
    once per engine: through the ORM, taking and moving the head cost a third of an audited
    write's time in query building, for two fixed one-row statements."""
    statements = _HEAD_SQL.get(connection.vendor)
    if statements is None:
        table = connection.ops.quote_name(AuditChainHead._meta.db_table)
        # SKIP LOCKED where the engine has row locks; SQLite serialises writers and takes chain 1.
        skip = (
            connection.ops.for_update_sql(skip_locked=True)
            if connection.features.has_select_for_update_skip_locked
            else ""
        )
        wait = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
        select = f"SELECT id, last_hash FROM {table} WHERE id >= %s AND id <= %s ORDER BY id LIMIT 1"
        statements = _HEAD_SQL[connection.vendor] = (
            f"{select} {skip}",
            f"{select} {wait}",
            f"UPDATE {table} SET last_hash = %s, last_record_id = %s, mac = %s WHERE id = %s",
        )
    return statements


def _locked_head() -> tuple[int, str]:
    """(chain, its last hash) of a free chain head, row-locked until the surrounding transaction
    ends. On engines without row locks (SQLite, which serialises writers anyway) this is always
    the first chain."""
    free, any_one, _move = _head_sql()
    with connection.cursor() as cursor:
        cursor.execute(free, [HEAD_ID, CHAINS])
        head = cursor.fetchone()
        if head is None:
            # No heads yet, or every one busy: make sure all exist, then wait for one of them.
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(pk=pk) for pk in range(HEAD_ID, CHAINS + 1)], ignore_conflicts=True
            )
            cursor.execute(free, [HEAD_ID, CHAINS])
            head = cursor.fetchone()
        if head is None:
            chain = random.randint(HEAD_ID, CHAINS)  # noqa: S311  (spreading waiters, not a secret)
            cursor.execute(any_one, [chain, chain])
            head = cursor.fetchone()
    return head[0], head[1]


def _move_head(chain: int, entry: AuditRecord) -> None:
    with connection.cursor() as cursor:
        # Sealed like the records, so a head pointed back by hand no longer verifies.
        seal = audit_anchor.head_mac(chain, entry.pk, entry.hash)
        cursor.execute(_head_sql()[2], [entry.hash, entry.pk, seal, chain])


# No savepoint: callers are already inside their own transaction, and a failure here fails it.
@transaction.atomic(savepoint=False)
def record(
    action: str,
    obj: Model | None = None,
    *,
    actor=None,
    summary: str = "",
    reason: str = "",
    changes: dict | None = None,
    area: tuple[int | None, int | None] | None = None,
) -> AuditRecord:
    request = current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    subdistrict_id, neighborhood_id = area if area is not None else _area_of(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    chain, last_hash = _locked_head()
    entry = AuditRecord(
        at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_label=str(actor)[:150] if authenticated else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=(summary or (str(obj) if obj is not None else ""))[:255],
        reason=reason[:255],
        ip=client_ip(request),
        subdistrict_id=subdistrict_id,
        neighborhood_id=neighborhood_id,
        changes=safe_changes(changes or {}),
        chain=chain,
        prev_hash=last_hash,
    )
    entry.hash = link_hash(entry)
    entry.save(force_insert=True)
    _move_head(chain, entry)
    return entry


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    # What the sealed heads, checkpoints and purge markers say is missing (core/audit_anchor.py).
    missing: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.missing


def _in_batches(batch: int):
    """Every record in id order, one fully read query per batch: no cursor stays open between
    batches, so a caller may write (the web check's progress) without holding a stale read
    snapshot on SQLite."""
    after = 0
    while True:
        rows = list(AuditRecord.objects.filter(id__gt=after).order_by("id")[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].pk


def verify_chain(batch: int = 5000, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every link in id order, chain by chain; then check both ends of every chain
    against its sealed head, the signed checkpoints and the purge markers (core/audit_anchor.py):
    a first remaining record must follow nothing or what a purge archived, a head must end on
    its chain's newest record, and nothing a checkpoint saw may be gone unaccounted."""
    firsts: dict[int, AuditRecord] = {}
    lasts: dict[int, AuditRecord] = {}
    checked = 0
    for entry in _in_batches(batch):
        if entry.chain in lasts and entry.prev_hash != lasts[entry.chain].hash:
            return ChainReport(checked, entry.pk, "prev_hash does not match the record before it")
        if not _link_holds(entry):
            return ChainReport(checked, entry.pk, "content does not match its hash")
        firsts.setdefault(entry.chain, entry)
        lasts[entry.chain] = entry
        checked += 1
        if progress is not None and checked % batch == 0:
            progress(checked)
    return ChainReport(checked, missing=audit_anchor.check(firsts, lasts))
