"""Reads that may come from a read replica: dashboards, reports and exports.

A deployment that sets `DATABASE_REPLICA_URL` gets a `replica` alias. Only code that says so
reads from it (`replica_reads()` around a report, `@reads_replica` on a view): everything else, and
every write, goes to the primary. A person who has just written something reads the primary for
`PIN_SECONDS` (a cookie set by `PinMiddleware`), so their own change is never missing from the
dashboard they open next because the replica lags.
"""

import contextvars
import functools
import time
from contextlib import contextmanager

from django.conf import settings

PIN_COOKIE = "gz_primary"
PIN_SECONDS = 10

_replica_wanted = contextvars.ContextVar("replica_wanted", default=False)


def configured() -> bool:
    return "replica" in settings.DATABASES


@contextmanager
def replica_reads(allowed: bool = True):
    """Reads inside the block go to the replica (when there is one and `allowed`)."""
    token = _replica_wanted.set(allowed and configured())
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def pinned(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def reads_replica(view):
    """A view whose reads go to the replica, unless its user wrote something moments ago."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads(allowed=not pinned(request)):
            return view(request, *args, **kwargs)

    return wrapped


class PinMiddleware:
    """After any request that may have written (not GET/HEAD/OPTIONS), keep the person's reads on
    the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + PIN_SECONDS:.0f}",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


def wanted() -> bool:
    """Whether reads here would go to the replica (the routing decision, also under tests)."""
    return _replica_wanted.get()


def _mirrored() -> bool:
    """The suite's replica is a test mirror of the primary (Django points it at the primary's
    test database): reads stay on the primary's connection, which sees the test's own rows."""
    return settings.DATABASES["replica"].get("TEST", {}).get("MIRROR") == "default"


class Router:
    def db_for_read(self, model, **hints):
        return "replica" if wanted() and not _mirrored() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
