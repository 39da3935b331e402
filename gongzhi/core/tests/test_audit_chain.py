"""The audit trail is tamper-evident: a changed, removed or inserted record breaks the chain."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

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
def test_concurrent_writers_keep_one_unbroken_chain():
    def writer(i):
        return lambda: [audit.record("update", summary=f"线程{i}-{j}") for j in range(10)]

    outcomes = run_together(*[writer(i) for i in range(4)])
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert AuditRecord.objects.count() == 40
    assert audit.verify_chain().intact
