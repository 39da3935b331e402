"""How long a big demo town takes to generate and load, on SQLite and on PostgreSQL.

    .venv/bin/python bench/demo_load.py [--households 1000000] [--only sqlite|postgresql]

Each engine gets a fresh database: a SQLite file in a temporary directory, and a scratch
PostgreSQL database created on 127.0.0.1:5432 (user postgres, trust auth) and dropped after. A
subprocess runs `gongzhi migrate` and then `gongzhi demo load --households N`; the generation and
load seconds come from the command's own report, CPU seconds from the child's rusage (the
machine may be shared, so wall time alone can mislead). Target: under 3 minutes each.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `gongzhi` is manage.py; run through this interpreter from ROOT, so a snapshot of the tree
# (`git archive HEAD | tar -x -C DIR`, then `python DIR/bench/demo_load.py`) benchmarks itself.
GONGZHI = [sys.executable, "-c", "from gongzhi.cli import main; main()"]
PG = "postgres://postgres@127.0.0.1:5432"


def run(households: int, env: dict[str, str]) -> dict[str, float]:
    subprocess.run([*GONGZHI, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [*GONGZHI, "demo", "load", "--households", str(households)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"demo load failed:\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    generated = re.search(r"generated [\d,]+ households in ([\d.]+) s", done.stderr)
    loaded = re.search(r"用时 ([\d.]+) 秒", done.stdout)
    return {
        "generate_s": float(generated.group(1)) if generated else float("nan"),
        "load_s": float(loaded.group(1)) if loaded else float("nan"),
        "total_wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


def sqlite(households: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as var:
        env = os.environ | {"GONGZHI_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        return run(households, env)


def postgresql(households: int) -> dict[str, float]:
    name = f"gongzhi_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as var:
            return run(households, os.environ | {"GONGZHI_VAR_DIR": var, "DATABASE_URL": f"{PG}/{name}"})
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    engines = {"sqlite": sqlite, "postgresql": postgresql}
    print(f"demo town of {args.households:,} households on {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for engine, bench in engines.items():
        if args.only and engine != args.only:
            continue
        figures = bench(args.households)
        verdict = "ok" if figures["total_wall_s"] < 180 else "OVER 3 min"
        print(
            f"{engine:<11} generate {figures['generate_s']:6.1f} s   load {figures['load_s']:6.1f} s   "
            f"total {figures['total_wall_s']:6.1f} s wall, {figures['cpu_s']:6.1f} s CPU   {verdict}",
            flush=True,
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.exit(0)


if __name__ == "__main__":
    main()
