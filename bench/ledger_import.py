"""How long a 10,000-row ledger takes to import, and to re-import unchanged.

    .venv/bin/python bench/ledger_import.py                    # SQLite in a temporary directory
    .venv/bin/python bench/ledger_import.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/ledger_import.py

The database named by DATABASE_URL is migrated and written to: never point it at real data.
The ledger is one neighborhood of 40 buildings, two residents per household, every resident with
an ID number and a phone (so every row pays for encryption and keyed hashing), a few tagged.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TMP = tempfile.mkdtemp(prefix="gongzhi-ledger-bench-")
os.environ.setdefault("GONGZHI_VAR_DIR", TMP)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from gongzhi.org import factories as f  # noqa: E402
from gongzhi.org import services  # noqa: E402
from gongzhi.org.ledger import COLUMNS, import_ledger  # noqa: E402


def ledger_file(rows: int, neighborhood: str) -> SimpleUploadedFile:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append([c.header for c in COLUMNS])
    for n in range(rows):
        household = n // 2
        sheet.append(
            [
                neighborhood,
                f"小区{household // 2000}",
                f"{household // 50 % 40 + 1}号楼",
                "1单元",
                str(101 + household % 50),
                "68.5",
                f"居民{n}",
                "",
                "",
                f.fake_id_number(n),
                f.fake_phone(n),
                "是",
                "否",
                "是",
                "是",
                "独居老人" if n % 50 == 0 else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("bench.xlsx", out.getvalue())


def timed(actor, upload: SimpleUploadedFile) -> tuple[float, object]:
    start = time.perf_counter()
    report = import_ledger(actor=actor, uploaded_file=upload)
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    nb = f.NeighborhoodFactory(name=f"基准居民区{time.time_ns()}")
    actor = f.UserFactory(username=f"bench-{time.time_ns()}")
    services.assign_role(actor=None, user=actor, role="neighborhood_secretary", unit=nb)
    upload = ledger_file(args.rows, nb.name)
    print(f"database: {connection.vendor}; ledger: {args.rows} rows, {upload.size / 1e6:.1f} MB xlsx")
    first, report = timed(actor, upload)
    print(
        f"first import: {first:.1f} s ({args.rows / first:,.0f} rows/s); "
        f"households {report.households.created} created, residents {report.residents.created} created"
    )
    second, report = timed(actor, upload)
    print(
        f"re-import unchanged: {second:.1f} s; {report.created} created, "
        f"{report.households.unchanged + report.residents.unchanged} unchanged"
    )


if __name__ == "__main__":
    main()
