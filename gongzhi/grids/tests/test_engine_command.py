"""`gongzhi grids draw`: writes the CSV and report, or a clear error and nothing at all."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURE = Path(__file__).parent / "fixtures" / "blocks_small.geojson"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_draw_writes_a_row_for_every_feature_and_a_report_beside_it(tmp_path):
    out = tmp_path / "assignment.csv"
    call_command("grids", "draw", "--input", str(FIXTURE), "--out", str(out))
    rows = _rows(out)
    assert {r["id"] for r in rows} == {"A1", "A2", "A3", "A4", "T1", "V1"}
    assert sorted(r["stairwells"] for r in rows if r["id"] == "T1") == ["1-2", "3-4"]
    report = json.loads((tmp_path / "assignment.report.json").read_text(encoding="utf-8"))
    assert report["totals"]["households"] == 180 + 220 + 150 + 260 + 812 + 90
    assert report["seconds"] >= 0 and report["min_households"] == 300
    village = next(g for g in report["grids"] if g["neighborhood"] == "西村")
    assert village["flags"] == ["undersize"] and "西村" in village["reasons"][0]
    assert all(0 < g["compactness"] <= 1 for g in report["grids"])


def test_redraw_with_previous_reports_stability(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    call_command("grids", "draw", "--input", str(FIXTURE), "--out", str(first))
    call_command("grids", "draw", "--input", str(FIXTURE), "--out", str(second), "--previous", str(first))
    assert _rows(first) == _rows(second)
    stability = json.loads((tmp_path / "b.report.json").read_text(encoding="utf-8"))["stability"]
    assert stability["households_moved"] == 0 and stability["grids_changed"] == 0


def test_bounds_and_barriers_are_taken_from_the_command_line(tmp_path):
    roads = tmp_path / "roads.geojson"
    cut = [[121.4007, 31.2990], [121.4007, 31.3003]]  # between A2 and A3
    roads.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "LineString", "coordinates": cut},
                    }
                ],
            }
        )
    )
    out = tmp_path / "a.csv"
    call_command(
        "grids",
        "draw",
        "--input",
        str(FIXTURE),
        "--out",
        str(out),
        "--barriers",
        str(roads),
        "--min",
        "350",
        "--max",
        "450",
        "--gap",
        "25",
    )
    grid = {r["id"]: r["grid"] for r in _rows(out) if not r["stairwells"]}
    assert grid["A1"] == grid["A2"] and grid["A3"] == grid["A4"] and grid["A2"] != grid["A3"]
    report = json.loads((tmp_path / "a.report.json").read_text(encoding="utf-8"))
    assert (report["min_households"], report["max_households"], report["gap_m"]) == (350, 450, 25)


def test_bad_input_is_a_command_error_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.geojson"
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["features"][2]["properties"]["households"] = -1
    bad.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"#2 \(id='A3'\)"):
        call_command("grids", "draw", "--input", str(bad), "--out", str(tmp_path / "a.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.geojson"]


def test_the_platform_cli_runs_draw_and_fails_with_a_message_not_a_traceback(tmp_path):
    gongzhi = shutil.which("gongzhi", path=str(Path(sys.executable).parent))
    assert gongzhi, "the gongzhi console script is installed beside the interpreter"
    ok = subprocess.run(
        [gongzhi, "grids", "draw", "--input", str(FIXTURE), "--out", str(tmp_path / "a.csv")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "grids" in ok.stdout
    bad = subprocess.run(
        [
            gongzhi,
            "grids",
            "draw",
            "--input",
            str(tmp_path / "none.geojson"),
            "--out",
            str(tmp_path / "b.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and "无法读取" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "b.csv").exists()
