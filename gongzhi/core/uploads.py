"""The one way files come in: type by content, size limits, zip-bomb checks, generated names.

`store(upload, kind, actor=..., area=..., data_class=...)` checks an uploaded file against the
allow-list of its kind by its magic bytes (never its name or the client's content type), refuses
files over the kind's size limit, checks an xlsx's entry count and real unpacked size before
anything parses it, decodes every image in full and re-encodes it without its metadata (a phone
photo's EXIF carries the resident's GPS position), and writes it under
`$GONGZHI_VAR_DIR/uploads/files/` with a random name.
`check(upload, kind)` runs the same checks without storing (for imports that only parse).
Files are served by `core:stored_file`, which checks permission and sends them as attachments.
"""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from gongzhi.core import audit
from gongzhi.core.grants import grants_in_area
from gongzhi.core.models import StoredFile

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extension: str


JPEG = FileType("jpeg", "image/jpeg", ".jpg")
PNG = FileType("png", "image/png", ".png")
WEBP = FileType("webp", "image/webp", ".webp")
PDF = FileType("pdf", "application/pdf", ".pdf")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
CSV = FileType("csv", "text/csv", ".csv")


@dataclass(frozen=True)
class Kind:
    types: tuple[FileType, ...]
    max_bytes: int


KINDS = {
    "photo": Kind((JPEG, PNG, WEBP), 10 * MB),
    "receipt": Kind((JPEG, PNG, PDF), 10 * MB),
    "ledger": Kind((XLSX, CSV), 20 * MB),
}
# An xlsx is a zip: these bound what unpacking it may cost.
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED_BYTES = 200 * MB
MAX_RATIO = 200  # a real workbook packs 5-20x; a bomb packs 1000x
# A decompression bomb is a small file of a huge image: 50 megapixels is more than phones take.
MAX_PIXELS = 50_000_000
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


class UploadRejected(ValidationError):
    pass


def _sniff(head: bytes) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return XLSX  # confirmed by _check_xlsx
    return None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a character cut at the sample's end
                return True
    return False


def _read_limited(upload, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise UploadRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / MB, 1), "limit": limit // MB},
            code="too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            _("The file is larger than %(limit)s MB.") % {"limit": limit // MB}, code="too_large"
        )
    return data


def check_xlsx(data: bytes) -> None:
    """Entry count, declared and real unpacked size, before any parser touches the workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRejected(_("The file is not a valid Excel .xlsx workbook."), code="bad_xlsx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise UploadRejected(_("The workbook has too many parts."), code="zip_bomb")
        names = {e.filename for e in entries}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise UploadRejected(
                _("The file is a zip archive, not an Excel .xlsx workbook."), code="bad_xlsx"
            )
        declared = sum(e.file_size for e in entries)
        if declared > MAX_UNZIPPED_BYTES or any(
            e.compress_size and e.file_size / e.compress_size > MAX_RATIO for e in entries
        ):
            raise UploadRejected(_("The workbook is too large once unpacked."), code="zip_bomb")
        # Declared sizes can lie: unpack for real, counting, and stop at the limit.
        budget = MAX_UNZIPPED_BYTES
        try:
            for entry in entries:
                with archive.open(entry) as stream:
                    while chunk := stream.read(MB):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UploadRejected(
                                _("The workbook is too large once unpacked."), code="zip_bomb"
                            )
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
            raise UploadRejected(
                _("The file is not a valid Excel .xlsx workbook."), code="bad_xlsx"
            ) from None


def clean_image(data: bytes, found: FileType) -> bytes:
    """The image decoded in full and written anew: only its pixels survive (no EXIF, GPS, comments,
    text chunks or trailing bytes), turned upright first since the orientation tag goes too."""
    bad = UploadRejected(_("The image is damaged or not really an image."), code="bad_image")
    try:
        with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[found.code]]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UploadRejected(_("The image has too many pixels."), code="too_large")
            # The platform's policy, put back if a library turned it on for the process
            # (WeasyPrint does on import): a truncated image must fail to decode.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            image.load()  # decodes every byte: a truncated or forged image fails here
            upright = ImageOps.exif_transpose(image)
            if found is JPEG and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options = {"quality": 90} if found is not PNG else {"optimize": True}
            upright.save(out, format=PIL_FORMATS[found.code], **options)
    except UploadRejected:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        raise bad from None
    return out.getvalue()


def check(upload, kind: str) -> tuple[FileType, bytes]:
    """(type found by content, the bytes to keep) of an acceptable file; an image's bytes are its
    clean re-encoding (clean_image). UploadRejected names the problem."""
    if upload is None:
        raise UploadRejected(_("Choose a file to upload."), code="missing")
    rule = KINDS[kind]
    data = _read_limited(upload, rule.max_bytes)
    if not data:
        raise UploadRejected(_("The file is empty."), code="empty")
    found = _sniff(data[:16])
    if found is None and CSV in rule.types and _looks_like_text(data):
        found = CSV
    if found is None or found not in rule.types:
        allowed = "、".join(t.code.upper() for t in rule.types)
        raise UploadRejected(
            _("This file type is not accepted here; allowed: %(types)s.") % {"types": allowed}, code="type"
        )
    if found is XLSX:
        check_xlsx(data)
    if found.code in PIL_FORMATS:
        data = clean_image(data, found)
    return found, data


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(item: StoredFile) -> Path:
    return folder() / item.name[:2] / item.name


def store(
    upload,
    kind: str,
    *,
    actor=None,
    data_class: str = "",
    area: tuple[int | None, int | None] = (None, None),
) -> StoredFile:
    """Check and keep an upload; who may read it later: the uploader and readers of
    `data_class` in `area`."""
    found, data = check(upload, kind)
    name = secrets.token_hex(16) + found.extension
    target = folder() / name[:2] / name
    target.parent.mkdir(exist_ok=True)
    original = Path(getattr(upload, "name", "") or "").name[:200]
    target.write_bytes(data)
    try:
        with transaction.atomic():
            item = StoredFile.objects.create(
                kind=kind,
                name=name,
                original_name=original,
                content_type=found.content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                data_class=data_class,
                subdistrict_id=area[0],
                neighborhood_id=area[1],
            )
            audit.record(
                "upload",
                item,
                actor=actor,
                summary=f"{kind}: {original or name}",
                changes={"type": found.code, "size": len(data), "sha256": item.sha256},
                area=area,
            )
    except BaseException:
        target.unlink(missing_ok=True)  # no record, no file
        raise
    return item


def may_read(user, item: StoredFile) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if item.uploaded_by_id == user.pk:
        return True
    return bool(item.data_class) and grants_in_area(
        user, item.data_class, item.subdistrict_id, item.neighborhood_id
    )


def safe_filename(item: StoredFile) -> str:
    """The uploader's name without path parts or control characters, with the real extension."""
    stem = Path(item.original_name).stem if item.original_name else ""
    stem = "".join(c for c in stem if c.isprintable() and c not in '\\/:*?"<>|;')[:80].strip(". ") or "file"
    return stem + Path(item.name).suffix
