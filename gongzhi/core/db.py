"""Per-connection setup: the audit purge permission the append-only triggers look for."""

from django.conf import settings


def _purge_allowed() -> int:
    return 1 if getattr(settings, "AUDIT_PURGE_ALLOWED", False) else 0


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        # Read at call time, so the permission can be lifted for one operation only.
        connection.connection.create_function("gongzhi_audit_purge", 0, _purge_allowed, deterministic=False)
    elif connection.vendor == "postgresql" and _purge_allowed():
        with connection.connection.cursor() as cursor:
            cursor.execute("SET gongzhi.audit_purge = 'on'")
