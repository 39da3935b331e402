"""Electorate and ballot CSV files for auditors and paper-only votes (`gongzhi votes tally`).

No Django here: the files are read into the same shapes the platform's own tallies use, and every
problem names its file and row (the header is row 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

from gongzhi.deliberation import rules
from gongzhi.deliberation.rules import TallyInputError

# Paper ballots are often typed in Chinese.
CHOICE_WORDS = {
    "yes": rules.YES,
    "no": rules.NO,
    "abstain": rules.ABSTAIN,
    "同意": rules.YES,
    "赞成": rules.YES,
    "反对": rules.NO,
    "不同意": rules.NO,
    "弃权": rules.ABSTAIN,
}


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise TallyInputError(f"{path.name}: missing column(s) {', '.join(missing)}")
            return [
                (n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, 2)
            ]
    except (OSError, UnicodeDecodeError) as exc:
        raise TallyInputError(f"{path.name}: cannot read ({exc})") from None


def read_owner_electorate(path: Path) -> dict[str, int]:
    """voter_id,area[,unit] → owner → area in cents. With a `unit` column one owner may hold
    several units (their areas add up); without it a repeated voter_id is an error."""
    units: list[rules.Unit] = []
    seen: dict[str, int] = {}
    for number, row in _rows(path, ("voter_id", "area")):
        voter, unit = row["voter_id"], row.get("unit", "")
        if not voter:
            raise TallyInputError(f"{path.name} row {number}: empty voter_id")
        key = f"{voter}\x00{unit}" if "unit" in row else voter
        if key in seen:
            what = f"voter {voter!r} unit {unit!r}" if "unit" in row else f"voter {voter!r}"
            raise TallyInputError(f"{path.name} row {number}: duplicate {what} (first on row {seen[key]})")
        seen[key] = number
        try:
            area = rules.area_cents(row["area"])
        except TallyInputError as exc:
            raise TallyInputError(f"{path.name} row {number}: {exc}") from None
        units.append(rules.Unit(key, area, voter))
    return rules.group_owners(units)


def read_member_electorate(path: Path) -> list[str]:
    """voter_id[,area]: the members with voting rights due to attend; area is ignored."""
    seen: dict[str, int] = {}
    for number, row in _rows(path, ("voter_id",)):
        voter = row["voter_id"]
        if not voter:
            raise TallyInputError(f"{path.name} row {number}: empty voter_id")
        if voter in seen:
            raise TallyInputError(
                f"{path.name} row {number}: duplicate voter {voter!r} (first on row {seen[voter]})"
            )
        seen[voter] = number
    return list(seen)


def read_ballots(path: Path, electorate: set[str]) -> dict[str, str]:
    """voter_id,choice → voter → yes/no/abstain; unknown voters and second ballots are errors."""
    ballots: dict[str, str] = {}
    rows_of: dict[str, int] = {}
    for number, row in _rows(path, ("voter_id", "choice")):
        voter = row["voter_id"]
        if voter not in electorate:
            raise TallyInputError(f"{path.name} row {number}: voter {voter!r} is not in the electorate")
        if voter in ballots:
            raise TallyInputError(
                f"{path.name} row {number}: second ballot of voter {voter!r} (first on row {rows_of[voter]})"
            )
        choice = CHOICE_WORDS.get(row["choice"].lower())
        if choice is None:
            raise TallyInputError(
                f"{path.name} row {number}: choice {row['choice']!r} is not yes, no or abstain"
            )
        ballots[voter], rows_of[voter] = choice, number
    return ballots


def tally_files(
    rule: str, electorate_path: Path, ballots_path: Path, *, count_non_voters: bool = False
) -> dict:
    """The JSON-ready result of one rule on one electorate file and one ballot file."""
    if rule == rules.PARTY_ASSEMBLY:
        members = read_member_electorate(electorate_path)
        ballots = read_ballots(ballots_path, set(members))
        return rules.tally_party_assembly(members, ballots).as_dict()
    if rule in (rules.OWNERS_278, rules.OWNERS_278_SPECIAL):
        owners = read_owner_electorate(electorate_path)
        ballots = read_ballots(ballots_path, set(owners))
        result = rules.tally_owners(
            owners, ballots, special=rule == rules.OWNERS_278_SPECIAL, count_non_voters=count_non_voters
        )
        return result.as_dict()
    raise TallyInputError(f"unknown rule {rule!r}")
