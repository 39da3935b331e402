"""Consistent, encrypted backups of the database and the uploaded files, and their restore.

SQLite is copied with its online backup API; PostgreSQL with pg_dump (one snapshot). The dump
and `uploads/` go into a tar archive that is encrypted in 4 MiB AES-GCM chunks with a key
derived from the field key (GONGZHI_FIELD_KEY): whoever holds the backup and not the key learns
nothing, and a chunk that was altered, reordered or cut off fails to decrypt.
"""

import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection

from gongzhi.core import pii

MAGIC = b"GONGZHI-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024


class BackupError(Exception):
    pass


def _key(master: str | None = None) -> bytes:
    return pii.derived_key(master or settings.FIELD_ENCRYPTION_KEY, b"gongzhi/backup")


def _decrypt_file(source: Path, out: Path) -> None:
    """Backups made before a key rotation open with the old key they were made under."""
    for master in pii.masters():
        try:
            return _decrypt_with(_key(master), source, out)
        except BackupError as exc:
            if "wrong key" not in str(exc):
                raise
    raise BackupError("backup does not decrypt: wrong key or altered file")


def _dump_database(folder: Path) -> Path:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return target
    if connection.vendor == "postgresql":
        target = folder / "database.pgdump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), db["NAME"]],
            env=_pg_env(db),
            check=True,
            capture_output=True,
        )
        return target
    raise BackupError(f"no backup method for {connection.vendor}")


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or ""),
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
        }
    )
    return env


def create_backup(out: Path) -> dict:
    """Write an encrypted backup to `out`; returns what went into it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dump = _dump_database(folder)
        archive = folder / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(dump, arcname=dump.name)
            if Path(settings.MEDIA_ROOT).is_dir():
                tar.add(settings.MEDIA_ROOT, arcname="uploads")
        _encrypt_file(archive, out)
        return {"database": dump.name, "bytes": out.stat().st_size}


def _encrypt_file(source: Path, out: Path) -> None:
    aes, prefix = AESGCM(_key()), os.urandom(8)
    partial = out.with_suffix(out.suffix + ".part")
    with open(source, "rb") as src, open(partial, "wb") as dst:
        dst.write(MAGIC + prefix)
        index = 0
        chunk = src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            # The chunk number and a last-chunk flag are authenticated: no reordering, no truncation.
            sealed = aes.encrypt(prefix + struct.pack(">I", index), chunk, struct.pack(">I?", index, last))
            dst.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                break
            chunk, index = following, index + 1
    partial.replace(out)


def _decrypt_with(key: bytes, source: Path, out: Path) -> None:
    aes = AESGCM(key)
    with open(source, "rb") as src, open(out, "wb") as dst:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("not a gongzhi backup")
        prefix, index, last = src.read(8), 0, False
        while not last:
            header = src.read(4)
            if len(header) < 4:
                raise BackupError("backup is cut off")
            sealed = src.read(struct.unpack(">I", header)[0])
            for flag in (False, True):
                try:
                    dst.write(
                        aes.decrypt(
                            prefix + struct.pack(">I", index), sealed, struct.pack(">I?", index, flag)
                        )
                    )
                    last = flag
                    break
                except Exception:  # noqa: BLE001  (InvalidTag: try the other flag, then give up)
                    continue
            else:
                raise BackupError("backup does not decrypt: wrong key or altered file")
            index += 1


def restore_backup(source: Path, jobs: int = 1) -> dict:
    """Bring a backup back into an empty installation (no tables yet). PostgreSQL restores with
    `jobs` parallel processes (tables, then their indexes; most of a large restore is indexes)."""
    if connection.introspection.table_names():
        raise BackupError("the database is not empty: restore needs an empty installation")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = folder / "backup.tar"
        _decrypt_file(source, archive)
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        _restore_database(folder, jobs)
        if (folder / "uploads").is_dir():
            shutil.copytree(folder / "uploads", settings.MEDIA_ROOT, dirs_exist_ok=True)
    return {"restored": True}


def _restore_database(folder: Path, jobs: int) -> None:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        dump = folder / "database.sqlite3"
        if not dump.exists():
            raise BackupError("this backup was made from PostgreSQL; restore it into PostgreSQL")
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            copy.backup(connection.connection)
        return
    dump = folder / "database.pgdump"
    if not dump.exists():
        raise BackupError("this backup was made from SQLite; restore it into SQLite")
    connection.close()
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--jobs={max(1, jobs)}",
            "--dbname",
            db["NAME"],
            str(dump),
        ],
        env=_pg_env(db),
        check=True,
        capture_output=True,
    )


def table_checksums() -> dict[str, tuple[int, str]]:
    """Row count and a content hash per table, to compare an installation with its restore."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
                count += 1
            result[table] = (count, digest.hexdigest())
    return result


def _plain(value):
    """The same value whichever engine returned it (SQLite gives text where PostgreSQL gives types)."""
    return value if isinstance(value, int | type(None)) else str(value)
