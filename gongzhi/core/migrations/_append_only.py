"""Database triggers that keep the audit table append-only (used by migrations 0002 and 0003).

Only a connection that carries the purge permission (core.db: the retention purge, and the test
suite's flush between tests) may delete rows; no connection may change one in place.
"""

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END""",
    # gongzhi_audit_purge() is registered per connection; without it the trigger fails closed.
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       WHEN NOT gongzhi_audit_purge()
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END""",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION core_auditrecord_refuse() RETURNS trigger AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' AND current_setting('gongzhi.audit_purge', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit trail is append-only';
       END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_change ON core_auditrecord",
    """CREATE TRIGGER core_auditrecord_no_change BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_refuse()""",
    # TRUNCATE bypasses row triggers; refuse it too.
    "DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord",
    """CREATE TRIGGER core_auditrecord_no_truncate BEFORE TRUNCATE ON core_auditrecord
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_refuse()""",
]


def ensure(apps, schema_editor) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def remove(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_change ON core_auditrecord")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditrecord_refuse()")
