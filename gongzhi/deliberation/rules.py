"""Tally rules of the platform's votes. Pure functions, no Django: the platform, the `votes` command
and the tests all count with these.

Every threshold is compared with exact integer arithmetic (areas in hundredths of a square metre,
shares by cross-multiplication), never with floats. In Chinese legal drafting "以上" includes the
number itself (≥) and "过半数" / "超过半数" means strictly more than half (>). Sources are in
docs/deliberation.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
CHOICES = (YES, NO, ABSTAIN)

PARTY_ASSEMBLY = "party-assembly"
OWNERS_278 = "owners-278"
OWNERS_278_SPECIAL = "owners-278-special"
TICK_LIST = "tick-list"
RULES = (PARTY_ASSEMBLY, OWNERS_278, OWNERS_278_SPECIAL, TICK_LIST)

# Civil Code art. 278 items (6)-(8) need the three-quarters majority; all others the simple one.
SPECIAL_ITEMS = frozenset({6, 7, 8})
DEVELOPER = "developer"


class TallyInputError(ValueError):
    """An electorate or ballot that the rules cannot count; the message names what is wrong."""


def area_cents(value: object) -> int:
    """An area in m² as exact hundredths; refuses negatives, NaN and more than two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise TallyInputError(f"area is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise TallyInputError(f"area must be a non-negative number: {value!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise TallyInputError(f"area has more than two decimals: {value!r}")
    return int(cents)


def at_least(part: int, whole: int, share: Fraction) -> bool:
    """part ≥ share × whole ("以上" includes the boundary)."""
    return part * share.denominator >= whole * share.numerator


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """part > share × whole ("过半数": strictly more)."""
    return part * share.denominator > whole * share.numerator


HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)


def check_choice(choice: str) -> str:
    if choice not in CHOICES:
        raise TallyInputError(f"choice must be one of yes/no/abstain, not {choice!r}")
    return choice


# --- Party-member assembly (支部工作条例 art. 11) -------------------------------------------


@dataclass(frozen=True)
class PartyMemberStanding:
    """A member of the organisation as the assembly sees them."""

    member_id: str
    full_member: bool  # probationary members (预备党员) have no vote
    excused_approval: str = ""  # the higher organisation's recorded approval; empty = not excused


def party_electorate(members: Iterable[PartyMemberStanding]) -> frozenset[str]:
    """Members with voting rights due to attend: full members not excused with recorded approval."""
    return frozenset(m.member_id for m in members if m.full_member and not m.excused_approval.strip())


@dataclass(frozen=True)
class PartyAssemblyResult:
    rule: str
    electorate: int
    present: int
    yes: int
    no: int
    abstain: int
    valid: bool
    passed: bool
    quorum: str = "present >= 1/2 of electorate"
    majority: str = "yes > 1/2 of electorate"

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def decide_party_assembly(*, electorate: int, present: int, yes: int, no: int) -> PartyAssemblyResult:
    """ "半数以上有表决权的党员到会方可进行，赞成人数超过应到会有表决权的党员的半数为通过"."""
    if not 0 <= yes + no <= present <= electorate:
        raise TallyInputError("counts must satisfy 0 <= yes + no <= present <= electorate")
    valid = electorate > 0 and at_least(present, electorate, HALF)
    passed = valid and more_than(yes, electorate, HALF)
    return PartyAssemblyResult(
        PARTY_ASSEMBLY, electorate, present, yes, no, present - yes - no, valid, passed
    )


def tally_party_assembly(electorate: Iterable[str], ballots: Mapping[str, str]) -> PartyAssemblyResult:
    """A ballot from a member means the member attended; abstaining members count as present."""
    voters = frozenset(electorate)
    unknown = sorted(set(ballots) - voters)
    if unknown:
        raise TallyInputError(f"not in the electorate: {', '.join(unknown)}")
    choices = [check_choice(c) for c in ballots.values()]
    return decide_party_assembly(
        electorate=len(voters), present=len(choices), yes=choices.count(YES), no=choices.count(NO)
    )


# --- Owners' joint decision (Civil Code art. 278) -------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One exclusive part (专有部分) and who owns it; area from the register, survey or contract."""

    unit_id: str
    area_cents: int
    owner_id: str  # the buyer; DEVELOPER for units unsold or sold but not yet handed over


def group_owners(units: Iterable[Unit]) -> dict[str, int]:
    """Owner → exclusive area (cents). One unit is one owner, but one buyer of several units and
    the developer's unsold units each count as one owner with all their area (SPC interp. art. 9).
    """
    owners: dict[str, int] = {}
    seen: set[str] = set()
    for unit in units:
        if unit.unit_id in seen:
            raise TallyInputError(f"unit listed twice: {unit.unit_id}")
        seen.add(unit.unit_id)
        owners[unit.owner_id] = owners.get(unit.owner_id, 0) + unit.area_cents
    return owners


@dataclass(frozen=True)
class OwnerBallot:
    """A cast ballot as the count needs it: the owner's area and the choice, no identity."""

    area_cents: int
    choice: str


@dataclass(frozen=True)
class OwnersTally:
    """One count: totals of the electorate, of participants and of each choice."""

    total_area_cents: int
    total_owners: int
    participating_area_cents: int
    participating_owners: int
    yes_area_cents: int
    yes_owners: int
    no_area_cents: int
    no_owners: int
    abstain_area_cents: int
    abstain_owners: int
    participation_met: bool
    passed: bool

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        for key in [k for k in data if k.endswith("_area_cents")]:
            data[key.removesuffix("_cents")] = str((Decimal(data.pop(key)) / 100).quantize(Decimal("0.01")))
        return data


@dataclass(frozen=True)
class OwnersResult:
    rule: str
    valid: bool
    passed: bool
    as_cast: OwnersTally
    # Only when the compound's own rules count non-voters with the majority (courts differ).
    with_non_voters: OwnersTally | None = None
    participation: str = "participating area >= 2/3 of total AND participating owners >= 2/3 of owners"
    majority: str = ""

    def as_dict(self) -> dict:
        data = {
            "rule": self.rule,
            "valid": self.valid,
            "passed": self.passed,
            "participation": self.participation,
            "majority": self.majority,
            "counts": self.as_cast.as_dict(),
        }
        if self.with_non_voters is not None:
            data["counts_with_non_voters"] = self.with_non_voters.as_dict()
        return data


def _owners_passed(yes_area: int, yes_owners: int, area: int, owners: int, special: bool) -> bool:
    if special:
        # "参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意"
        return at_least(yes_area, area, THREE_QUARTERS) and at_least(yes_owners, owners, THREE_QUARTERS)
    # "参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意"
    return more_than(yes_area, area, HALF) and more_than(yes_owners, owners, HALF)


def _sums(ballots: Sequence[OwnerBallot]) -> dict[str, list[int]]:
    """Choice → [area cents, owners]."""
    sums = {c: [0, 0] for c in CHOICES}
    for ballot in ballots:
        sums[check_choice(ballot.choice)][0] += ballot.area_cents
        sums[ballot.choice][1] += 1
    return sums


def _owners_tally(total_area: int, total_owners: int, sums: dict[str, list[int]], special: bool):
    area = sum(s[0] for s in sums.values())
    owners = sum(s[1] for s in sums.values())
    participation = at_least(area, total_area, TWO_THIRDS) and at_least(owners, total_owners, TWO_THIRDS)
    passed = participation and owners > 0 and _owners_passed(*sums[YES], area, owners, special)
    return OwnersTally(
        total_area, total_owners, area, owners, *sums[YES], *sums[NO], *sums[ABSTAIN], participation, passed
    )


def cast_majority(sums: dict[str, list[int]]) -> str | None:
    """The side ahead among cast ballots by both area and headcount, if one is."""
    (yes_area, yes_owners), (no_area, no_owners) = sums[YES], sums[NO]
    if yes_area > no_area and yes_owners > no_owners:
        return YES
    if no_area > yes_area and no_owners > yes_owners:
        return NO
    return None


def decide_owners(
    *,
    total_area_cents: int,
    total_owners: int,
    ballots: Sequence[OwnerBallot],
    special: bool = False,
    count_non_voters: bool = False,
) -> OwnersResult:
    """Art. 278 para. 2 on already grouped owners. `ballots` hold one entry per participating owner."""
    if len(ballots) > total_owners or sum(b.area_cents for b in ballots) > total_area_cents:
        raise TallyInputError("more ballots or area cast than the electorate holds")
    rule = OWNERS_278_SPECIAL if special else OWNERS_278
    majority = (
        "yes >= 3/4 of participating area AND yes >= 3/4 of participating owners"
        if special
        else "yes > 1/2 of participating area AND yes > 1/2 of participating owners"
    )
    sums = _sums(ballots)
    as_cast = _owners_tally(total_area_cents, total_owners, sums, special)
    if not count_non_voters:
        return OwnersResult(rule, as_cast.participation_met, as_cast.passed, as_cast, majority=majority)
    side = cast_majority(sums)
    if side is not None:
        # The compound's own rule: owners who did not vote are counted with the majority.
        sums[side][0] += total_area_cents - as_cast.participating_area_cents
        sums[side][1] += total_owners - as_cast.participating_owners
    counted = _owners_tally(total_area_cents, total_owners, sums, special)
    return OwnersResult(rule, counted.participation_met, counted.passed, as_cast, counted, majority=majority)


def tally_owners(
    owners: Mapping[str, int],
    ballots: Mapping[str, str],
    *,
    special: bool = False,
    count_non_voters: bool = False,
) -> OwnersResult:
    """Owners' joint decision from owner → area (cents) and owner → choice; one ballot an owner."""
    unknown = sorted(set(ballots) - set(owners))
    if unknown:
        raise TallyInputError(f"not in the electorate: {', '.join(unknown)}")
    cast = [OwnerBallot(owners[voter], check_choice(choice)) for voter, choice in ballots.items()]
    return decide_owners(
        total_area_cents=sum(owners.values()),
        total_owners=len(owners),
        ballots=cast,
        special=special,
        count_non_voters=count_non_voters,
    )


# --- Resident tick-list (居民打钩) ------------------------------------------------------------


@dataclass(frozen=True)
class RankedCandidate:
    candidate_id: str
    ticks: int
    rank: int  # competition ranking: equal counts share a rank ("1, 2, 2, 4")
    reaches_threshold: bool


@dataclass(frozen=True)
class TickListResult:
    rule: str
    electorate: int
    ballots: int
    max_ticks: int
    threshold: str
    ranking: list[RankedCandidate] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["ranking"] = [dict(r.__dict__) for r in self.ranking]
        return data


def check_ticks(ticks: Iterable[str], candidates: Sequence[str], max_ticks: int) -> frozenset[str]:
    """A tick-list ballot: distinct known candidates, at most `max_ticks` of them."""
    ticked = list(ticks)
    if len(set(ticked)) != len(ticked):
        raise TallyInputError("a candidate is ticked twice")
    unknown = sorted(set(ticked) - set(candidates))
    if unknown:
        raise TallyInputError(f"unknown candidates: {', '.join(unknown)}")
    if len(ticked) > max_ticks:
        raise TallyInputError(f"at most {max_ticks} ticks, got {len(ticked)}")
    return frozenset(ticked)


def reaches(ticks: int, threshold: int | Fraction, electorate: int) -> bool:
    """An int threshold is a count of supporters; a Fraction is a share of the electorate (≥)."""
    if isinstance(threshold, Fraction):
        return at_least(ticks, electorate, threshold)
    return ticks >= threshold


def tally_tick_list(
    candidates: Sequence[str],
    ballots: Iterable[Iterable[str]],
    *,
    max_ticks: int,
    electorate: int,
    threshold: int | Fraction = 0,
) -> TickListResult:
    """Ranking by ticks, ties broken by the candidates' listed order; who reaches the threshold."""
    if not 1 <= max_ticks <= len(candidates):
        raise TallyInputError("max_ticks must be between 1 and the number of candidates")
    counts = dict.fromkeys(candidates, 0)
    cast = 0
    for ballot in ballots:
        for candidate in check_ticks(ballot, candidates, max_ticks):
            counts[candidate] += 1
        cast += 1
    if cast > electorate:
        raise TallyInputError("more ballots than the electorate holds")
    order = sorted(candidates, key=lambda c: -counts[c])  # stable: listed order breaks ties
    ranking = []
    for position, candidate in enumerate(order, start=1):
        tied_above = ranking and ranking[-1].ticks == counts[candidate]
        rank = ranking[-1].rank if tied_above else position
        ranking.append(
            RankedCandidate(
                candidate, counts[candidate], rank, reaches(counts[candidate], threshold, electorate)
            )
        )
    return TickListResult(TICK_LIST, electorate, cast, max_ticks, str(threshold), ranking)
