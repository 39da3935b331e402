"""`make fuzz`: schemathesis over the whole OpenAPI schema and Open311 against a live server.

A throwaway installation (its own var/ directory and SQLite file) gets the demo subdistrict at a
small size, a resident account, API tokens and an Open311 api_key; gunicorn serves it on a free
port (never a fixed one, so it meets no other server); schemathesis then runs every operation of
/api/v1/openapi.json as a staff member (the subdistrict admin), as a resident and anonymously,
and every operation of /open311/v2/ (described by scripts/open311_schema.py, since GeoReport v2
has no schema of its own), with a bounded number of cases per operation and the check that
matters here: no server errors. Open311's POST is also sent as its clients send it, form-encoded
with `Content-Type: application/x-www-form-urlencoded` (`open311_form_run`, 20 cases per --cases). The last line reads

    fuzz: N operations, M cases, K server errors

and the exit status is non-zero when K > 0, and also when a run proves nothing: schemathesis
exited with an error, reported an engine error, wrote no report or tested no operation (a crash
must not read as "0 server errors"). Options: --cases (per operation, default 25), --households
(demo size, default 500), --seed, --keep (leave the installation for a look).
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
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JURISDICTION = "310113-YX-DEMO"  # the demo town's code (gongzhi.org.demo.generator.SUBDISTRICT_CODE)
BIN = Path(sys.executable).parent
# One process sets the installation up (each `gongzhi` start costs seconds of imports).
SETUP = """
import django, io, sys
django.setup()
from django.core.management import call_command
from gongzhi.accounts.models import User
from gongzhi.concerns import selectors
from gongzhi.concerns.open311_keys import create_key
from gongzhi.core.tokens import create_token
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Resident, Subdistrict

call_command("migrate", interactive=False, verbosity=0)
call_command("demo", "load", "--households", sys.argv[1], "--quiet", stdout=io.StringIO())
resident = Resident.objects.filter(user__isnull=True, household__isnull=False).order_by("pk").first()
user = User.objects.create_user("fuzzresident", password=None, kind=User.Kind.RESIDENT)
resident.user = user
resident.save(update_fields=["user"])
for name in ("admin", "fuzzresident"):
    print(create_token(actor=None, user=User.objects.get(username=name), name="fuzz")[1])
town = Subdistrict.objects.get(code=SUBDISTRICT_CODE)
print(create_key(actor=None, subdistrict=town, name="fuzz")[1])
print(selectors.categories_for(town.pk).order_by("pk").first().code)
"""
# Who runs against which schema: (name, schema, bearer token key or None).
RUNS = [
    ("staff", "api", "staff"),
    ("resident", "api", "resident"),
    ("anonymous", "api", None),
    ("open311", "open311", None),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def installation(folder: Path, households: int) -> tuple[dict, dict[str, str]]:
    """The environment of a fresh installation, and its credentials."""
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
    staff, resident, open311_key, service_code = done.stdout.split()[-4:]
    tokens = {"staff": staff, "resident": resident, "open311_key": open311_key, "service_code": service_code}
    return env, tokens


def open311_schema_file(folder: Path, tokens: dict[str, str]) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from open311_schema import schema

    from_setup = {"api_key": tokens["open311_key"], "service_code": tokens["service_code"]}
    path = folder / "open311.openapi.json"
    path.write_text(json.dumps(schema(jurisdiction=JURISDICTION, **from_setup), ensure_ascii=False))
    return path


def serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "gongzhi.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--error-logfile",
            str(log),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(log.with_suffix(".stderr"), "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("fuzz: the server did not come up")


def start_schemathesis(schema: str, base: str, who: str, token: str | None, cases: int, seed: int, out: Path):
    report = out / f"{who}.ndjson"
    command = [
        str(BIN / "st"),
        "run",
        schema,
        "--url",
        base,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(cases),
        "--seed",
        str(seed),
        "--phases",
        "examples,coverage,fuzzing" if token else "examples,fuzzing",
        "--workers",
        "2",
        "--no-color",
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    log = open(out / f"{who}.log", "w")  # noqa: SIM115  (closed when the run ends)
    return subprocess.Popen(command, cwd=out, stdout=log, stderr=subprocess.STDOUT), report, log


def summarise(report: Path, who: str) -> dict:
    """Operations, cases, server errors and engine errors from schemathesis' event stream. Both
    the per-operation phases (ScenarioFinished) and the fuzzing phase, whose scenarios span
    several operations (FuzzScenarioFinished), carry cases and checks."""
    result = {"operations": set(), "cases": 0, "errors": 0, "failing": [], "problems": []}
    if not report.exists():
        result["problems"].append(f"{who}: schemathesis wrote no report")
        return result
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind in ("NonFatalError", "FatalError"):
            if kind in event:
                info = event[kind].get("info") or {}
                title = info.get("title") or info.get("message") or str(event[kind])[:200]
                result["problems"].append(f"{who}: {kind} {event[kind].get('label', '')}: {title}")
        if "ScenarioFinished" in event:
            _count(result, event["ScenarioFinished"].get("recorder") or {}, who, fuzzing=False)
        elif "FuzzScenarioFinished" in event:
            _count(result, event["FuzzScenarioFinished"].get("recorder") or {}, who, fuzzing=True)
    return result


def _count(result: dict, recorder: dict, who: str, *, fuzzing: bool) -> None:
    cases = recorder.get("cases") or {}
    for case in cases.values():
        value = case.get("value", {})
        label = recorder.get("label") if not fuzzing else f"{value.get('method', '')} {value.get('path', '')}"
        if label and label.strip():
            result["operations"].add(label)
        result["cases"] += 1
    for check_list in (recorder.get("checks") or {}).values():
        for check in check_list:
            if check.get("name") == "not_a_server_error" and str(check.get("status")).lower() == "failure":
                result["errors"] += 1
                case = cases.get(check.get("case_id"), {}).get("value", {})
                result["failing"].append(
                    f"{who}: {case.get('method', '')} {case.get('path', recorder.get('label'))}"
                )


# Field values for the form-encoded Open311 run: what a probe sends first.
ODD_VALUES = ["", " ", "²", "٣", "１２", "-1", "0", "1e9", str(2**63), str(2**70), "\x00", "a\x00b", "\ud800",
              "x" * 5000, "31.35", "121.42", "999", "-999", "nan", "inf", "2026-13-45", "<b>x</b>", "'; --"]  # fmt: skip
FORM_FIELDS = ["api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
               "description", "first_name", "last_name", "phone", "email", "idempotency_key", "media_url"]  # fmt: skip


def open311_form_run(base: str, tokens: dict[str, str], cases: int, seed: int) -> dict:
    """POSTs to /open311/v2/requests.{json,xml} as GeoReport clients send them: form-encoded,
    `Content-Type: application/x-www-form-urlencoded`, with the real key, jurisdiction and service
    most of the time (so the fields behind the key check are reached) and odd values everywhere
    (other digits, beyond 64 bits, NUL, raw surrogate bytes, 5,000 characters, points far away)."""
    import random
    from urllib.parse import quote

    rng = random.Random(seed)
    real = {
        "api_key": tokens["open311_key"],
        "jurisdiction_id": JURISDICTION,
        "service_code": tokens["service_code"],
    }
    real |= {"lat": "31.3500", "long": "121.4200", "description": "楼道堆物，消防通道被堵"}
    result = {"operations": set(), "cases": 0, "errors": 0, "failing": [], "problems": []}
    for _case in range(cases):
        fields = {k: v for k, v in real.items() if rng.random() < 0.85}
        for name in rng.sample(FORM_FIELDS, rng.randint(1, 4)):
            fields[name] = rng.choice(ODD_VALUES + [str(rng.randint(-(2**70), 2**70))])
        body = "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields.items())
        fmt = rng.choice(["json", "json", "xml"])
        operation = f"POST /open311/v2/requests.{fmt} (form)"
        request = urllib.request.Request(
            f"{base}/open311/v2/requests.{fmt}",
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            status = urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            result["problems"].append(f"open311-form: {operation}: {exc}")
            break
        result["operations"].add(operation)
        result["cases"] += 1
        if status >= 500:
            result["errors"] += 1
            result["failing"].append(f"open311-form: {operation} {body[:200]}")
    return result


def verdict(result: dict, who: str, exit_code: int) -> list[str]:
    """Why a run proves nothing (empty when it counts): schemathesis exits 0 when all is well and
    1 when checks failed; anything else, or 1 without a server error, is the run's own trouble."""
    problems = list(result["problems"])
    if exit_code not in (0, 1) or (exit_code == 1 and not result["errors"]):
        problems.append(f"{who}: schemathesis exited with {exit_code} (see {who}.log)")
    if not result["operations"] or not result["cases"]:
        problems.append(f"{who}: no operation was tested")
    return problems


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
        schemas = {"open311": str(open311_schema_file(folder, tokens))}
        port = free_port()
        server = serve(env, port, folder / "server-errors.log")
        base = f"http://127.0.0.1:{port}"
        # Read once, here, with a generous timeout: schemathesis' own loader gives up after 10 s,
        # which a loaded machine starting four runs at once can exceed ("resident: LoaderError").
        api_schema = folder / "api.openapi.json"
        api_schema.write_bytes(urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=120).read())
        schemas["api"] = str(api_schema)
        print(f"fuzz: installation ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        # The clients run at once; each is bounded by --cases per operation. Anonymous requests
        # meet the authentication wall first, so they skip the (large) coverage phase.
        runs = {
            who: start_schemathesis(
                schemas[schema], base, who, tokens.get(token), options.cases, options.seed, folder
            )
            for who, schema, token in RUNS
        }
        # Schemathesis sends the Open311 POST as its schema says; this run makes sure the
        # form-encoded body with its real content type is exercised however schemathesis encodes it.
        form = open311_form_run(base, tokens, max(options.cases * 20, 50), options.seed)
        results, problems = [], []
        for who, (process, report, log) in runs.items():
            process.wait()
            log.close()
            results.append(summarise(report, who))
            problems += verdict(results[-1], who, process.returncode)
        results.append(form)
        problems += form["problems"] + (["open311-form: no case was sent"] if not form["cases"] else [])
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    operations = set().union(*(r["operations"] for r in results))
    cases = sum(r["cases"] for r in results)
    errors = sum(r["errors"] for r in results)
    for line in sorted({f for r in results for f in r["failing"]}):
        print(f"server error: {line}")
    for r, who in zip(results, [who for who, *_rest in RUNS] + ["open311-form"], strict=True):
        print(f"{who}: {len(r['operations'])} operations, {r['cases']} cases, {r['errors']} server errors")
    for line in problems:
        print(f"run failed: {line}")
    failed = bool(errors or problems or not operations)
    kept = options.keep or failed
    print(f"({time.monotonic() - started:.0f} s; reports in {folder if kept else 'a removed folder'})")
    if not kept:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"fuzz: {len(operations)} operations, {cases} cases, {errors} server errors")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
