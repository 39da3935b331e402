"""`gongzhi concerns train|classify|hot|replies`: the concern-intelligence engine on CSV files.

Thin wrappers: read and check the CSV, call `gongzhi.concerns.intelligence`, write the result.
Bad input raises CommandError naming the column and writes nothing.
"""

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.concerns.intelligence import classifier, hotissues, replies
from gongzhi.concerns.intelligence.timestamps import parse_time
from gongzhi.concerns.models import Category, Concern
from gongzhi.core import sheets

# The data folder's messages without labels: `train` reads them for vocabulary and idf.
UNLABELED_NAME = "unlabeled_messages.csv"


class Command(BaseCommand):
    help = (
        "Concern intelligence on CSV files: train the classifier, classify, mine hot issues, check replies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="retrain the category model (labeled_messages.csv's columns)")
        train.add_argument("--data", required=True, help="CSV with category and title/body and/or tokens")
        train.add_argument("--out", default=str(classifier.MODEL_PATH), help="model file (default: shipped)")
        train.add_argument(
            "--unlabeled",
            default=None,
            help="CSV of messages without labels, used for vocabulary and idf only (default: "
            f"{UNLABELED_NAME} next to --data when it exists; '' for none)",
        )
        train.add_argument(
            "--corrections",
            action="store_true",
            help="also learn from concerns staff filed after a suggestion: their confirmed category "
            "(mapped to its first-level data category) as the label, whether it confirms or corrects",
        )
        classify = sub.add_parser("classify", help="id,text -> id,category")
        classify.add_argument("--input", required=True)
        classify.add_argument("--out", required=True)
        classify.add_argument("--model", default=str(classifier.MODEL_PATH))
        classify.add_argument("--confidence", action="store_true", help="add a confidence column")
        hot = sub.add_parser("hot", help="messages -> ranked hot issues")
        hot.add_argument("--input", required=True)
        hot.add_argument("--out", required=True)
        hot.add_argument("--top", type=int, default=10)
        hot.add_argument(
            "--min-users",
            type=int,
            default=2,
            help="leave out groups with fewer distinct users (default 2: one person is not a group issue)",
        )
        check = sub.add_parser("replies", help="messages with reply, reply_time -> scores and flags")
        check.add_argument("--input", required=True)
        check.add_argument("--out", required=True)

    def handle(self, *args, **options) -> None:
        action = options["action"]
        getattr(self, f"_{action}")(options)

    def _train(self, options: dict) -> None:
        rows = read_rows(options["data"])
        require(rows, options["data"], ["category"], any_of=["title", "body", "tokens"])
        unlabeled_path = options["unlabeled"]
        if unlabeled_path is None:
            sibling = Path(options["data"]).with_name(UNLABELED_NAME)
            unlabeled_path = str(sibling) if sibling.is_file() else ""
        unlabeled = read_rows(unlabeled_path) if unlabeled_path else []
        if unlabeled:
            require(unlabeled, unlabeled_path, [], any_of=["title", "body", "tokens"])
        corrections, note = [], ""
        if options["corrections"]:
            known = {(row.get("category") or "").strip() for row in rows} - {""}
            corrections, confirmed, corrected, skipped = correction_rows(known)
            note = (
                f" + {len(corrections)} staff-confirmed concerns ({corrected} corrected the suggestion, "
                f"{confirmed} confirmed it, {skipped} skipped: no first-level category)"
            )
        try:
            model = classifier.train(rows + corrections, unlabeled=unlabeled)
        except ValueError as exc:
            raise CommandError(f"{options['data']}: {exc}") from exc
        path = model.save(options["out"])
        extra = note + (f" (+ {len(unlabeled)} unlabeled for vocabulary)" if unlabeled else "")
        self.stdout.write(f"trained on {len(rows)} rows{extra}, {len(model.classes)} categories -> {path}")

    def _classify(self, options: dict) -> None:
        rows = read_rows(options["input"])
        require(rows, options["input"], ["id", "text"])
        try:
            model = classifier.load(options["model"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot load model {options['model']}: {exc}") from exc
        predictions = model.predict([row["text"] or "" for row in rows])
        header = ["id", "category"] + (["confidence"] if options["confidence"] else [])
        out = [
            [row["id"], category] + ([f"{confidence:.4f}"] if options["confidence"] else [])
            for row, (category, confidence) in zip(rows, predictions, strict=True)
        ]
        write_csv(options["out"], header, out)
        self.stdout.write(f"classified {len(out)} messages -> {options['out']}")

    def _hot(self, options: dict) -> None:
        rows = read_rows(options["input"])
        require(rows, options["input"], [], any_of=["message_id", "id"])
        require(rows, options["input"], [], any_of=["title", "body", "text"])
        if options["top"] < 1:
            raise CommandError("--top must be at least 1")
        if options["min_users"] < 1:
            raise CommandError("--min-users must be at least 1")
        issues = hotissues.find_hot_issues(
            hotissues.messages_from_rows(rows), top=options["top"], min_users=options["min_users"]
        )
        # The issue's six columns first, then the counts behind the heat.
        header = ["rank", "heat", "title", "place", "time_span", "member_ids"]
        header += ["messages", "users", "supports", "opposes", "recent", "previous", "start", "end"]
        out = [
            [i.rank, i.heat, i.title, i.place, time_span(i.start, i.end), " ".join(i.member_ids)]
            + [i.messages, i.users, i.supports, i.opposes, i.recent, i.previous, _iso(i.start), _iso(i.end)]
            for i in issues
        ]
        write_csv(options["out"], header, out)
        self.stdout.write(f"{len(out)} hot issues from {len(rows)} messages -> {options['out']}")

    def _replies(self, options: dict) -> None:
        rows = read_rows(options["input"])
        require(rows, options["input"], ["reply"], any_of=["title", "body", "text"])
        header = [
            "id",
            "relevance",
            "completeness",
            "days_to_reply",
            "timeliness",
            "score",
            "answered",
            "flags",
        ]
        out = []
        for row in rows:
            message = "\n".join(row.get(k) or "" for k in ("title", "body", "text"))
            check = replies.check_reply(
                message,
                row["reply"] or "",
                asked_at=parse_time(row.get("time")),
                replied_at=parse_time(row.get("reply_time")),
            )
            out.append(
                [row.get("message_id") or row.get("id") or "", check.relevance, check.completeness]
                + [_blank(check.days_to_reply), _blank(check.timeliness), check.score]
                + ["yes" if check.answered else "no", " ".join(check.flags)]
            )
        write_csv(options["out"], header, out)
        self.stdout.write(f"checked {len(out)} replies -> {options['out']}")


def correction_rows(known: set[str]) -> tuple[list[dict[str, str]], int, int, int]:
    """Training rows from concerns that got a suggestion at intake: title and description, labelled
    with the first-level data category (`Category.data_category`) of the category staff kept.
    Returns (rows, confirmed, corrected, skipped); a row is skipped when its category maps to none
    of the `known` categories of the training data."""
    if not _has_field(Concern, "suggested_category") or not _has_field(Category, "data_category"):
        raise CommandError(
            "--corrections: this database has no Concern.suggested_category / Category.data_category "
            "yet (run `gongzhi migrate`)"
        )
    rows, confirmed, corrected, skipped = [], 0, 0, 0
    found = Concern.objects.filter(suggested_category__isnull=False).order_by("pk")
    for title, body, kept, suggested in found.values_list(
        "title", "description", "category__data_category", "suggested_category__data_category"
    ):
        if kept not in known:
            skipped += 1
            continue
        rows.append({"category": kept, "title": title or "", "body": body or ""})
        if kept == suggested:
            confirmed += 1
        else:
            corrected += 1
    return rows, confirmed, corrected, skipped


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def read_rows(path: str) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV (a BOM is fine), header names trimmed; empty cells are ""."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
    return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]


def require(rows: list[dict], path: str, columns: Sequence[str], any_of: Sequence[str] = ()) -> None:
    present = set(rows[0]) if rows else set(_header(path))
    for column in columns:
        if column not in present:
            raise CommandError(
                f"{path}: missing column '{column}' (found: {', '.join(sorted(present)) or 'none'})"
            )
    if any_of and not present & set(any_of):
        raise CommandError(f"{path}: needs one of the columns {', '.join(repr(c) for c in any_of)}")


def _header(path: str) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [name.strip() for name in next(csv.reader(fh), [])]


def write_csv(path: str, header: list[str], rows: Iterable[list]) -> None:
    # Written to a temporary file and renamed, so a failure never leaves half a result.
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".csv.part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = sheets.csv_writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def time_span(start, end) -> str:
    """ "2019-11-02 至 2020-01-26": the dates of a hot issue's first and latest message."""
    if not start or not end:
        return ""
    return f"{start.date().isoformat()} 至 {end.date().isoformat()}"


def _iso(value) -> str:
    return value.isoformat(sep=" ") if value else ""


def _blank(value: float | None) -> str | float:
    return "" if value is None else value
