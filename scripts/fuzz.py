"""`make fuzz`: schemathesis over the whole OpenAPI schema against a live server, three ways.

A throwaway installation (its own var/ directory and SQLite file) gets the demo subdistrict at a
small size, a resident account and API tokens; gunicorn serves it on a free port; schemathesis
then runs every operation of /api/v1/openapi.json as a staff member (the subdistrict admin), as
a resident and anonymously, with a bounded number of cases per operation and the check that
matters here: no server errors. The last line reads

    fuzz: N operations, M cases, K server errors

and the exit status is non-zero when K > 0. Options: --cases (per operation, default 25),
--households (demo size, default 500), --seed, --keep (leave the installation for a look).
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One process sets the installation up (each `gongzhi` start costs seconds of imports).
SETUP = """
import django, io, sys
django.setup()
from django.core.management import call_command
from gongzhi.accounts.models import User
from gongzhi.core.tokens import create_token
from gongzhi.org.models import Resident

call_command("migrate", interactive=False, verbosity=0)
call_command("demo", "load", "--households", sys.argv[1], "--quiet", stdout=io.StringIO())
resident = Resident.objects.filter(user__isnull=True, household__isnull=False).order_by("pk").first()
user = User.objects.create_user("fuzzresident", password=None, kind=User.Kind.RESIDENT)
resident.user = user
resident.save(update_fields=["user"])
for name in ("admin", "fuzzresident"):
    print(create_token(actor=None, user=User.objects.get(username=name), name="fuzz")[1])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def installation(folder: Path, households: int) -> tuple[dict, dict[str, str]]:
    env = dict(os.environ)
    env.update(
        GONGZHI_VAR_DIR=str(folder / "var"),
        DATABASE_URL=f"sqlite:///{folder / 'fuzz.sqlite3'}",
        GONGZHI_FIELD_KEY=secrets.token_urlsafe(32),
        GONGZHI_SECRET_KEY=secrets.token_urlsafe(50),
        GONGZHI_DEBUG="false",
        GONGZHI_LOG_LEVEL="ERROR",
    )
    env.pop("GONGZHI_TEST_DB_NAME", None)
    keys = {k: env[k] for k in ("GONGZHI_VAR_DIR", "DATABASE_URL", "GONGZHI_FIELD_KEY", "GONGZHI_SECRET_KEY")}
    (folder / "env.json").write_text(json.dumps(keys))  # to look into a kept installation
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    done = subprocess.run(
        [sys.executable, "-c", SETUP, str(households)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("fuzz: setting up the installation failed")
    staff, resident = done.stdout.split()[-2:]
    tokens = {"staff": staff, "resident": resident}
    return env, tokens


def serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "gongzhi.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--timeout", "60", "--error-logfile", str(log)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(log.with_suffix(".stderr"), "w"),  # noqa: SIM115
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("fuzz: the server did not come up")


def start_schemathesis(base: str, who: str, token: str | None, cases: int, seed: int, out: Path):
    report = out / f"{who}.ndjson"
    command = [
        str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
        "--checks", "not_a_server_error", "--max-examples", str(cases), "--seed", str(seed),
        "--phases", "examples,coverage,fuzzing" if token else "examples,fuzzing", "--workers", "2", "--no-color",
        "--request-timeout", "30", "--continue-on-failure", "--generation-database", "none",
        "--suppress-health-check", "all", "--report", "ndjson", "--report-ndjson-path", str(report),
    ]  # fmt: skip
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    log = open(out / f"{who}.log", "w")  # noqa: SIM115  (closed when the run ends)
    return subprocess.Popen(command, cwd=out, stdout=log, stderr=subprocess.STDOUT), report, log


def summarise(report: Path, who: str) -> dict:
    """Operations, cases and server errors from schemathesis' event stream."""
    operations, cases, errors, failing = set(), 0, 0, []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        recorder = (finished or {}).get("recorder") or {}
        if recorder.get("label"):
            operations.add(recorder["label"])
            cases += len(recorder.get("cases") or {})
            for check_list in (recorder.get("checks") or {}).values():
                for check in check_list:
                    if (
                        check.get("name") == "not_a_server_error"
                        and str(check.get("status")).lower() == "failure"
                    ):
                        errors += 1
                        case = (recorder.get("cases") or {}).get(check.get("case_id"), {}).get("value", {})
                        failing.append(
                            f"{who}: {case.get('method', '')} {case.get('path', recorder['label'])}"
                        )
    return {"operations": operations, "cases": cases, "errors": errors, "failing": failing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-fuzz-"))
    started = time.monotonic()
    server = None
    try:
        env, tokens = installation(folder, options.households)
        port = free_port()
        server = serve(env, port, folder / "server-errors.log")
        base = f"http://127.0.0.1:{port}"
        print(f"fuzz: installation ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        # The three clients run at once; each is bounded by --cases per operation. Anonymous
        # requests meet the authentication wall first, so they skip the (large) coverage phase.
        runs = {
            who: start_schemathesis(base, who, token, options.cases, options.seed, folder)
            for who, token in (
                ("staff", tokens["staff"]),
                ("resident", tokens["resident"]),
                ("anonymous", None),
            )
        }
        results = []
        for who, (process, report, log) in runs.items():
            process.wait()
            log.close()
            results.append(summarise(report, who))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    operations = set().union(*(r["operations"] for r in results))
    cases = sum(r["cases"] for r in results)
    errors = sum(r["errors"] for r in results)
    for line in sorted({f for r in results for f in r["failing"]}):
        print(f"server error: {line}")
    for r, who in zip(results, ("staff", "resident", "anonymous"), strict=True):
        print(f"{who}: {len(r['operations'])} operations, {r['cases']} cases, {r['errors']} server errors")
    print(
        f"({time.monotonic() - started:.0f} s; reports in {folder if options.keep or errors else 'a removed folder'})"
    )
    if not options.keep and not errors:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"fuzz: {len(operations)} operations, {cases} cases, {errors} server errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
