"""Bulk exports of personal data go through a second person's approval and leave a watermark.

One person asks (`request_export`, purpose required); a second person who may export the same
data in the same area approves or refuses (`decide`); on approval the file is produced once, as
the requester would see it, watermarked with the requester, the approver, the time and the
request id, and kept outside the web root until it expires. Only the requester downloads it.
Every step writes an audit record.

Apps register the kinds they can export in a module `<app>/export_kinds.py`:

    exports.register(ExportKind(code="org.households", label=..., data_class="resident",
                                area=area_of, produce=produce))
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.grants import grants_in_area
from gongzhi.core.models import ExportRequest
from gongzhi.core.roles import ROLES
from gongzhi.core.separation import require_second_person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str = XLSX


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    # The data class the export holds; requester and approver both need `export` on it.
    data_class: str
    # (actor, params) -> (subdistrict_id, neighborhood_id); validates params, raises
    # ValidationError for bad ones and NotInScope for an area outside the actor's.
    area: Callable[[object, dict], tuple[int | None, int | None]]
    # Names of the parameters the request form passes on (from the query string).
    fields: tuple[str, ...]
    # (actor, params) -> ExportFile, run as the requester once the request is approved.
    produce: Callable[[object, dict], ExportFile]
    # (actor, params) -> how many rows the file will hold, when the kind can tell cheaply.
    count: Callable[[object, dict], int] | None = None
    # What the kind holds, in a sentence for the request page and the page listing the kinds.
    description: str = ""
    # The page (URL name) where people pick what to export and ask for it.
    page: str = ""


_KINDS: dict[str, ExportKind] = {}
_discovered = False


def register(kind: ExportKind) -> ExportKind:
    _KINDS[kind.code] = kind
    return kind


def kinds() -> dict[str, ExportKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("export_kinds")
        _discovered = True
    return _KINDS


def kinds_for(user) -> list[ExportKind]:
    """The kinds the user may ask for (their roles export the data class), for the page listing them."""
    if not permissions.has_capability(user, "export"):
        return []
    return [kind for kind in kinds().values() if permissions.may_read_class(user, kind.data_class)]


def params_shown(item: ExportRequest) -> list[tuple[str, str]]:
    """The request's parameters as (name, value) for the page; names through the catalogue."""
    names = {
        "neighborhood": _("neighborhood"),
        "month": _("month"),
        "by": _("grouped by"),
        "grid": _("grid"),
        "emergency": _("call-up"),
        "q": _("search"),
        "state": _("state"),
        "category": _("category"),
        "due": _("due"),
    }
    return [(str(names.get(key, key)), str(value)) for key, value in sorted(item.params.items()) if value]


def kind_of(code: str) -> ExportKind:
    try:
        return kinds()[code]
    except KeyError:
        raise ValidationError({"kind": _("Unknown kind of export.")}) from None


def area_of_exporter(actor, data_class: str) -> tuple[int | None, int | None]:
    """Where "everything the actor may export" lies: their one subdistrict and neighborhood."""
    rows = [
        a
        for a in permissions.assignments_of(actor)
        if ROLES[a.role].export and data_class in ROLES[a.role].read
    ]
    subdistricts = {a.subdistrict_id for a in rows}
    neighborhoods = {a.neighborhood_id for a in rows}
    return (
        subdistricts.pop() if len(subdistricts) == 1 else None,
        neighborhoods.pop() if len(neighborhoods) == 1 else None,
    )


def download_hours() -> int:
    return int(getattr(settings, "EXPORT_DOWNLOAD_HOURS", 24))


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- Requests and decisions ------------------------------------------------------------------


def request_export(user, kind: str, params: dict, purpose: str) -> ExportRequest:
    """Ask for an export; a retry of the same pending request returns it instead of a second one."""
    export_kind = kind_of(kind)
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationError({"purpose": _("State the purpose of the export (at least 4 characters).")})
    if not permissions.may_read_class(user, export_kind.data_class) or not permissions.has_capability(
        user, "export"
    ):
        raise PermissionDenied(_("You may not export ledgers."))
    subdistrict_id, neighborhood_id = export_kind.area(user, params)
    if not grants_in_area(user, export_kind.data_class, subdistrict_id, neighborhood_id, capability="export"):
        raise NotInScope(_("No such area in your scope."))
    with transaction.atomic():
        same = ExportRequest.objects.select_for_update().filter(
            requested_by=user,
            kind=kind,
            params=params,
            purpose=purpose[:255],
            status=ExportRequest.Status.PENDING,
        )
        if (existing := same.first()) is not None:
            return existing
        item = ExportRequest(
            kind=kind,
            params=params,
            purpose=purpose[:255],
            requested_by=user,
            subdistrict_id=subdistrict_id,
            neighborhood_id=neighborhood_id,
            row_count=export_kind.count(user, params) if export_kind.count else None,
        )
        item.approver_level = approvers_of(item)[0]
        item.due_at = item.requested_at + timedelta(hours=approval_hours())
        item.save()
        audit.record(
            "export",
            item,
            actor=user,
            summary=_("Export requested: %(kind)s") % {"kind": export_kind.label},
            reason=item.purpose,
            changes={"kind": kind, "params": params, "step": "requested"},
            area=(subdistrict_id, neighborhood_id),
        )
    return item


def approval_hours() -> int:
    return int(getattr(settings, "EXPORT_APPROVAL_HOURS", 48))


AREA, SUBDISTRICT, NOBODY = "area", "subdistrict", "nobody"


def approvers_of(item: ExportRequest) -> tuple[str, list]:
    """Who may approve: the exporters of the request's own area (its neighborhood) other than the
    requester; when there are none, the next level up, the subdistrict's; `nobody` when neither
    has anyone (the page then says whom to ask)."""
    data_class = kind_of(item.kind).data_class
    levels = [(AREA, "neighborhood", item.neighborhood_id)] if item.neighborhood_id else []
    levels.append((SUBDISTRICT, "subdistrict", item.subdistrict_id))
    for level, unit_kind, unit_id in levels:
        if unit_id is None:
            continue
        roles = [
            r.code for r in ROLES.values() if r.export and data_class in r.read and r.unit_kind == unit_kind
        ]
        people = list(
            get_user_model()
            .objects.filter(
                is_active=True,
                role_assignments__role__in=roles,
                **{f"role_assignments__{unit_kind}_id": unit_id},
            )
            .exclude(pk=item.requested_by_id)
            .distinct()
            .order_by("username")[:20]
        )
        if people:
            return level, people
    return NOBODY, []


def area_names(item: ExportRequest) -> str:
    """The request's area as people read it (org lies above core: reached through the registry)."""
    names = []
    if item.subdistrict_id:
        town = apps.get_model("org", "Subdistrict").objects.filter(pk=item.subdistrict_id).first()
        names.append(str(town) if town else "")
    if item.neighborhood_id:
        place = apps.get_model("org", "Neighborhood").objects.filter(pk=item.neighborhood_id).first()
        names.append(str(place) if place else "")
    return " · ".join(name for name in names if name)


def may_decide(user, item: ExportRequest) -> bool:
    if item.requested_by_id == getattr(user, "pk", None):
        return False
    data_class = kind_of(item.kind).data_class
    return grants_in_area(user, data_class, item.subdistrict_id, item.neighborhood_id, capability="export")


def decide(user, item: ExportRequest, *, approve: bool, note: str = "") -> ExportRequest:
    """Approve or refuse a pending request. Two deciders at once: one wins. An approval hands the
    file to a background task (core.tasks.produce_export) whose steps the request page follows."""
    require_second_person(item.requested_by_id, user, step=_("Deciding an export request"))
    if not may_decide(user, item):
        raise NotInScope(_("This export request is outside your area."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Give the reason for refusing.")})
    with transaction.atomic():
        item = ExportRequest.objects.select_for_update().get(pk=item.pk)
        if item.status != ExportRequest.Status.PENDING:
            raise ValidationError({"status": _("This request has already been decided.")})
        item.decided_by, item.decided_at, item.decision_note = user, timezone.now(), note[:255]
        if not approve:
            item.status = ExportRequest.Status.REFUSED
            item.save(update_fields=["decided_by", "decided_at", "decision_note", "status"])
            _audit_step(item, user, "refuse", _("Export refused"), note)
            return item
        item.status, item.progress_step = ExportRequest.Status.PRODUCING, PRODUCE_QUEUED
        item.save(update_fields=["decided_by", "decided_at", "decision_note", "status", "progress_step"])
        _audit_step(item, user, "approve", _("Export approved"), note)
    from gongzhi.core.tasks import produce_export

    produce_export.enqueue(item.pk)  # committed above, so a worker or thread sees the approval
    return ExportRequest.objects.get(pk=item.pk)


# The steps of producing a file, as the request page's progress bar shows them.
PRODUCE_QUEUED, PRODUCE_READING, PRODUCE_MARKING, PRODUCE_DONE = 0, 1, 2, 3


def _step(item: ExportRequest, step: int) -> None:
    ExportRequest.objects.filter(pk=item.pk).update(progress_step=step)


def produce_approved(request_id: int) -> str:
    """The background task's body: produce, watermark and store the file of an approved request."""
    item = ExportRequest.objects.select_related("requested_by", "decided_by").get(pk=request_id)
    if item.status != ExportRequest.Status.PRODUCING:
        return item.status  # a retried task after the file was made
    try:
        _produce(item)
    except (PermissionDenied, ValidationError) as exc:
        # The requester lost the right meanwhile: nothing is produced, and the request says why.
        item.status = ExportRequest.Status.FAILED
        item.decision_note = "; ".join(getattr(exc, "messages", [str(exc)]))[:255]
    except Exception:
        ExportRequest.objects.filter(pk=item.pk).update(
            status=ExportRequest.Status.FAILED, decision_note=_("Producing the file failed; ask again.")
        )
        raise
    item.save()
    return item.status


def _produce(item: ExportRequest) -> None:
    export_kind = kind_of(item.kind)
    _step(item, PRODUCE_READING)
    produced = export_kind.produce(item.requested_by, item.params)
    _step(item, PRODUCE_MARKING)
    marked = watermark(produced, _watermark_lines(item))
    item.row_count = rows_in(produced)
    stored = f"{uuid.uuid4().hex}{Path(produced.filename).suffix.lower()}"
    (folder() / stored).write_bytes(marked)
    item.stored_name, item.file_name, item.content_type = (
        stored,
        produced.filename[:200],
        produced.content_type,
    )
    item.sha256, item.size = hashlib.sha256(marked).hexdigest(), len(marked)
    item.expires_at = item.decided_at + timedelta(hours=download_hours())
    item.status, item.progress_step = ExportRequest.Status.READY, PRODUCE_DONE


def rows_in(produced: ExportFile) -> int | None:
    """Data rows of the file: the first sheet's rows below its header (CSV: lines below the first)."""
    if produced.content_type.startswith(CSV):
        return max(produced.content.decode("utf-8-sig", errors="replace").count("\n") - 1, 0)
    if produced.content_type != XLSX:
        return None
    from gongzhi.core import sheets

    return sheets.data_rows(produced.content)


def _audit_step(item: ExportRequest, user, action: str, summary: str, note: str) -> None:
    audit.record(
        action,
        item,
        actor=user,
        summary=f"{summary}: #{item.pk} {kind_of(item.kind).label}",
        reason=note,
        changes={"kind": item.kind, "status": item.status, "sha256": item.sha256},
        area=(item.subdistrict_id, item.neighborhood_id),
    )


def open_download(user, item: ExportRequest) -> tuple[bytes, ExportRequest]:
    """The watermarked file, for the requester only, until it expires; each download audited."""
    item = ExportRequest.objects.get(pk=item.pk)
    if item.requested_by_id != getattr(user, "pk", None):
        raise NotInScope(_("Only the requester may download an export."))
    if item.status != ExportRequest.Status.READY or not item.stored_name:
        raise ValidationError({"status": _("This export is not ready.")})
    if item.expires_at is None or item.expires_at <= timezone.now():
        expire(item)
        raise ValidationError({"status": _("This export has expired; request it again.")})
    content = (folder() / item.stored_name).read_bytes()
    if hashlib.sha256(content).hexdigest() != item.sha256:
        raise ValidationError({"status": _("The stored file does not match its checksum.")})
    with transaction.atomic():
        ExportRequest.objects.filter(pk=item.pk).update(downloads=item.downloads + 1)
        audit.record(
            "download",
            item,
            actor=user,
            summary=f"{_('Export downloaded')}: #{item.pk} {item.file_name}",
            changes={"sha256": item.sha256},
            area=(item.subdistrict_id, item.neighborhood_id),
        )
    return content, item


def expire(item: ExportRequest) -> None:
    """Delete the stored file of a request past its download window."""
    if item.stored_name:
        (folder() / item.stored_name).unlink(missing_ok=True)
    ExportRequest.objects.filter(pk=item.pk).update(status=ExportRequest.Status.EXPIRED, stored_name="")


def expire_overdue(now=None) -> int:
    now = now or timezone.now()
    overdue = ExportRequest.objects.filter(status=ExportRequest.Status.READY, expires_at__lte=now)
    count = 0
    for item in overdue:
        expire(item)
        count += 1
    return count


# --- Reading ---------------------------------------------------------------------------------


def requests_visible_to(user) -> QuerySet[ExportRequest]:
    """The user's own requests, those they decided, and those they may decide (area and data class
    checked per row)."""
    own = Q(requested_by=user) | Q(decided_by=user)
    if not permissions.has_capability(user, "export"):
        return ExportRequest.objects.filter(own)
    decidable = [
        r.pk
        for r in ExportRequest.objects.filter(status=ExportRequest.Status.PENDING).exclude(requested_by=user)
        if _known(r.kind) and may_decide(user, r)
    ]
    return ExportRequest.objects.filter(own | Q(pk__in=decidable)).select_related(
        "requested_by", "decided_by"
    )


def _known(code: str) -> bool:
    return code in kinds()


def label_of(code: str) -> str:
    known = kinds().get(code)
    return known.label if known else code


# --- Watermarks ------------------------------------------------------------------------------


def _watermark_lines(item: ExportRequest) -> dict[str, str]:
    at = timezone.localtime(item.decided_at)
    return {
        "request": str(item.pk),
        "requester": _person(item.requested_by),
        "approver": _person(item.decided_by),
        "time": f"{at:%Y-%m-%d %H:%M}",
        "purpose": item.purpose,
    }


def _person(user) -> str:
    name = getattr(user, "display_name", "") or user.get_full_name() or user.get_username()
    return f"{name}({user.get_username()})"


def watermark_text(lines: dict[str, str]) -> str:
    return (
        _(
            "Export #%(request)s · requested by %(requester)s · approved by %(approver)s · %(time)s · "
            "purpose: %(purpose)s · personal data, do not pass on"
        )
        % lines
    )


def watermark(produced: ExportFile, lines: dict[str, str]) -> bytes:
    text = watermark_text(lines)
    if produced.content_type == XLSX:
        return _watermark_xlsx(produced.content, text, lines)
    if produced.content_type.startswith(CSV):
        return _watermark_csv(produced.content, text)
    raise ValidationError({"kind": _("This kind of export produces a file type that cannot be watermarked.")})


def _watermark_csv(content: bytes, text: str) -> bytes:
    # A comment line, not a record: spreadsheet programs show it as the first row.
    line = "# " + " ".join(text.split()) + "\n"
    return b"\xef\xbb\xbf" + line.encode() + content.removeprefix(b"\xef\xbb\xbf")


def _watermark_xlsx(content: bytes, text: str, lines: dict[str, str]) -> bytes:
    from openpyxl.styles import Font, PatternFill

    from gongzhi.core import sheets

    book = sheets.load_for_edit(content)
    for sheet in book.worksheets:
        _shift_down(sheet)
        cell = sheet.cell(row=1, column=1, value=text)
        cell.font = Font(bold=True, color="C00000")
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
            header.center.text = text[:250]
        for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
            footer.center.text = _("Export #%(request)s, page &P of &N") % lines
    props = book.properties
    props.creator = lines["requester"][:255]
    props.lastModifiedBy = lines["approver"][:255]
    props.title = _("Export #%(request)s") % lines
    props.subject = lines["purpose"][:255]
    props.description = text
    props.keywords = f"gongzhi-export:{lines['request']}"
    props.identifier = f"gongzhi-export-{lines['request']}"
    return sheets.to_bytes(book)


def _shift_down(sheet) -> None:
    """Insert the watermark row at the top, keeping frozen panes and data validations in place."""
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    sheet.insert_rows(1)
    if sheet.freeze_panes:
        column, row = (
            sheet.freeze_panes.rstrip("0123456789"),
            sheet.freeze_panes.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        )
        sheet.freeze_panes = f"{column}{int(row) + 1}"
    for validation in sheet.data_validations.dataValidation:
        shifted = []
        for cell_range in validation.sqref.ranges:
            moved = CellRange(cell_range.coord)
            moved.shift(row_shift=1)
            shifted.append(moved.coord)
        validation.sqref = MultiCellRange(" ".join(shifted))
    if sheet.auto_filter.ref:
        moved = CellRange(sheet.auto_filter.ref)
        moved.shift(row_shift=1)
        sheet.auto_filter.ref = moved.coord
