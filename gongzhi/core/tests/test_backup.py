"""Backup and restore round-trip the demo data onto an empty installation, byte for byte."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from gongzhi.core.backup import BackupError, _decrypt_file, create_backup, table_checksums

pytestmark = pytest.mark.django_db(transaction=True)
CHECKSUMS = (
    "import json; from gongzhi.core.backup import table_checksums; print(json.dumps(table_checksums()))"
)


def gongzhi(*args, env):
    command = [sys.executable, "-m", "gongzhi.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def empty_installation(tmp_path):
    """Environment of a second, empty installation on the same database engine."""
    env = dict(
        os.environ, GONGZHI_VAR_DIR=str(tmp_path / "var"), GONGZHI_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY
    )
    env.pop("GONGZHI_TEST_DB_NAME", None)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    name = f"gongzhi_restore_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    base = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _uploaded_files() -> dict[str, bytes]:
    """A stored upload (core.uploads) and a concern photo, as the demo has no files: path under
    MEDIA_ROOT -> bytes."""
    from django.core.files.base import ContentFile

    from gongzhi.concerns import services as concern_services
    from gongzhi.concerns.models import Category
    from gongzhi.core import uploads
    from gongzhi.core.testing import image_bytes
    from gongzhi.org.models import Household

    receipt = uploads.store(ContentFile(b"%PDF-1.4\n" + os.urandom(4096), name="发票.pdf"), "receipt")
    # Transactional tests may have flushed the seeded categories: make the one used.
    category, _ = Category.objects.get_or_create(
        subdistrict=None, code="backup-test", defaults={"name": "测试", "tier": "minor"}
    )
    concern = concern_services.submit_concern(
        actor=None,
        channel="resident",
        category=category,
        place=concern_services.place_of(household=Household.objects.order_by("pk").first()),
        description="楼道灯不亮，附照片",
        idempotency_key="backup-photo",
        principal="test",
        photos=[ContentFile(image_bytes("JPEG", size=(32, 32)), name="灯.jpg")],
    )
    photo = concern.photos.get()
    root = Path(settings.MEDIA_ROOT)
    files = [uploads.path_of(receipt), root / photo.file.name]
    return {str(path.relative_to(root)): path.read_bytes() for path in files}


def test_demo_data_round_trips_through_an_encrypted_backup(tmp_path, empty_installation, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command(
        "demo", "load", "--households", "600", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w")
    )
    files = _uploaded_files()
    before = table_checksums()
    backup = tmp_path / "gongzhi.backup"
    create_backup(backup)
    assert b"org_resident" not in backup.read_bytes()  # encrypted, not a readable dump

    restored = gongzhi("restore", "--from", str(backup), env=empty_installation)
    assert restored.returncode == 0, restored.stderr
    after = gongzhi("shell", "-c", CHECKSUMS, env=empty_installation)
    assert after.returncode == 0, after.stderr
    restored_sums = {k: tuple(v) for k, v in json.loads(after.stdout.strip().splitlines()[-1]).items()}
    assert restored_sums == before
    assert before["org_household"][0] >= 600
    media = Path(empty_installation["GONGZHI_VAR_DIR"]) / "uploads"
    assert {name: (media / name).read_bytes() for name in files} == files
    assert before["core_storedfile"][0] == 1 and before["concerns_concernphoto"][0] >= 1


def test_restore_refuses_a_non_empty_installation(tmp_path):
    backup = tmp_path / "gongzhi.backup"
    create_backup(backup)
    result = call_restore_here(backup)
    assert "not empty" in result


def call_restore_here(backup: Path) -> str:
    from gongzhi.core.backup import restore_backup

    try:
        restore_backup(backup)
    except BackupError as exc:
        return str(exc)
    return "restored"


def test_an_altered_or_foreign_backup_does_not_decrypt(tmp_path, settings):
    backup = tmp_path / "gongzhi.backup"
    create_backup(backup)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered = tmp_path / "altered.backup"
    altered.write_bytes(bytes(data))
    with pytest.raises(BackupError):
        _decrypt_file(altered, tmp_path / "out.tar")
    settings.FIELD_ENCRYPTION_KEY = "another installation's key"
    with pytest.raises(BackupError):
        _decrypt_file(backup, tmp_path / "out2.tar")
