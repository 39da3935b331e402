"""Uploads: type by content, size limits, zip bombs refused before parsing, safe serving."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from gongzhi.core import uploads
from gongzhi.core.models import AuditRecord, StoredFile
from gongzhi.core.testing import image_bytes
from gongzhi.org import factories as f
from gongzhi.org import services as org_services

PNG = image_bytes("PNG", size=(1, 1))
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
    assert path.read_bytes()[:8] == PNG[:8] and str(path).startswith(str(settings.MEDIA_ROOT))
    assert Image.open(path).size == (1, 1)  # the re-encoded photo, not the bytes as sent
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
    assert (
        response.status_code == 200
        and b"".join(response.streaming_content) == uploads.path_of(item).read_bytes()
    )
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


# ---- images are decoded in full and re-encoded without metadata (issue 19, finding 12) ----------


@pytest.mark.parametrize(
    ("fmt", "found"), [("JPEG", uploads.JPEG), ("PNG", uploads.PNG), ("WEBP", uploads.WEBP)]
)
def test_a_phone_photo_loses_its_gps_position_and_every_other_metadata(fmt, found):
    sent = image_bytes(fmt, size=(40, 30), gps=True)
    assert b"PhoneMaker" in sent
    kind, kept = uploads.check(upload(sent, "门口.img"), "photo")
    assert kind is found and b"PhoneMaker" not in kept
    image = Image.open(io.BytesIO(kept))
    assert image.format == fmt and image.size == (40, 30)
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)


def test_bytes_hidden_after_the_image_are_dropped():
    sent = image_bytes("JPEG") + b"<script>alert(1)</script>" + b"PK\x03\x04"
    _kind, kept = uploads.check(upload(sent, "a.jpg"), "photo")
    assert b"<script>" not in kept and b"PK\x03\x04" not in kept


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + b"\0" * 100,  # the right first bytes and nothing behind them
        image_bytes("PNG", size=(64, 64))[:60],  # cut short
        b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\0" * 40,
    ],
)
def test_an_image_that_does_not_decode_in_full_is_rejected(content):
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(content, "a.jpg"), "photo")
    assert error.value.code == "bad_image"


def test_an_image_of_too_many_pixels_is_rejected_before_decoding(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100)
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(image_bytes("PNG", size=(20, 20)), "a.png"), "photo")
    assert error.value.code == "too_large"


def test_a_receipt_photo_is_cleaned_and_a_pdf_receipt_kept_as_sent():
    _kind, kept = uploads.check(upload(image_bytes("JPEG", gps=True), "发票.jpg"), "receipt")
    assert b"PhoneMaker" not in kept
    pdf = b"%PDF-1.7\n%..."
    assert uploads.check(upload(pdf, "发票.pdf"), "receipt")[1] == pdf


def test_a_damaged_image_is_refused_with_a_chinese_message():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(b"\xff\xd8\xff\xe0" + b"\0" * 100, "a.jpg"), "photo")
    assert error.value.messages == ["图片已损坏或并非真正的图片。"]


def test_a_truncated_image_is_refused_even_after_weasyprint_loaded():
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check(upload(image_bytes("PNG", size=(64, 64))[:60], "a.png"), "photo")
    assert error.value.code == "bad_image" and ImageFile.LOAD_TRUNCATED_IMAGES is False
