"""Write a generated demo town into the database, fast, all or nothing, once.

Why not the ORM's save(): a benchmark town holds a million households and 2.6 million residents.
Each table is written in one pass of large batches (executemany on SQLite, COPY on PostgreSQL)
with ids chosen up front (the table's highest id + the record's key), so no insert needs to report
back the id it made. ID numbers and phones are encrypted with `pii.encrypt` and indexed with
`pii.blind_index` exactly as `Resident.set_id_number` / `set_phone` do, so lookups and decryption
work as for any resident. Everything runs in one transaction: an interrupted load leaves no town.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TextIO

from django.core.management.color import no_style
from django.db import OperationalError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from gongzhi.core import audit, pii
from gongzhi.grids.models import MicroGrid
from gongzhi.org.demo import accounts
from gongzhi.org.demo.records import Town
from gongzhi.org.models import (
    Block,
    Building,
    Compound,
    Department,
    District,
    Household,
    Neighborhood,
    PartnerPledge,
    PartnerUnit,
    PartyMember,
    PartyOrg,
    Resident,
    ResidentTag,
    ServicePoint,
    Stairwell,
    Subdistrict,
)

BATCH = 50_000
TABLES = [
    Block,
    Neighborhood,
    Compound,
    MicroGrid,
    Building,
    Stairwell,
    Household,
    Resident,
    ResidentTag,
    PartyOrg,
    PartyMember,
    PartnerUnit,
    PartnerPledge,
    Department,
    ServicePoint,
]


@dataclass
class LoadResult:
    loaded: bool  # False: the demo subdistrict was there already and nothing changed
    subdistrict: Subdistrict
    counts: dict[str, int]
    seconds: float
    logins: list[accounts.Login]


class Progress:
    """Rows written so far, on stderr, at most a few times a second."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.stream is not None:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"\r  {label}: {done:,}/{total:,}  ({elapsed:.1f} s)\033[K")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()


def find_loaded(code: str) -> Subdistrict | None:
    return Subdistrict.objects.filter(code=code).first()


def load_town(town: Town, *, progress: TextIO | None = sys.stderr, logins: bool = True) -> LoadResult:
    """Load `town` unless a subdistrict with its code exists; either way ensure the demo logins
    (unless `logins` is False: the further towns of a district bench have none)."""
    started = time.perf_counter()
    with _rollback_journal(), transaction.atomic():
        existing = find_loaded(town.code)
        if existing is not None:
            made = accounts.ensure_accounts(existing) if logins else []
            return LoadResult(False, existing, {}, time.perf_counter() - started, made)
        subdistrict = _write_town(town, Progress(progress))
        made = accounts.ensure_accounts(subdistrict) if logins else []
        counts = town.counts()
        summary = (
            f"演示街镇 {town.name}（种子 {town.seed}）：{counts['neighborhoods']} 个居民区，"
            f"{counts['households']} 户，{counts['residents']} 名居民"
        )
        audit.record("import", summary=summary, area=(subdistrict.pk, None))
    return LoadResult(True, subdistrict, counts, time.perf_counter() - started, made)


def load_town_logins(subdistrict: Subdistrict) -> LoadResult:
    """The town is there already: only make sure the demo logins exist (normally: no change)."""
    started = time.perf_counter()
    with transaction.atomic():
        logins = accounts.ensure_accounts(subdistrict)
    return LoadResult(False, subdistrict, {}, time.perf_counter() - started, logins)


def _write_town(town: Town, progress: Progress) -> Subdistrict:
    _tune_connection()
    district, _created = District.objects.get_or_create(name=town.district, defaults={"code": "310113"})
    subdistrict = Subdistrict.objects.create(
        district=district, name=town.name, kind=town.kind, code=town.code
    )
    writer = _Writer(subdistrict, progress)
    for write in (_places, _grids_and_buildings, _people, _organisations):
        write(writer, town)
    writer.reset_sequences()
    return subdistrict


@contextmanager
def _rollback_journal() -> Iterator[None]:
    """On a SQLite file, load under a rollback journal instead of WAL: the new pages of a big
    load are then written once (WAL writes them to the log and again at the checkpoint). The
    switch needs no other open connection; if one is open, the load simply stays in WAL."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or connection.is_in_memory_db():
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        try:
            cursor.execute("PRAGMA journal_mode = DELETE")
        except OperationalError:
            # Another connection is reading at this moment (a server thread answering a
            # request): SQLite refuses the switch as "database is locked"; load in WAL then.
            before = None
    try:
        yield
    finally:
        if before is not None:
            with connection.cursor() as cursor, suppress(OperationalError):  # same race: stays as is
                cursor.execute(f"PRAGMA journal_mode = {before}")


def _tune_connection() -> None:
    """A page cache as big as a million-household town (about 2 GB): the load then touches the
    disk mostly to write."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000000")


class _Writer:
    """Inserts rows with chosen ids; `id(model, key)` is the database id of a record's key."""

    def __init__(self, subdistrict: Subdistrict, progress: Progress) -> None:
        self.subdistrict = subdistrict
        self.progress = progress
        self.base = {m: m.objects.aggregate(top=Max("pk"))["top"] or 0 for m in TABLES}
        now = timezone.now()
        self.now = connection.ops.adapt_datetimefield_value(now)

    def id(self, model: type[models.Model], key: int | None) -> int | None:
        return None if key is None else self.base[model] + key

    def write(
        self,
        model: type[models.Model],
        fields: list[str],
        rows: Iterable[tuple],
        total: int,
        *,
        ids: bool = False,
    ) -> None:
        """`fields` are attnames; each row starts with the record's key (turned into the id), or
        with the id itself when `ids` (the big tables, to spare a tuple per row)."""
        columns = ["id"] + [model._meta.get_field(f).column for f in fields]
        label = str(model._meta.verbose_name_plural)
        base = self.base[model]
        if not ids:
            rows = ((base + row[0], *row[1:]) for row in rows)
        with _indexes_rebuilt_after(model, big=total >= INDEX_REBUILD_FROM):
            if connection.vendor == "postgresql":
                self._copy(model, columns, rows, total, label)
            else:
                self._executemany(model, columns, rows, total, label)

    def _executemany(self, model, columns: list[str], rows, total: int, label: str) -> None:
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        done = 0
        with connection.cursor() as cursor:
            for batch in _batches(rows, BATCH):
                cursor.executemany(sql, batch)
                done += len(batch)
                self.progress(label, done, total)
        if not done:
            self.progress(label, 0, 0)

    def _copy(self, model, columns: list[str], rows, total: int, label: str) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        done = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                done += 1
                if done % BATCH == 0:
                    self.progress(label, done, total)
        self.progress(label, done, total)

    def reset_sequences(self) -> None:
        """PostgreSQL's id sequences learn of the ids we chose (SQLite tracks them itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), TABLES)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


INDEX_REBUILD_FROM = 100_000


@contextmanager
def _indexes_rebuilt_after(model: type[models.Model], *, big: bool) -> Iterator[None]:
    """For a big insert, drop the table's secondary indexes and build them again after, from
    their own stored definitions: one sort is far cheaper than millions of random B-tree
    inserts. Inside the load's transaction, so a failure brings the indexes back as they were.
    Primary keys and indexes that back a constraint stay."""
    if not big:
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        postgresql = connection.vendor == "postgresql"
        cursor.execute(_PG_INDEXES if postgresql else _SQLITE_INDEXES, [table])
        indexes = cursor.fetchall()
        if postgresql:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if postgresql:
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending:
            # run them now (every row this table points to is written already), defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, sql in indexes:
            cursor.execute(sql)


_SQLITE_INDEXES = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL"
)
_PG_INDEXES = """
    SELECT i.relname, pg_get_indexdef(i.oid)
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""


def _batches(rows: Iterable[tuple], size: int) -> Iterable[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _places(w: _Writer, town: Town) -> None:
    sd = w.subdistrict.pk
    w.write(Block, ["subdistrict_id", "name"], ((b.key, sd, b.name) for b in town.blocks), len(town.blocks))
    w.write(
        Neighborhood,
        ["subdistrict_id", "block_id", "name", "kind", "code", "address"],
        (
            (n.key, sd, w.id(Block, n.block_key), n.name, n.kind, n.code, n.address)
            for n in town.neighborhoods
        ),
        len(town.neighborhoods),
    )
    w.write(
        Compound,
        ["neighborhood_id", "name", "address", "built_year", "lng", "lat"],
        (
            (c.key, w.id(Neighborhood, c.neighborhood_key), c.name, c.address, c.built_year, c.lng, c.lat)
            for c in town.compounds
        ),
        len(town.compounds),
    )


def _grids_and_buildings(w: _Writer, town: Town) -> None:
    nb = _ids(w, Neighborhood)
    w.write(
        MicroGrid,
        ["neighborhood_id", "parent_id", "level", "code", "name", "grid_chief_id", "boundary"],
        (
            (
                g.key,
                nb(g.neighborhood_key),
                w.id(MicroGrid, g.parent_key),
                g.level,
                g.code,
                g.name,
                None,
                _json(g.boundary),
            )
            for g in town.grids
        ),
        len(town.grids),
    )
    w.write(
        Building,
        ["compound_id", "neighborhood_id", "micro_grid_id", "number", "floors", "lng", "lat", "footprint"],
        (
            (
                b.key,
                w.id(Compound, b.compound_key),
                nb(b.neighborhood_key),
                w.id(MicroGrid, b.grid_key),
                b.number,
                b.floors,
                b.lng,
                b.lat,
                _json(b.footprint),
            )
            for b in town.buildings
        ),
        len(town.buildings),
    )
    grid_of = [b.grid_key for b in town.buildings]
    w.write(
        Stairwell,
        ["building_id", "name", "micro_grid_id"],
        (
            (s.key, w.id(Building, s.building_key), s.name, w.id(MicroGrid, grid_of[s.building_key - 1]))
            for s in town.stairwells
        ),
        len(town.stairwells),
    )


def _ids(w: _Writer, model: type[models.Model]) -> Callable[[int | None], int | None]:
    return lambda key: w.id(model, key)


def _people(w: _Writer, town: Town) -> None:
    buildings = town.buildings
    nb_base, grid_base, b_base = w.base[Neighborhood], w.base[MicroGrid], w.base[Building]
    s_base, h_base, now = w.base[Stairwell], w.base[Household], w.now
    w.write(
        Household,
        ["building_id", "stairwell_id", "neighborhood_id", "micro_grid_id", "room", "floor_area"]
        + ["created_at", "updated_at"],
        (
            (
                h_base + h.key,
                b_base + h.building_key,
                None if h.stairwell_key is None else s_base + h.stairwell_key,
                nb_base + buildings[h.building_key - 1].neighborhood_key,
                grid_base + buildings[h.building_key - 1].grid_key,
                h.room,
                h.floor_area,
                now,
                now,
            )
            for h in town.households
        ),
        len(town.households),
        ids=True,
    )
    rows = resident_rows(town, w.base[Resident], w.base[Household], now)
    w.write(Resident, RESIDENT_FIELDS, rows, len(town.residents), ids=True)
    r_base = w.base[Resident]
    w.write(
        ResidentTag,
        ["resident_id", "tag", "note"],
        ((i + 1, r_base + t.resident_key, t.tag, t.note) for i, t in enumerate(town.tags)),
        len(town.tags),
    )


RESIDENT_FIELDS = [
    "household_id",
    "user_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "id_number_digest",
    "phone",
    "phone_digest",
    "is_owner",
    "is_tenant",
    "is_registered",
    "lives_here",
    "created_at",
    "updated_at",
]


def resident_rows(town: Town, base: int, household_base: int, now) -> Iterator[tuple]:
    """Resident rows with the ID number and phone sealed as `Resident.set_*` would seal them."""
    for start, sealed in _sealed_chunks(town):
        for r, (id_token, id_digest, phone_token, phone_digest) in zip(
            town.residents[start : start + len(sealed)], sealed, strict=True
        ):
            yield (
                base + r.key,
                household_base + r.household_key,
                None,
                r.name,
                r.gender,
                r.birth_date,
                id_token,
                id_digest,
                phone_token,
                phone_digest,
                r.is_owner,
                r.is_tenant,
                r.is_registered,
                r.lives_here,
                now,
                now,
            )


def _sealed_chunks(town: Town) -> Iterator[tuple[int, list[tuple[str, str, str, str]]]]:
    """Encryption is most of a big load's CPU: for a big town, worker processes seal chunks
    while this process writes the chunks before them."""
    starts = range(0, len(town.residents), SEAL_CHUNK)
    if len(town.residents) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        yield from ((start, _seal(town.residents, start)) for start in starts)
        return
    global _SEALING  # read by the forked workers, which inherit this process's memory
    _SEALING = town.residents
    try:
        with multiprocessing.get_context("fork").Pool(min(os.cpu_count() or 2, 4)) as pool:
            yield from zip(starts, pool.imap(_seal_forked, starts), strict=True)
    finally:
        _SEALING = None


SEAL_CHUNK = 20_000
PARALLEL_FROM = 200_000
_SEALING: list | None = None


def _seal_forked(start: int) -> list[tuple[str, str, str, str]]:
    return _seal(_SEALING, start)


def _seal(residents: list, start: int) -> list[tuple[str, str, str, str]]:
    encrypt, index = pii.encrypt, pii.blind_index
    return [
        (
            encrypt(r.id_number),
            index("id", r.id_number),
            encrypt(r.phone) if r.phone else "",
            index("phone", r.phone) if r.phone else "",
        )
        for r in residents[start : start + SEAL_CHUNK]
    ]


def _organisations(w: _Writer, town: Town) -> None:
    sd, nb, grid = w.subdistrict.pk, _ids(w, Neighborhood), _ids(w, MicroGrid)
    w.write(
        PartyOrg,
        ["parent_id", "name", "level", "branch_kind", "subdistrict_id", "neighborhood_id", "micro_grid_id"]
        + ["stairwell_id"],
        (
            (
                o.key,
                w.id(PartyOrg, o.parent_key),
                o.name,
                o.level,
                o.branch_kind,
                sd,
                nb(o.neighborhood_key),
                grid(o.grid_key),
                w.id(Stairwell, o.stairwell_key),
            )
            for o in town.party_orgs
        ),
        len(town.party_orgs),
    )
    w.write(
        PartyMember,
        ["party_org_id", "resident_id", "name", "status", "joined_on", "in_service", "workplace"]
        + ["dual_registration_id", "dual_registered_on"],
        (
            (
                m.key,
                w.id(PartyOrg, m.party_org_key),
                w.id(Resident, m.resident_key),
                m.name,
                m.status,
                m.joined_on,
                m.in_service,
                m.workplace,
                nb(m.dual_registration_key),
                m.dual_registered_on,
            )
            for m in town.party_members
        ),
        len(town.party_members),
    )
    _partners(w, town)


def _partners(w: _Writer, town: Town) -> None:
    sd, nb, grid = w.subdistrict.pk, _ids(w, Neighborhood), _ids(w, MicroGrid)
    w.write(
        PartnerUnit,
        ["subdistrict_id", "name", "kind", "contact_name"],
        ((p.key, sd, p.name, p.kind, p.contact_name) for p in town.partner_units),
        len(town.partner_units),
    )
    w.write(
        PartnerPledge,
        ["partner_unit_id", "neighborhood_id", "micro_grid_id", "offering", "since"],
        (
            (
                p.key,
                w.id(PartnerUnit, p.partner_unit_key),
                nb(p.neighborhood_key),
                grid(p.grid_key),
                p.offering,
                p.since,
            )
            for p in town.pledges
        ),
        len(town.pledges),
    )
    w.write(
        Department,
        ["subdistrict_id", "name", "code", "categories"],
        ((d.key, sd, d.name, d.code, _json(d.categories)) for d in town.departments),
        len(town.departments),
    )
    w.write(
        ServicePoint,
        ["subdistrict_id", "neighborhood_id", "name", "kind", "address", "opening_hours", "lng", "lat"],
        (
            (s.key, sd, nb(s.neighborhood_key), s.name, s.kind, s.address, s.opening_hours, s.lng, s.lat)
            for s in town.service_points
        ),
        len(town.service_points),
    )
