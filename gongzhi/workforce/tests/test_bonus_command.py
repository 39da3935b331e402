"""`gongzhi workforce bonus`: files in, bonus.csv out; every bad input names its file and row, exit 2."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

RATINGS = "group,rater,neighborhood,score\nparty,p1,A,90\nparty,p1,B,80\noffice,o1,A,70\noffice,o2,A,80\n"
WEIGHTS = "group,weight\nparty,0.5\noffice,0.3\n"
WORKERS = "worker,neighborhood,level,personal\nw1,A,regular,90\nw2,B,novice,85.5\nw3,A,secretary,70\n"


def files(tmp_path, **override):
    texts = {"ratings": RATINGS, "weights": WEIGHTS, "workers": WORKERS, **override}
    paths = {}
    for name, text in texts.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        paths[name] = str(tmp_path / f"{name}.csv")
    return paths


def run(tmp_path, pool="1000.00", **override):
    paths = files(tmp_path, **override)
    args = [f"--{k}={v}" for k, v in paths.items()]
    call_command("workforce", "bonus", *args, f"--pool={pool}", f"--out={tmp_path / 'bonus.csv'}")
    return (tmp_path / "bonus.csv").read_text(encoding="utf-8")


def refused(tmp_path, pool="1000.00", **override) -> str:
    with pytest.raises(CommandError) as e:
        run(tmp_path, pool, **override)
    assert e.value.returncode == 2
    assert not (tmp_path / "bonus.csv").exists()
    return str(e.value)


def test_the_command_writes_each_workers_share_adding_up_to_the_pool(tmp_path):
    assert run(tmp_path).splitlines() == [
        "worker,neighborhood,neighborhood_score,points,bonus",
        "w1,A,84.38,9112.50,342.78",
        "w2,B,80.00,6840.00,257.30",
        "w3,A,84.38,10631.25,399.92",
    ]


def test_a_levels_file_replaces_the_default_factors(tmp_path):
    levels = "level,factor\nnovice,1\nregular,1\nsecretary,1\n"
    out = run(
        tmp_path, pool="300.00", levels=levels, workers=WORKERS.replace("85.5", "90").replace("70", "90")
    )
    assert [line.rsplit(",", 1)[1] for line in out.splitlines()[1:]] == ["101.76", "96.48", "101.76"]


@pytest.mark.parametrize(
    ("override", "pool", "message"),
    [
        ({"workers": WORKERS + "w4,A,chief,80\n"}, "1", "workers.csv row 5: unknown level 'chief'"),
        ({"ratings": RATINGS + "grid,g1,A,101\n"}, "1", "ratings.csv row 6: score must be between 0 and 100"),
        (
            {"ratings": RATINGS + "grid,g1,A,99.999\n"},
            "1",
            "ratings.csv row 6: score has more than 2 decimals",
        ),
        (
            {"workers": WORKERS + "w4,A,novice,-1\n"},
            "1",
            "workers.csv row 5: personal must be between 0 and 100",
        ),
        ({"ratings": RATINGS + "party,p1,A,abc\n"}, "1", "ratings.csv row 6: score is not a number"),
        ({"weights": "group,weight\nparty,x\noffice,1\n"}, "1", "weights.csv row 2: weight is not a number"),
        ({"weights": "group,weight\nparty,0\noffice,1\n"}, "1", "weights.csv row 2: weight must be positive"),
        (
            {"ratings": RATINGS + "party,p1,A,50\n"},
            "1",
            "ratings.csv row 6: rater 'p1' of group 'party' scored 'A' twice",
        ),
        ({"workers": WORKERS + "w1,B,novice,80\n"}, "1", "workers.csv row 5: duplicate worker 'w1'"),
        ({"ratings": RATINGS + "grid,g1,A,80\n"}, "1", "ratings.csv row 6: group 'grid' has no weight"),
        (
            {"workers": WORKERS + "w4,C,novice,80\n"},
            "1",
            "workers.csv row 5: nobody scored the neighborhood 'C'",
        ),
        ({}, "-0.01", "--pool: the pool cannot be negative"),
        ({}, "1.001", "--pool: the pool must be in yuan with at most 2 decimals"),
        (
            {"workers": "worker,neighborhood,level,personal\nw1,A,novice,0\n"},
            "1",
            "workers.csv: no points to share",
        ),
        (
            {"workers": "worker,level\nw1,novice\n"},
            "1",
            "workers.csv row 1: the header must name the columns",
        ),
        ({"ratings": RATINGS + "party,p9,A\n"}, "1", "ratings.csv row 6: expected the columns"),
    ],
)
def test_bad_input_names_the_file_and_row_and_writes_nothing(tmp_path, override, pool, message):
    assert message in refused(tmp_path, pool, **override)


def test_the_command_line_exits_2_without_a_traceback(tmp_path):
    paths = files(tmp_path, workers=WORKERS + "w4,A,chief,80\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongzhi.cli",
            "workforce",
            "bonus",
            "--ratings",
            paths["ratings"],
            "--weights",
            paths["weights"],
            "--workers",
            paths["workers"],
            "--pool",
            "200000.00",
            "--out",
            str(tmp_path / "b.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "workers.csv row 5: unknown level 'chief'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "b.csv").exists()


def test_a_missing_file_is_named_with_exit_2(tmp_path):
    paths = files(tmp_path)
    with pytest.raises(CommandError) as e:
        call_command(
            "workforce",
            "bonus",
            f"--ratings={tmp_path / 'none.csv'}",
            f"--weights={paths['weights']}",
            f"--workers={paths['workers']}",
            "--pool=1",
            f"--out={tmp_path / 'b.csv'}",
        )
    assert e.value.returncode == 2 and "none.csv" in str(e.value)
