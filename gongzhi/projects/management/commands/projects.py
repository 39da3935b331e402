"""`gongzhi projects allocate`: next round's budgets for review rounds kept in spreadsheets.

    gongzhi projects allocate --scores scores.csv --budgets budgets.csv \
        --top 3 --raise 10 --bottom 5 --cut 10 --out new.csv

Thin: the rule lives in gongzhi.projects.allocation, which the platform's preview uses too.
Bad input stops with an error naming the file and row and writes nothing.
"""

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.projects.allocation import AllocationError, Rule, allocate_csv


def _percent(text: str) -> Decimal:
    """argparse reports an ArgumentTypeError as a usage error (exit 2), without a traceback."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}")
    return value


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise CommandError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None


class Command(BaseCommand):
    help = "Projects and funds: allocate next round's budgets from scores (top N raised, bottom M cut)."
    requires_system_checks = []  # reads and writes files only

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{allocate}")
        allocate = actions.add_parser(
            "allocate", help="scores.csv + budgets.csv -> new.csv (org,old,new,reason)"
        )
        allocate.add_argument("--scores", required=True, help="CSV with columns org,score")
        allocate.add_argument("--budgets", required=True, help="CSV with columns org,budget (yuan)")
        allocate.add_argument("--top", type=int, required=True, help="how many ranks from the top are raised")
        allocate.add_argument("--raise", dest="raise_percent", type=_percent, required=True, help="percent")
        allocate.add_argument(
            "--bottom", type=int, required=True, help="how many ranks from the bottom are cut"
        )
        allocate.add_argument("--cut", dest="cut_percent", type=_percent, required=True, help="percent")
        allocate.add_argument("--out", required=True, help="where to write org,old,new,reason")

    def handle(self, *args, **options) -> None:
        try:
            rule = Rule(options["top"], options["raise_percent"], options["bottom"], options["cut_percent"])
            result = allocate_csv(
                _read(options["scores"]),
                _read(options["budgets"]),
                rule,
                scores_name=options["scores"],
                budgets_name=options["budgets"],
            )
        except AllocationError as e:
            raise CommandError(str(e)) from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"{out}: the directory {out.parent} does not exist")
        tmp = out.with_name(out.name + ".part")
        try:
            tmp.write_text(result, encoding="utf-8")
            tmp.replace(out)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise CommandError(f"{out}: cannot write: {e.strerror}") from None
        rows = result.count("\n") - 1
        self.stdout.write(f"wrote {rows} organisations to {out}")
