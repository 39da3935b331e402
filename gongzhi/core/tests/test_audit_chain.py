"""The audit trail is tamper-evident: a changed, removed or inserted record breaks the chain."""

import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gongzhi.core import audit
from gongzhi.core.models import AuditRecord
from gongzhi.core.testing import run_together


def _without_triggers(sql: str, params=()):
    """What an attacker with direct database access would do: bypass the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute(sql, params)


def _records(n: int) -> list:
    return [audit.record("update", summary=f"记录{i}", changes={"n": i}) for i in range(n)]


@pytest.mark.django_db
def test_untouched_chain_verifies():
    _records(5)
    assert audit.verify_chain().intact
    call_command("audit", "verify")


@pytest.mark.django_db
def test_edited_record_is_named_as_first_broken_link():
    records = _records(5)
    _without_triggers("UPDATE core_auditrecord SET summary = %s WHERE id = %s", ["改过", records[2].pk])
    report = audit.verify_chain()
    assert report.broken_at == records[2].pk and report.checked == 2
    with pytest.raises(CommandError, match=f"broken at record {records[2].pk}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_deleted_record_breaks_the_next_link(settings):
    records = _records(5)
    AuditRecord.objects.filter(pk=records[1].pk).delete()  # the suite's connection may purge
    assert audit.verify_chain().broken_at == records[2].pk


@pytest.mark.django_db
def test_deleted_newest_record_is_noticed(settings):
    records = _records(3)
    AuditRecord.objects.filter(pk=records[-1].pk).delete()
    assert not audit.verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_unbroken_chains():
    def writer(i):
        return lambda: [audit.record("update", summary=f"线程{i}-{j}") for j in range(10)]

    outcomes = run_together(*[writer(i) for i in range(4)])
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert AuditRecord.objects.count() == 40
    assert audit.verify_chain().intact


@contextmanager
def _first_chain_held():
    """Another transaction holds chain 1's head, as a concurrent audited write would."""
    from gongzhi.core.models import AuditChainHead

    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=audit.HEAD_ID)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


def _records_in_second_chain(n: int) -> list:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    _records(1)  # the heads exist
    with _first_chain_held():
        made = _records(n)
    assert {r.chain for r in made} == {audit.HEAD_ID + 1}
    return made


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_a_chain_another_transaction_holds():
    made = _records_in_second_chain(3)
    later = _records(2)  # chain 1 is free again
    assert {r.chain for r in later} == {audit.HEAD_ID}
    assert [r.prev_hash for r in made[1:]] == [r.hash for r in made[:-1]]
    assert audit.verify_chain().intact and audit.verify_chain().checked == 6


@pytest.mark.django_db(transaction=True)
def test_deleted_newest_record_of_a_second_chain_is_noticed():
    made = _records_in_second_chain(3)
    _records(2)
    AuditRecord.objects.filter(pk=made[-1].pk).delete()
    report = audit.verify_chain()
    assert not report.intact and f"chain {made[-1].chain} is at record {made[-1].pk}" in " ".join(
        report.missing
    )


@pytest.mark.django_db(transaction=True)
def test_record_moved_to_another_chain_breaks_the_chain():
    made = _records_in_second_chain(3)
    _records(2)
    _without_triggers("UPDATE core_auditrecord SET chain = %s WHERE id = %s", [audit.HEAD_ID, made[1].pk])
    assert audit.verify_chain().broken_at == made[1].pk
