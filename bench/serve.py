"""What the HTTP benches share: a bench database, gunicorn started as production runs it, and
the CPU time its processes and PostgreSQL's backends spend (read from /proc, so contention from
other work on the machine does not count, as it does in wall-clock figures)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_town(households: int, *, role: str, label: str) -> tuple[str, int, list[int]]:
    """Migrate, then a town of one neighborhood and one micro-grid with `households` households
    (50 a building) and a staff member in `role` (its unit: the grid for grid roles, else the
    neighborhood) with an API token. Returns (token, user id, household ids)."""
    import uuid

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from gongzhi.core.tokens import create_token
    from gongzhi.org import factories as f
    from gongzhi.org import services

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6]
    town = f.SubdistrictFactory(name=f"{label}镇{tag}", code=f"SD{tag}")
    neighborhood = f.NeighborhoodFactory(subdistrict=town, name=f"{label}居民区{tag}", code=f"NB{tag}")
    grid = f.MicroGridFactory(neighborhood=neighborhood, code=f"G{tag}")
    compound = f.CompoundFactory(neighborhood=neighborhood, name=f"{label}苑{tag}")
    ids = []
    for b in range(max(households // 50, 1)):
        building = f.BuildingFactory(compound=compound, micro_grid=grid, number=f"{b + 1}号楼")
        ids += [f.HouseholdFactory(building=building, room=str(101 + r)).pk for r in range(50)]
    user = f.UserFactory(username=f"bench_{role}_{tag}", is_staff=True)
    unit = grid if role.startswith("grid") else neighborhood
    services.assign_role(actor=None, user=user, role=role, unit=unit)
    _item, token = create_token(actor=None, user=user, name=f"bench {label}")
    connections.close_all()
    return token, user.pk, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    """gthread workers, persistent database connections (`conn_max_age`), DEBUG off, 127.0.0.1 only."""
    url = os.environ["DATABASE_URL"]
    env = dict(os.environ, DATABASE_URL=url + ("&" if "?" in url else "?") + "conn_max_age=600")
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "gongzhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(30)


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pids) -> float:
    """User + system CPU time of the processes, as far as they still run."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def process_tree(pid: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None and int(fields[1]) == pid:
            children.append(int(entry))
    return [pid, *children]


def postgres_backends(database: str) -> list[int]:
    """The server processes PostgreSQL runs for connections to the bench database."""
    import psycopg

    url = os.environ["DATABASE_URL"].split("?")[0]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """CPU seconds gunicorn and the bench database's PostgreSQL backends spend between start and stop."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server
        self.database = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")

    def _sample(self) -> tuple[dict[int, float], dict[int, float]]:
        server = {pid: cpu_seconds([pid]) for pid in process_tree(self.server.pid)}
        database = {pid: cpu_seconds([pid]) for pid in postgres_backends(self.database)}
        return server, database

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> tuple[float, float]:
        after = self._sample()
        spent = []
        for now, then in zip(after, self.before, strict=True):
            # A backend or worker that started meanwhile counts from zero.
            spent.append(sum(seconds - then.get(pid, 0.0) for pid, seconds in now.items()))
        return spent[0], spent[1]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
