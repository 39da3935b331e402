"""Hot reads of a fixed shape, compiled once per database.

Django builds a query's SQL anew on every call; for the one-row reads on every API intake that cost
more than running them. A plan is the SQL of the queryset built with sentinel arguments (ids no row
has) and, for each SQL parameter, which argument goes there. Rows are read on every call: nothing
but the SQL text is kept.
"""

from collections.abc import Callable
from typing import NamedTuple

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

_SENTINEL = -(10**15)


class Plan(NamedTuple):
    sql: str
    compiler: SQLCompiler  # for the columns it selects and their value converters
    slots: list[int]  # per SQL parameter, the index of the argument that fills it

    def rows(self, args) -> list[tuple]:
        with connections[self.compiler.using].cursor() as cursor:
            cursor.execute(self.sql, [args[slot] for slot in self.slots])
            return cursor.fetchall()


_plans: dict[tuple, Plan | None] = {}


def plan(db: str, key: tuple, build: Callable[..., QuerySet], arity: int) -> Plan | None:
    """The plan of `build(*args)` on `db` for the query shape `key`; None when the arguments cannot
    each be found exactly once among the SQL parameters (then the caller lets the ORM build it)."""
    if (db, key) not in _plans:
        sentinels = [_SENTINEL - i for i in range(arity)]
        compiler = build(*sentinels).query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        slot_of = {value: i for i, value in enumerate(sentinels)}
        slots = [slot_of.get(value) for value in params]
        whole = None not in slots and sorted(slots) == list(range(arity))
        _plans[(db, key)] = Plan(sql, compiler, slots) if whole else None
    return _plans[(db, key)]
