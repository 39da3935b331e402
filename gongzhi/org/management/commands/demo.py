"""`gongzhi demo load [--households N] [--seed S]`: the demo subdistrict and its logins.

Thin: the generator makes the town as plain records, the loader writes it (once; a second run
changes nothing and says so), then the demo logins are printed.
"""

import argparse
import importlib
import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from gongzhi.org.demo import accounts, generator, loader

# Each app's sample records, in dependency order: hot issues need concerns, projects and surveys
# link to hot issues and to each other. Every loader is idempotent and returns one line.
APP_DEMOS = [
    "gongzhi.grids.demo",
    "gongzhi.governance.demo",
    "gongzhi.concerns.demo",
    "gongzhi.concerns.demo_joint",
    "gongzhi.visits.demo",
    "gongzhi.insights.demo",
    "gongzhi.volunteers.demo",
    "gongzhi.projects.demo",
    "gongzhi.surveys.demo",
    "gongzhi.property.demo",
    "gongzhi.workforce.demo",
    "gongzhi.accounts.demo",
    "gongzhi.core.demo",
]


class Command(BaseCommand):
    help = "Demo subdistrict (杨行镇): `demo load` generates and loads it, idempotently."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Generate and load the demo town unless it is there already.")
        load.add_argument("--households", type=int, default=generator.DEFAULT_HOUSEHOLDS)
        load.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        load.add_argument("--quiet", action="store_true", help="No progress on stderr.")
        # A further town of a district (bench/district_day.py): its places and people only.
        load.add_argument("--town", nargs=3, metavar=("CODE", "NAME", "ID_AREA"), help=argparse.SUPPRESS)

    def handle(
        self, *args, action: str, households: int, seed: int, quiet: bool, town=None, **options
    ) -> None:
        progress = None if quiet else sys.stderr
        if town:
            self._further_town(households, seed, *town, progress)
            return
        existing = loader.find_loaded(generator.SUBDISTRICT_CODE)
        town = None
        if existing is None:
            started = time.perf_counter()
            town = generator.generate_town(households=households, seed=seed)
            if progress:
                progress.write(
                    f"generated {town.counts()['households']:,} households in "
                    f"{time.perf_counter() - started:.1f} s ({town.grid_method})\n"
                )
        result = loader.load_town(town, progress=progress) if town else loader.load_town_logins(existing)
        self.stdout.write(self._summary(result))
        for name in APP_DEMOS:
            started = time.perf_counter()
            line = importlib.import_module(name).load_demo()
            if progress:
                progress.write(f"{line} ({time.perf_counter() - started:.1f} s)\n")
        if town:
            _analyze()
        password = accounts.demo_password()
        shown = password if password == accounts.DEFAULT_PASSWORD else "$GONGZHI_DEMO_PASSWORD"
        self.stdout.write(accounts.format_logins(result.logins, shown))

    def _further_town(self, households: int, seed: int, code: str, name: str, id_area: str, progress) -> None:
        if loader.find_loaded(code) is None:
            made = generator.generate_town(
                households=households, seed=seed, code=code, name=name, id_area=id_area
            )
            self.stdout.write(self._summary(loader.load_town(made, progress=progress, logins=False)))
            _analyze()
        else:
            self.stdout.write(f"{name}（{code}）已加载，未作任何更改。")

    def _summary(self, result: loader.LoadResult) -> str:
        name = result.subdistrict.name
        if not result.loaded:
            return f"演示街镇 {name} 已加载（{result.subdistrict.code}），未作任何更改。"
        c = result.counts
        return (
            f"已加载演示街镇 {name}：{c['neighborhoods']} 个居民区，{c['buildings']:,} 栋楼，"
            f"{c['households']:,} 户，{c['residents']:,} 名居民，用时 {result.seconds:.1f} 秒。"
        )


def _analyze() -> None:
    """Fresh planner statistics after a bulk load. Autovacuum gets to the loaded tables only later;
    meanwhile PostgreSQL plans with the empty tables' figures and can walk a whole district where it
    needed one neighborhood (a workbench query on a fresh 1.4-million-household district: 426 ms
    with the stale figures, 27 ms after ANALYZE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
