"""`gongzhi property score --compounds … --metrics … --rules … --out …`: the red-property score
rule on three CSV files, with exactly the platform's semantics (both call `scoring.score_files`).

Bad input: one line on stderr naming the file and row, exit status 2, no traceback.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.property import scoring


class Command(BaseCommand):
    help = "Red-property governance: `property score` scores compounds and neighborhoods from CSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="Score compounds and neighborhoods from three CSV files.")
        score.add_argument("--compounds", required=True, help="compound,neighborhood,households")
        score.add_argument("--metrics", required=True, help="compound,metric,value")
        score.add_argument("--rules", required=True, help="metric,weight,direction,worst,best")
        score.add_argument("--out", required=True, help="level,id,score is written here")

    def handle(self, *args, action: str, **options) -> None:
        texts = [_read(options[name], name) for name in ("compounds", "metrics", "rules")]
        try:
            result = scoring.score_files(*texts)
        except scoring.ScoreInputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            Path(options["out"]).write_text(result, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{options['out']}: cannot write ({exc.strerror})", returncode=2) from None


def _read(path: str, name: str) -> str:
    """A CSV file's text (UTF-8, with or without BOM), or an error naming it."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the {name} file ({exc.strerror})", returncode=2) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the {name} file is not UTF-8 text", returncode=2) from None
