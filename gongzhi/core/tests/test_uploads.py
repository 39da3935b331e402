"""Uploads: type by content, size limits, zip bombs refused before parsing, safe serving."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from gongzhi.core import uploads
from gongzhi.core.models import AuditRecord, StoredFile
from gongzhi.org import factories as f
from gongzhi.org import services as org_services

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def upload(content: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def workbook_bytes() -> bytes:
    book = Workbook()
    book.active.append(["社区", "姓名"])
    book.active.append(["杨泰一村", "张三"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small file that unpacks to 300 MB of zeros, dressed as a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * (1024 * 1024)
            for _ in range(300):
                entry.write(block)
    return out.getvalue()


@pytest.mark.django_db
def test_a_valid_photo_is_stored_outside_the_web_root_under_a_generated_name(world, settings):
    user = world.users["social_worker"]
    item = uploads.store(upload(PNG, "../../etc/门口.png", "text/html"), "photo", actor=user)
    assert item.content_type == "image/png" and item.name.endswith(".png") and "门口" not in item.name
    path = uploads.path_of(item)
    assert path.read_bytes() == PNG and str(path).startswith(str(settings.MEDIA_ROOT))
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert AuditRecord.objects.filter(action="upload", object_id=str(item.pk)).exists()


@pytest.mark.parametrize("content", [ELF, WINDOWS_EXE, b"<script>alert(1)</script>"])
def test_a_renamed_executable_is_rejected(content):
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(content, "photo.jpg", "image/jpeg"), "photo")
    assert error.value.code == "type"


def test_an_executable_is_no_ledger_even_as_csv():
    with pytest.raises(uploads.UploadRejected):
        uploads.check(upload(WINDOWS_EXE, "台账.csv", "text/csv"), "ledger")


def test_a_zip_bomb_is_rejected_before_parsing():
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(bomb, "台账.xlsx"), "ledger")
    assert error.value.code == "zip_bomb"


def test_a_zip_that_lies_about_its_sizes_is_caught_while_unpacking(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 64 * 1024)
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\x00" * (128 * 1024))
    data = bytearray(out.getvalue())
    # Rewrite the declared sizes in the central directory to look small.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(bytes(data), "台账.xlsx"), "ledger")
    assert error.value.code in {"zip_bomb", "bad_xlsx"}


def test_an_oversized_file_is_rejected():
    big = PNG + b"\x00" * (uploads.KINDS["photo"].max_bytes)
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(big, "big.png"), "photo")
    assert error.value.code == "too_large"


def test_kinds_have_their_own_allow_lists():
    assert uploads.check(upload(workbook_bytes(), "a.xlsx"), "ledger")[0] is uploads.XLSX
    assert (
        uploads.check(upload("社区,姓名\n杨泰一村,张三\n".encode("gb18030"), "a.csv"), "ledger")[0]
        is uploads.CSV
    )
    assert uploads.check(upload(b"%PDF-1.7\n%...", "发票.pdf"), "receipt")[0] is uploads.PDF
    with pytest.raises(uploads.UploadRejected):
        uploads.check(upload(b"%PDF-1.7\n", "x.pdf"), "photo")
    with pytest.raises(uploads.UploadRejected):
        uploads.check(upload(workbook_bytes(), "x.xlsx"), "photo")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(uploads.UploadRejected):
        uploads.check(upload(plain_zip.getvalue(), "x.xlsx"), "ledger")


@pytest.mark.django_db
def test_rejected_upload_leaves_no_file_and_no_record(world, settings):
    with pytest.raises(uploads.UploadRejected):
        uploads.store(upload(ELF, "a.jpg"), "photo", actor=world.users["social_worker"])
    assert not StoredFile.objects.exists()
    assert not any(p.is_file() for p in (settings.MEDIA_ROOT / "files").rglob("*"))


@pytest.mark.django_db
def test_serving_checks_permission_and_sends_an_attachment(client, world):
    nb = world.neighborhood_a
    item = uploads.store(
        upload(PNG, 'a"b;c\r\n.png'),
        "photo",
        actor=world.users["grid_worker"],
        data_class="concern",
        area=(nb.subdistrict_id, nb.pk),
    )
    url = reverse("core:stored_file", args=[item.name])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(world.users["social_worker"])  # reads concerns in neighborhood A
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert "\r" not in response["Content-Disposition"] and '"b' not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    outsider = f.UserFactory(username="b_worker")
    org_services.assign_role(actor=None, user=outsider, role="social_worker", unit=world.neighborhood_b)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.users["volunteer_team_chief"])  # in A, but reads no concerns
    assert client.get(url).status_code == 404
