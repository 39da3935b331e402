"""`gongzhi workforce bonus`: the bonus of an assessment kept in spreadsheets.

    gongzhi workforce bonus --ratings ratings.csv --weights weights.csv --workers workers.csv \
        --pool 200000.00 --out bonus.csv [--levels levels.csv]

Thin: the rule lives in gongzhi.workforce.bonus, which the platform's rounds use too. Bad input
stops with an error naming the file and row, exit status 2, and writes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.workforce.bonus import BonusError, bonus_csv

USAGE_ERROR = 2


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise CommandError(f"{path}: {e.strerror}", returncode=USAGE_ERROR) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text", returncode=USAGE_ERROR) from None


def _write(path: str, text: str) -> None:
    """Write through a temporary file, so a failed run leaves no half-written output."""
    out = Path(path)
    if not out.parent.is_dir():
        raise CommandError(f"{out}: the directory {out.parent} does not exist", returncode=USAGE_ERROR)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CommandError(f"{out}: cannot write: {e.strerror}", returncode=USAGE_ERROR) from None


class Command(BaseCommand):
    help = "Workforce: share a bonus pool by multi-rater assessment (ratings, weights, workers)."
    requires_system_checks = []  # reads and writes files only

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{bonus}")
        bonus = actions.add_parser("bonus", help="ratings + weights + workers -> bonus.csv")
        bonus.add_argument("--ratings", required=True, help="CSV: group,rater,neighborhood,score")
        bonus.add_argument("--weights", required=True, help="CSV: group,weight")
        bonus.add_argument("--workers", required=True, help="CSV: worker,neighborhood,level,personal")
        bonus.add_argument("--pool", required=True, help="the bonus pool in yuan, e.g. 200000.00")
        bonus.add_argument("--out", required=True, help="where to write worker,neighborhood,...,bonus")
        bonus.add_argument("--levels", help="CSV: level,factor (default novice 1.0 … secretary 1.8)")

    def handle(self, *args, **options) -> None:
        names = {k: options[k] for k in ("ratings", "weights", "workers", "levels") if options[k]}
        texts = {k: _read(v) for k, v in names.items()}
        try:
            result = bonus_csv(
                texts["ratings"],
                texts["weights"],
                texts["workers"],
                options["pool"],
                texts.get("levels"),
                names,
            )
        except BonusError as e:
            raise CommandError(str(e), returncode=USAGE_ERROR) from None
        _write(options["out"], result)
        self.stdout.write(f"wrote {result.count(chr(10)) - 1} workers to {options['out']}")
