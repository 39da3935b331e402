"""`gongzhi votes tally`: JSON for auditors, and errors that name the row."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def tally(tmp_path, rule, electorate, ballots, *extra) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(
        "votes",
        "tally",
        "--rule",
        rule,
        "--electorate",
        write(tmp_path, "electorate.csv", electorate),
        "--ballots",
        write(tmp_path, "ballots.csv", ballots),
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


OWNERS = "voter_id,area\n101,90.5\n102,60\n201,80.25\n202,80\n"


def test_owners_ordinary_vote_prints_validity_passing_and_counts(tmp_path):
    result = tally(tmp_path, "owners-278", OWNERS, "voter_id,choice\n101,yes\n102,yes\n201,no\n")
    assert result["valid"] is True and result["passed"] is True
    counts = result["counts"]
    assert counts["total_owners"] == 4 and counts["total_area"] == "310.75"
    assert counts["participating_owners"] == 3 and counts["participating_area"] == "230.75"
    assert counts["yes_owners"] == 2 and counts["yes_area"] == "150.50"


def test_owners_special_vote_needs_three_quarters(tmp_path):
    result = tally(tmp_path, "owners-278-special", OWNERS, "voter_id,choice\n101,yes\n102,yes\n201,no\n")
    assert result["valid"] is True and result["passed"] is False
    assert result["rule"] == "owners-278-special"


def test_units_of_one_owner_add_up_when_a_unit_column_is_given(tmp_path):
    electorate = "voter_id,area,unit\n张三,90,101\n张三,60,102\n李四,70,201\n"
    result = tally(tmp_path, "owners-278", electorate, "voter_id,choice\n张三,同意\n李四,反对\n")
    assert result["counts"]["total_owners"] == 2 and result["counts"]["yes_area"] == "150.00"


def test_count_non_voters_shows_both_tallies(tmp_path):
    electorate = "voter_id,area\n" + "".join(f"o{i},100\n" for i in range(10))
    result = tally(
        tmp_path, "owners-278", electorate, "voter_id,choice\no0,yes\no1,yes\no2,no\n", "--count-non-voters"
    )
    assert result["counts"]["participating_owners"] == 3
    assert result["counts_with_non_voters"]["yes_owners"] == 9
    assert result["valid"] is True and result["passed"] is True


def test_party_assembly_counts_attendance_from_ballot_rows(tmp_path):
    electorate = "voter_id,area\n" + "".join(f"m{i},\n" for i in range(10))
    ballots = "voter_id,choice\nm0,yes\nm1,yes\nm2,yes\nm3,yes\nm4,abstain\n"
    result = tally(tmp_path, "party-assembly", electorate, ballots)
    assert (result["electorate"], result["present"], result["yes"]) == (10, 5, 4)
    assert result["valid"] is True and result["passed"] is False


@pytest.mark.parametrize(
    ("electorate", "ballots", "message"),
    [
        (
            OWNERS,
            "voter_id,choice\n101,yes\n999,no\n",
            "ballots.csv row 3: voter '999' is not in the electorate",
        ),
        (OWNERS, "voter_id,choice\n101,yes\n101,no\n", "ballots.csv row 3: second ballot of voter '101'"),
        (OWNERS + "102,50\n", "voter_id,choice\n", "electorate.csv row 6: duplicate voter '102'"),
        (OWNERS, "voter_id,choice\n101,maybe\n", "ballots.csv row 2: choice 'maybe'"),
        ("voter_id,area\n101,-3\n", "voter_id,choice\n", "electorate.csv row 2: area must be"),
        ("voter_id\n101\n", "voter_id,choice\n", "electorate.csv: missing column(s) area"),
        (OWNERS, "voter,choice\n", "ballots.csv: missing column(s) voter_id"),
    ],
)
def test_bad_files_are_errors_naming_the_row(tmp_path, electorate, ballots, message):
    with pytest.raises(CommandError) as error:
        tally(tmp_path, "owners-278", electorate, ballots)
    assert message in str(error.value)


def test_command_line_exits_non_zero_on_an_unknown_voter(tmp_path):
    args = [
        str(Path(sys.executable).parent / "gongzhi"),
        "votes",
        "tally",
        "--rule",
        "party-assembly",
        "--electorate",
        write(tmp_path, "e.csv", "voter_id,area\nm1,\n"),
        "--ballots",
        write(tmp_path, "b.csv", "voter_id,choice\nm2,yes\n"),
    ]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert "b.csv row 2: voter 'm2' is not in the electorate" in done.stderr
