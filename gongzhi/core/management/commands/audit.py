"""`gongzhi audit verify | checkpoint | archive --before DATE --out FILE [--keep] | verify-archive FILE
| partitions [--months-ahead N]`.

`checkpoint` (cron, e.g. hourly) appends a signed checkpoint to the anchor file outside the
database (core/audit_anchor.py); `verify` checks the chain against it. `partitions` (cron, daily)
keeps the coming months' partitions of the trail ready on PostgreSQL (core/audit_partitions.py)."""

from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core import audit_anchor, audit_partitions
from gongzhi.core.audit import verify_chain
from gongzhi.core.audit_archive import ArchiveError, adopt, archive, verify_archive


class Command(BaseCommand):
    help = "Audit trail tools"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the tamper-evident chain of audit records")
        pointing = sub.add_parser(
            "checkpoint", help="append a signed checkpoint of the trail to the anchor file"
        )
        pointing.add_argument(
            "--adopt-archive",
            action="append",
            default=[],
            metavar="FILE",
            help="once after upgrading: record the purge marker of an archive removed before markers existed",
        )
        archiving = sub.add_parser("archive", help="archive (and, past retention, remove) old audit records")
        archiving.add_argument("--before", required=True, help="date YYYY-MM-DD (Asia/Shanghai)")
        archiving.add_argument("--out", required=True, help="archive file to write")
        archiving.add_argument("--keep", action="store_true", help="write the archive, remove nothing")
        checking = sub.add_parser("verify-archive", help="verify an audit archive file")
        checking.add_argument("file")
        months = sub.add_parser(
            "partitions", help="create the coming months' audit partitions (PostgreSQL) and list them"
        )
        months.add_argument("--months-ahead", type=int, default=3, help="months after this one (default 3)")

    def handle(self, *args, action: str, **options):
        if action == "archive":
            return self._archive(options)
        if action == "partitions":
            return self._partitions(options["months_ahead"])
        if action == "verify-archive":
            try:
                report = verify_archive(Path(options["file"]))
            except ArchiveError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"audit archive intact: {report.count} records ({report.first_id}–{report.last_id})"
            )
            return
        if action == "checkpoint":
            for path in options["adopt_archive"]:
                try:
                    marker = adopt(Path(path))
                except ArchiveError as exc:
                    raise CommandError(f"{path}: {exc}") from None
                self.stdout.write(
                    f"audit purge marker for records {marker['first_id']}–{marker['last_id']} appended"
                )
            entry = audit_anchor.checkpoint()
            self.stdout.write(
                f"audit checkpoint: {entry['count']} records ({entry['first_id']}–{entry['last_id']}), "
                f"heads {entry['head_hash'][:16]}…, appended to {audit_anchor.anchor_path()}"
            )
            return
        self._verify()

    def _verify(self) -> None:
        report = verify_chain()
        if report.broken_at is not None:
            raise CommandError(
                f"audit chain broken at record {report.broken_at} ({report.problem}); "
                f"{report.checked} records before it are intact"
            )
        if report.missing:
            raise CommandError(
                f"audit trail incomplete ({report.checked} records link correctly):\n- "
                + "\n- ".join(report.missing)
            )
        anchors = audit_anchor.summary()
        checked_against = (
            f"; checked against {anchors.checkpoints} checkpoints (latest {anchors.latest_at}) "
            f"and {anchors.purges} purge markers"
            if anchors.checkpoints or anchors.purges
            else f"; no checkpoints yet in {audit_anchor.anchor_path()} (run `gongzhi audit checkpoint`)"
        )
        self.stdout.write(f"audit chain intact: {report.checked} records{checked_against}")

    def _partitions(self, months_ahead: int) -> None:
        if months_ahead < 0:
            raise CommandError("--months-ahead must be 0 or more")
        if not audit_partitions.is_partitioned():
            self.stdout.write(
                "audit partitions: the audit trail is a plain table here (SQLite); nothing to do"
            )
            return
        created = audit_partitions.ensure_partitions(months_ahead)
        self.stdout.write(
            f"audit partitions: {len(created)} created" + (f" ({', '.join(created)})" if created else "")
        )
        for part in audit_partitions.partitions():
            if part.start is None:
                span = "DEFAULT (rows outside every month)"
            else:
                span = f"{timezone.localtime(part.start):%Y-%m-%d} – {timezone.localtime(part.end):%Y-%m-%d}"
            self.stdout.write(f"  {part.name}  {span}  {part.rows} rows")

    def _archive(self, options) -> None:
        try:
            day = datetime.strptime(options["before"], "%Y-%m-%d").date()
        except ValueError:
            raise CommandError("--before must be a date YYYY-MM-DD") from None
        before = timezone.make_aware(datetime.combine(day, time.min))
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} exists; choose another file")
        try:
            report = archive(before, out, delete=not options["keep"])
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        if report.count == 0:
            self.stdout.write(f"audit archive: {report.note}")
            return
        state = "removed from the database" if report.deleted else (report.note or "kept in the database")
        self.stdout.write(
            f"audit archive: {report.count} records ({report.first_id}–{report.last_id}) written to {out}, "
            f"sha256 {report.sha256}; {state}"
        )
