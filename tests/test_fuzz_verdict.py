"""`make fuzz` cannot pass falsely: a crashed or empty schemathesis run fails the fuzz, whatever
its count of server errors."""

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fuzz.py"
spec = importlib.util.spec_from_file_location("fuzz", SCRIPT)
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)


def scenario(label: str, *, server_error: bool = False) -> dict:
    checks = [
        {"name": "not_a_server_error", "status": "FAILURE" if server_error else "SUCCESS", "case_id": "c1"}
    ]
    return {
        "ScenarioFinished": {
            "phase": "fuzzing",
            "recorder": {
                "label": label,
                "cases": {"c1": {"value": {"method": "GET", "path": "/api/v1/x"}}},
                "checks": {"c1": checks},
            },
        }
    }


def report(tmp_path: Path, *events: dict) -> Path:
    path = tmp_path / "who.ndjson"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_a_clean_run_counts(tmp_path):
    result = fuzz.summarise(report(tmp_path, scenario("GET /api/v1/x"), scenario("POST /api/v1/x")), "staff")
    assert (len(result["operations"]), result["cases"], result["errors"]) == (2, 2, 0)
    assert fuzz.verdict(result, "staff", 0) == []


def test_a_server_error_is_counted_and_named(tmp_path):
    result = fuzz.summarise(report(tmp_path, scenario("GET /api/v1/x", server_error=True)), "staff")
    assert result["errors"] == 1 and result["failing"] == ["staff: GET /api/v1/x"]
    assert fuzz.verdict(result, "staff", 1) == []  # the error itself fails the fuzz, not the run


def test_a_crashed_schemathesis_fails_the_run(tmp_path):
    result = fuzz.summarise(report(tmp_path, scenario("GET /api/v1/x")), "staff")
    assert any("exited with 2" in p for p in fuzz.verdict(result, "staff", 2))
    assert any("exited with 1" in p for p in fuzz.verdict(result, "staff", 1))  # failures, none ours


def test_a_run_that_tested_nothing_fails(tmp_path):
    empty = fuzz.summarise(report(tmp_path), "anonymous")
    assert any("no operation" in p for p in fuzz.verdict(empty, "anonymous", 0))
    missing = fuzz.summarise(tmp_path / "absent.ndjson", "anonymous")
    assert any("no report" in p for p in fuzz.verdict(missing, "anonymous", 0))


def test_engine_errors_fail_the_run(tmp_path):
    error = {"NonFatalError": {"label": "GET /api/v1/x", "info": {"title": "Network Error"}}}
    result = fuzz.summarise(report(tmp_path, scenario("GET /api/v1/x"), error), "staff")
    assert any("Network Error" in p for p in fuzz.verdict(result, "staff", 1))


def test_the_open311_schema_covers_every_open311_route():
    from gongzhi.concerns.open311 import urlpatterns

    spec = fuzz_schema()
    assert len(spec["paths"]) == len(urlpatterns)
    assert "post" in spec["paths"]["/open311/v2/requests.{format}"]


def fuzz_schema() -> dict:
    schema_spec = importlib.util.spec_from_file_location(
        "open311_schema", SCRIPT.parent / "open311_schema.py"
    )
    module = importlib.util.module_from_spec(schema_spec)
    schema_spec.loader.exec_module(module)
    return module.schema(api_key="k", jurisdiction="j", service_code="s")
