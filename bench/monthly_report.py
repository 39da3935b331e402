"""The demo month's monthly report, made by the command line as an operator would make it.

    .venv/bin/python bench/monthly_report.py                      # the database `make run` uses
    .venv/bin/python bench/monthly_report.py --month 2026-11 --format xlsx

Uses the configured database (var/gongzhi.sqlite3 unless DATABASE_URL says otherwise) and loads
the demo there first when its subdistrict is missing (a few minutes, once). Timed: the whole
`gongzhi reports monthly` run in a fresh process (Python and Django start-up, every figure read,
the PDF rendered and written), as the brief measures it. Last line:
`monthly report: pdf, N bytes, T s (limit 30 s) ok`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--format", choices=["pdf", "xlsx", "html"], default="pdf")
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.settings", "GONGZHI_LOG_LEVEL": "ERROR"}
    python = str(ROOT / ".venv" / "bin" / "python")
    code = _demo_code(python, env)
    out = Path(tempfile.mkdtemp(prefix="gongzhi-report-bench-")) / f"report.{args.format}"
    command = [python, "manage.py", "reports", "monthly", "--subdistrict", code, "--month", args.month]
    started = time.monotonic()
    subprocess.run([*command, "--out", str(out), "--format", args.format], cwd=ROOT, env=env, check=True)
    seconds = time.monotonic() - started
    verdict = "ok" if seconds < LIMIT_SECONDS else "TOO SLOW"
    print(
        f"monthly report: {args.format}, {out.stat().st_size:,} bytes, {seconds:.1f} s (limit {LIMIT_SECONDS} s) {verdict}"
    )
    sys.exit(0 if seconds < LIMIT_SECONDS else 1)


def _demo_code(python: str, env: dict) -> str:
    """The demo subdistrict's code, loading the demo when the database has none."""
    ask = "from gongzhi.org.models import Subdistrict; s = Subdistrict.objects.order_by('pk').first(); print(s.code if s else '')"
    found = subprocess.run(
        [python, "manage.py", "shell", "-c", ask], cwd=ROOT, env=env, capture_output=True, text=True
    )
    code = found.stdout.strip().splitlines()[-1] if found.stdout.strip() else ""
    if code:
        return code
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "demo", "load"], cwd=ROOT, env=env, check=True)
    return _demo_code(python, env)


if __name__ == "__main__":
    main()
