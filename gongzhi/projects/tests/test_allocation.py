"""The allocation rule against hand-computed rounds and an independent reading (hypothesis)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.projects.allocation import (
    BOTH,
    BOTTOM,
    MIDDLE,
    TOP,
    AllocationError,
    Rule,
    allocate,
    allocate_csv,
)

D = Decimal
RULE = Rule(top=3, raise_percent=D(10), bottom=5, cut_percent=D(10))


def test_hand_computed_round_with_ties_at_both_edges():
    scores = {"A": D(95), "B": D(90), "C": D(90), "D": D(88), "E": D(80), "F": D(80), "G": D(70), "H": D(60)}
    budgets = dict.fromkeys(scores, D("10000"))
    budgets["C"] = D("8000.05")
    lines = {x.org: x for x in allocate(scores, budgets, Rule(2, D(10), 3, D(10)))}
    # ranks 1, 2, 2, 4, 5, 5, 7, 8; from the bottom: H 1, G 2, E/F 3
    assert [lines[o].rank for o in "ABCDEFGH"] == [1, 2, 2, 4, 5, 5, 7, 8]
    assert [lines[o].group for o in "ABCDEFGH"] == [TOP, TOP, TOP, MIDDLE, BOTTOM, BOTTOM, BOTTOM, BOTTOM]
    assert lines["C"].new == D("8800.06")  # 8800.055 rounds half up
    assert lines["A"].new == D("11000.00")
    assert lines["E"].new == D("9000.00")
    assert lines["D"].new == D("10000.00")


def test_too_few_organisations_fall_in_both_groups_and_keep_their_budget():
    scores = {"A": D(90), "B": D(80), "C": D(70)}
    budgets = {"A": D(100), "B": D(100), "C": D(100)}
    lines = {x.org: x for x in allocate(scores, budgets, RULE)}
    assert {x.group for x in lines.values()} == {BOTH}
    assert all(x.new == D("100.00") for x in lines.values())


def test_top_only_and_bottom_only_when_the_groups_do_not_meet():
    scores = {"A": D(90), "B": D(80), "C": D(70), "D": D(60)}
    budgets = dict.fromkeys(scores, D("1000"))
    lines = {x.org: x for x in allocate(scores, budgets, Rule(1, D("12.5"), 2, D(20)))}
    assert lines["A"].new == D("1125.00")
    assert lines["B"].new == D("1000.00")
    assert lines["C"].new == lines["D"].new == D("800.00")


def test_all_tied_everyone_is_rank_one_and_in_both_groups():
    lines = allocate({"A": D(5), "B": D(5)}, {"A": D(1), "B": D(2)}, Rule(1, D(10), 1, D(10)))
    assert [(x.rank, x.rank_from_bottom, x.group) for x in lines] == [(1, 1, BOTH), (1, 1, BOTH)]


def test_half_up_to_the_fen():
    lines = allocate({"A": D(1), "B": D(0)}, {"A": D("0.05"), "B": D("0.15")}, Rule(1, D(10), 1, D(10)))
    by = {x.org: x.new for x in lines}
    assert by["A"] == D("0.06")  # 0.055 → 0.06
    assert by["B"] == D("0.14")  # 0.135 → 0.14


def _independent(scores, budgets, rule):
    """Straight from the issue text, quadratic and obvious."""
    result = {}
    for org, s in scores.items():
        rank = 1 + sum(1 for t in scores.values() if t > s)
        from_bottom = 1 + sum(1 for t in scores.values() if t < s)
        old = budgets[org]
        top, bottom = rank <= rule.top, from_bottom <= rule.bottom
        if top and not bottom:
            new = old * (1 + rule.raise_percent / 100)
        elif bottom and not top:
            new = old * (1 - rule.cut_percent / 100)
        else:
            new = old
        result[org] = new.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    return result


rounds = st.dictionaries(
    st.text("ABCDEFGHIJKLMNOP", min_size=1, max_size=3),
    st.tuples(st.integers(0, 20).map(D), st.integers(0, 10_000_000).map(lambda f: D(f) / 100)),
    min_size=1,
    max_size=25,
)
rules = st.builds(
    Rule,
    st.integers(0, 8),
    st.integers(0, 5000).map(lambda x: D(x) / 100),
    st.integers(0, 8),
    st.integers(0, 10000).map(lambda x: D(x) / 100),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # shared CI machine
@given(rounds, rules)
def test_random_rounds_match_the_independent_reading(round_, rule):
    scores = {o: s for o, (s, _b) in round_.items()}
    budgets = {o: b for o, (_s, b) in round_.items()}
    lines = allocate(scores, budgets, rule)
    assert {x.org: x.new for x in lines} == _independent(scores, budgets, rule)
    assert [x.rank for x in lines] == sorted(x.rank for x in lines)
    for x in lines:
        assert x.new == x.new.quantize(D("0.01"))
        if x.group == MIDDLE or x.group == BOTH:
            assert x.new == x.old
        # equal scores always get equal treatment
        assert all(y.group == x.group for y in lines if y.score == x.score)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds, rules)
def test_raised_never_below_cut_for_equal_budgets(round_, rule):
    scores = {o: s for o, (s, _b) in round_.items()}
    lines = allocate(scores, dict.fromkeys(scores, D(1000)), rule)
    best = max(lines, key=lambda x: x.score)
    worst = min(lines, key=lambda x: x.score)
    assert best.new >= worst.new


# --- the CSV and the command ------------------------------------------------------------------


def test_errors_name_the_row():
    budgets = "org,budget\nA,100\nB,200\n"
    with pytest.raises(AllocationError, match=r"scores.csv row 3: duplicate org 'A' \(first on row 2\)"):
        allocate_csv("org,score\nA,1\nA,2\nB,3\n", budgets, RULE)
    with pytest.raises(AllocationError, match=r"scores.csv row 3: score is not a number: 'n/a'"):
        allocate_csv("org,score\nA,1\nB,n/a\n", budgets, RULE)
    with pytest.raises(AllocationError, match=r"budgets.csv row 3: org 'B' is missing from scores.csv"):
        allocate_csv("org,score\nA,1\n", budgets, RULE)
    with pytest.raises(AllocationError, match=r"scores.csv row 4: org 'C' is missing from budgets.csv"):
        allocate_csv("org,score\nA,1\nB,2\nC,3\n", budgets, RULE)
    with pytest.raises(AllocationError, match=r"budgets.csv row 2: budget is not a number: 'NaN'"):
        allocate_csv("org,score\nA,1\nB,2\n", "org,budget\nA,NaN\nB,1\n", RULE)
    with pytest.raises(AllocationError, match=r"scores.csv row 1: the header"):
        allocate_csv("name,score\nA,1\n", budgets, RULE)


def test_command_writes_org_old_new_reason(tmp_path):
    (tmp_path / "scores.csv").write_text(
        "\ufefforg,score\n甲居民区,92\n乙居民区,85\n丙居民区,85\n丁居民区,70\n", encoding="utf-8"
    )
    (tmp_path / "budgets.csv").write_text(
        "org,budget\n丁居民区,20000\n丙居民区,30000\n乙居民区,30000\n甲居民区,50000\n", encoding="utf-8"
    )
    out = tmp_path / "new.csv"
    call_command(
        "projects",
        "allocate",
        "--scores",
        str(tmp_path / "scores.csv"),
        "--budgets",
        str(tmp_path / "budgets.csv"),
        "--top",
        "1",
        "--raise",
        "10",
        "--bottom",
        "1",
        "--cut",
        "10",
        "--out",
        str(out),
    )
    rows = [r.split(",")[:3] for r in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["org", "old", "new"]
    assert rows[1:] == [
        ["甲居民区", "50000.00", "55000.00"],
        ["乙居民区", "30000.00", "30000.00"],
        ["丙居民区", "30000.00", "30000.00"],
        ["丁居民区", "20000.00", "18000.00"],
    ]


def test_command_error_names_the_file_and_row_and_writes_nothing(tmp_path):
    (tmp_path / "s.csv").write_text("org,score\nA,1\nB,two\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("org,budget\nA,1\nB,2\n", encoding="utf-8")
    out = tmp_path / "new.csv"
    with pytest.raises(CommandError, match=r"s.csv row 3: score is not a number"):
        call_command(
            "projects",
            "allocate",
            "--scores",
            str(tmp_path / "s.csv"),
            "--budgets",
            str(tmp_path / "b.csv"),
            "--top",
            "1",
            "--raise",
            "10",
            "--bottom",
            "1",
            "--cut",
            "10",
            "--out",
            str(out),
        )
    assert not out.exists()


# --- the CSV parser's refusals ----------------------------------------------------------------

SCORES = "org,score\nA,1\nB,2\n"


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("1,5", r"budgets.csv row 2: budget has a comma that is not a thousands separator"),
        ("12,00", r"budgets.csv row 2: budget has a comma that is not a thousands separator"),
        ("1,000,0", r"budgets.csv row 2: budget has a comma that is not a thousands separator"),
        ("１２０００", r"budgets.csv row 2: budget has characters other than ASCII digits"),
        ("12_000", r"budgets.csv row 2: budget has an underscore"),
        ("0.005", r"budgets.csv row 2: budget has fractions of a fen"),
        ("1e26", r"budgets.csv row 2: budget is too large"),
        ("100000000000000000000000000", r"budgets.csv row 2: budget is too large"),
        ("-1", r"budgets.csv row 2: budget cannot be negative"),
        ("", r"budgets.csv row 2: budget is empty"),
        ("0x10", r"budgets.csv row 2: budget is not a number"),
    ],
)
def test_bad_budgets_are_refused_naming_the_row(budget, message):
    with pytest.raises(AllocationError, match=message):
        allocate_csv(SCORES, f'org,budget\nA,"{budget}"\nB,2\n', RULE)


def test_well_formed_thousands_groups_are_read():
    out = allocate_csv(SCORES, 'org,budget\nA,"12,000.50"\nB,"1,234,567"\n', Rule(1, D(10), 0, D(0)))
    assert "B,1234567.00,1358023.70," in out
    assert "A,12000.50,12000.50," in out


def test_full_width_and_underscore_scores_are_refused_too():
    with pytest.raises(AllocationError, match=r"scores.csv row 3: score has characters other than ASCII"):
        allocate_csv("org,score\nA,1\nB,９\n", "org,budget\nA,1\nB,2\n", RULE)
    with pytest.raises(AllocationError, match=r"scores.csv row 2: score has an underscore"):
        allocate_csv("org,score\nA,1_0\nB,9\n", "org,budget\nA,1\nB,2\n", RULE)


def test_a_header_only_file_has_no_organisations():
    with pytest.raises(AllocationError, match=r"scores.csv: no organisations"):
        allocate_csv("org,score\n", "org,budget\nA,1\n", RULE)
    with pytest.raises(AllocationError, match=r"budgets.csv: no organisations"):
        allocate_csv(SCORES, "\ufefforg,budget\n\n", RULE)


def test_a_duplicate_header_column_is_refused():
    with pytest.raises(AllocationError, match=r"scores.csv row 1: the column score appears twice"):
        allocate_csv("org,score,score\nA,1,2\nB,2,3\n", "org,budget\nA,1\nB,2\n", RULE)
    with pytest.raises(AllocationError, match=r"budgets.csv row 1: the column org appears twice"):
        allocate_csv(SCORES, "org,org,budget\nA,A,1\nB,B,2\n", RULE)


def test_a_rule_with_a_non_finite_or_huge_percentage_is_refused():
    with pytest.raises(AllocationError, match="raise is not a number"):
        Rule(1, D("NaN"), 1, D(10))
    with pytest.raises(AllocationError, match="cut is not a number"):
        Rule(1, D(10), 1, D("-Infinity"))
    with pytest.raises(AllocationError, match="raise cannot exceed"):
        Rule(1, D("1e30"), 1, D(10))


def _run(tmp_path, *extra, out=None):
    import subprocess
    import sys

    (tmp_path / "s.csv").write_text(SCORES, encoding="utf-8")
    (tmp_path / "b.csv").write_text("org,budget\nA,100\nB,200\n", encoding="utf-8")
    args = [
        "--scores",
        str(tmp_path / "s.csv"),
        "--budgets",
        str(tmp_path / "b.csv"),
        "--top",
        "1",
        "--bottom",
        "1",
        "--cut",
        "10",
        "--out",
        str(out or tmp_path / "new.csv"),
        *extra,
    ]
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", "projects", "allocate", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["nan", "abc", "inf"])
def test_command_refuses_a_bad_percentage_without_a_traceback(tmp_path, value):
    done = _run(tmp_path, "--raise", value)
    assert done.returncode == 2
    assert f"argument --raise: not a percentage: '{value}'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "new.csv").exists()


def test_command_names_a_missing_output_directory(tmp_path):
    done = _run(tmp_path, "--raise", "10", out=tmp_path / "nowhere" / "new.csv")
    assert done.returncode == 1
    assert "the directory" in done.stderr and "does not exist" in done.stderr
    assert "Traceback" not in done.stderr
