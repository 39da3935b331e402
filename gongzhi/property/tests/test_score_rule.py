"""The score rule against an independent implementation written here, and its error cases."""

import csv
import io
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.property import scoring

ROOT = Path(__file__).resolve().parents[3]


# --- An independent implementation: straight from the text ---------------------------


def reference(compounds, metrics, rules):
    """compounds: [(id, nb, households)], metrics: {(id, metric): Fraction}, rules: [(m, w, d, worst, best)]."""
    out = []
    own = {}
    for cid, _nb, _h in compounds:
        top = Fraction(0)
        for metric, weight, direction, worst, best in rules:
            value = metrics[(cid, metric)]
            if direction == "higher":
                p = (value - worst) / (best - worst)
            else:
                p = (worst - value) / (worst - best)
            p = sorted([Fraction(0), p, Fraction(1)])[1] * 100
            top += weight * p
        own[cid] = top / sum(r[1] for r in rules)
        out.append(("compound", cid, own[cid]))
    for nb in dict.fromkeys(n for _c, n, _h in compounds):
        members = [(own[c], h) for c, n, h in compounds if n == nb]
        out.append(("neighborhood", nb, sum(s * h for s, h in members) / sum(h for _s, h in members)))
    return [(level, name, half_up(value)) for level, name, value in out]


def half_up(value: Fraction) -> str:
    """Round half up to 2 decimals by integer arithmetic on 1000ths."""
    thousandths = (value * 1000).numerator // (value * 1000).denominator
    cents, last = divmod(thousandths, 10)
    if last >= 5:  # at or past the half of a cent
        cents += 1
    return f"{cents // 100}.{cents % 100:02d}"


def as_csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def inputs(draw):
    n_rules = draw(st.integers(1, 4))
    rules = []
    for i in range(n_rules):
        worst, best = draw(decimals), draw(decimals)
        if worst == best:
            best = worst + 1
        weight = draw(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))
        rules.append((f"m{i}", weight, draw(st.sampled_from(["higher", "lower"])), worst, best))
    n = draw(st.integers(1, 6))
    compounds = [(f"c{i}", f"n{draw(st.integers(0, 2))}", draw(st.integers(1, 2000))) for i in range(n)]
    metrics = {(c, r[0]): draw(decimals) for c, _n, _h in compounds for r in rules}
    return compounds, metrics, rules


def run(compounds, metrics, rules) -> list[tuple[str, str, str]]:
    text = scoring.score_files(
        as_csv(["compound", "neighborhood", "households"], compounds),
        as_csv(["compound", "metric", "value"], [(c, m, v) for (c, m), v in metrics.items()]),
        as_csv(["metric", "weight", "direction", "worst", "best"], rules),
    )
    return [tuple(row) for row in list(csv.reader(io.StringIO(text)))[1:]]


def fractions(metrics, rules):
    fm = {k: Fraction(v) for k, v in metrics.items()}
    fr = [(m, Fraction(w), d, Fraction(a), Fraction(b)) for m, w, d, a, b in rules]
    return fm, fr


@settings(max_examples=150, deadline=None)
@given(inputs())
def test_the_scores_equal_an_independent_implementation(case):
    compounds, metrics, rules = case
    assert run(compounds, metrics, rules) == reference(compounds, *fractions(metrics, rules))


@settings(max_examples=60, deadline=None)
@given(inputs(), st.data())
def test_a_value_nearer_best_never_lowers_a_compounds_score(case, data):
    compounds, metrics, rules = case
    # Both formulas are one line through (worst, 0) and (best, 100): better means towards `best`.
    metric, _w, _direction, worst, best = data.draw(st.sampled_from(rules))
    cid = compounds[0][0]
    better = dict(metrics)
    step = data.draw(st.decimals(min_value=0, max_value=500, places=2))
    better[(cid, metric)] = metrics[(cid, metric)] + (step if best > worst else -step)
    rows = [scoring.CompoundRow(c, n, h) for c, n, h in compounds]
    before = scoring.score_all(rows, _by_compound(*fractions(metrics, rules)), _rules(rules))[0][cid]
    after = scoring.score_all(rows, _by_compound(*fractions(better, rules)), _rules(rules))[0][cid]
    assert after >= before


@settings(max_examples=60, deadline=None)
@given(inputs())
def test_scores_stay_between_0_and_100_and_the_weights_sum_exactly(case):
    compounds, metrics, rules = case
    rows = [scoring.CompoundRow(c, n, h) for c, n, h in compounds]
    by_compound, by_neighborhood = scoring.score_all(
        rows, _by_compound(*fractions(metrics, rules)), _rules(rules)
    )
    assert all(0 <= s <= 100 for s in [*by_compound.values(), *by_neighborhood.values()])
    at_best = {(c, r[0]): r[4] for c, _n, _h in compounds for r in rules}
    assert {s for _l, _i, s in run(compounds, at_best, rules)} == {"100.00"}


def _by_compound(metrics, _rules_unused):
    found: dict = {}
    for (c, m), v in metrics.items():
        found.setdefault(c, {})[m] = v
    return found


def _rules(rules):
    return [scoring.Rule(m, Fraction(w), d, Fraction(a), Fraction(b)) for m, w, d, a, b in rules]


def test_ties_score_the_same_and_an_exact_half_rounds_up():
    compounds = [("甲", "n", 1), ("乙", "n", 1)]
    rules = [("rate", Decimal(1), "higher", Decimal(0), Decimal(1000))]
    metrics = {("甲", "rate"): Decimal("0.125"), ("乙", "rate"): Decimal("0.125")}
    # 0.125 / 1000 × 100 = 0.0125 → 0.01; the exact half 0.005 needs value 0.05
    assert run(compounds, metrics, rules)[:2] == [("compound", "甲", "0.01"), ("compound", "乙", "0.01")]
    metrics = {("甲", "rate"): Decimal("0.05"), ("乙", "rate"): Decimal("0.05")}
    assert [r[2] for r in run(compounds, metrics, rules)] == ["0.01", "0.01", "0.01"]


def test_a_neighborhood_is_weighted_by_households():
    compounds = [("甲", "n", 300), ("乙", "n", 100)]
    rules = [("rate", Decimal(1), "higher", Decimal(0), Decimal(100))]
    metrics = {("甲", "rate"): Decimal(100), ("乙", "rate"): Decimal(0)}
    assert run(compounds, metrics, rules)[-1] == ("neighborhood", "n", "75.00")


# --- Errors name the file and row -------------------------------------------------------------

GOOD_COMPOUNDS = "compound,neighborhood,households\n甲,一村,100\n乙,一村,50\n"
GOOD_METRICS = "compound,metric,value\n甲,rate,90\n乙,rate,80\n"
GOOD_RULES = "metric,weight,direction,worst,best\nrate,1,higher,50,100\n"


@pytest.mark.parametrize(
    ("compounds", "metrics", "rules", "message"),
    [
        (
            GOOD_COMPOUNDS,
            "compound,metric,value\n甲,rate,90\n",
            GOOD_RULES,
            "compounds.csv, row 3: compound '乙' has no value of rate",
        ),
        (
            GOOD_COMPOUNDS,
            GOOD_METRICS + "丙,rate,1\n",
            GOOD_RULES,
            "metrics.csv, row 4: unknown compound '丙'",
        ),
        (
            GOOD_COMPOUNDS + "甲,二村,5\n",
            GOOD_METRICS,
            GOOD_RULES,
            "compounds.csv, row 4: duplicate compound '甲'",
        ),
        (
            GOOD_COMPOUNDS,
            GOOD_METRICS + "甲,rate,91\n",
            GOOD_RULES,
            "metrics.csv, row 4: duplicate value of 'rate'",
        ),
        (GOOD_COMPOUNDS, GOOD_METRICS, GOOD_RULES + "rate,2,lower,1,0\n", "rules.csv, row 3: duplicate rule"),
        (
            GOOD_COMPOUNDS,
            "compound,metric,value\n甲,rate,九十\n乙,rate,1\n",
            GOOD_RULES,
            "metrics.csv, row 2: value is not a number",
        ),
        (
            GOOD_COMPOUNDS,
            GOOD_METRICS,
            "metric,weight,direction,worst,best\nrate,x,higher,0,1\n",
            "rules.csv, row 2: weight is not a number",
        ),
        (
            "compound,neighborhood,households\n甲,一村,many\n",
            GOOD_METRICS,
            GOOD_RULES,
            "compounds.csv, row 2: households",
        ),
        (
            GOOD_COMPOUNDS,
            GOOD_METRICS,
            "metric,weight,direction,worst,best\nrate,1,higher,5,5\n",
            "rules.csv, row 2: worst and best must differ",
        ),
        (
            GOOD_COMPOUNDS,
            GOOD_METRICS,
            "metric,weight,direction,worst,best\nrate,1,up,0,1\n",
            "rules.csv, row 2: direction must be higher or lower",
        ),
        ("compound,households\n甲,1\n", GOOD_METRICS, GOOD_RULES, "compounds.csv, row 1: the header must be"),
    ],
)
def test_bad_input_names_the_file_and_row(compounds, metrics, rules, message):
    with pytest.raises(scoring.ScoreInputError) as caught:
        scoring.score_files(compounds, metrics, rules)
    assert message in str(caught.value)


def _files(tmp_path, compounds=GOOD_COMPOUNDS, metrics=GOOD_METRICS, rules=GOOD_RULES) -> dict:
    paths = {}
    for name, text in (("compounds", compounds), ("metrics", metrics), ("rules", rules)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    paths["out"] = tmp_path / "scores.csv"
    return {k: str(v) for k, v in paths.items()}


def test_the_command_writes_scores(tmp_path):
    files = _files(tmp_path)
    call_command("property", "score", *[f"--{k}={v}" for k, v in files.items()])
    assert Path(files["out"]).read_text(encoding="utf-8") == (
        "level,id,score\ncompound,甲,80.00\ncompound,乙,60.00\nneighborhood,一村,73.33\n"
    )


def test_the_command_refuses_bad_input_with_exit_2(tmp_path):
    files = _files(tmp_path, rules="metric,weight,direction,worst,best\nrate,1,sideways,0,1\n")
    with pytest.raises(CommandError) as caught:
        call_command("property", "score", *[f"--{k}={v}" for k, v in files.items()])
    assert caught.value.returncode == 2
    assert not Path(files["out"]).exists()


def test_the_gongzhi_command_line_exits_2_without_a_traceback(tmp_path):
    files = _files(tmp_path, metrics="compound,metric,value\n甲,rate,90\n")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gongzhi.cli import main; main()",
            "property",
            "score",
            *[f"--{k}={v}" for k, v in files.items()],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:////tmp/property-cli.sqlite3"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "compounds.csv, row 3" in done.stderr
