"""The tally rules against an independent, straightforward reading of the texts (hypothesis).

The oracle below counts with Fraction shares of Decimal areas and plain comparisons, the way a
person would read art. 11 and art. 278; the rules count in integer cents with cross-multiplication.
"""

from decimal import Decimal
from fractions import Fraction
from itertools import groupby

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gongzhi.deliberation import rules
from gongzhi.deliberation.rules import ABSTAIN, NO, YES, TallyInputError

# --- the oracle ----------------------------------------------------------------------------


def oracle_party(electorate: int, ballots: list[str]) -> tuple[bool, bool]:
    if electorate == 0:
        return False, False
    valid = Fraction(len(ballots), electorate) >= Fraction(1, 2)
    passed = valid and Fraction(ballots.count(YES), electorate) > Fraction(1, 2)
    return valid, passed


def oracle_owners(areas: dict[str, Decimal], votes: dict[str, str], special: bool) -> tuple[bool, bool]:
    total_area = sum(areas.values(), Decimal(0))
    voted_area = sum((areas[v] for v in votes), Decimal(0))
    if total_area == 0 or not areas:
        valid = False
    else:
        valid = Fraction(voted_area) / Fraction(total_area) >= Fraction(2, 3) and Fraction(
            len(votes), len(areas)
        ) >= Fraction(2, 3)
    if not valid or not votes:
        return valid, False
    yes = [v for v, c in votes.items() if c == YES]
    yes_area = sum((areas[v] for v in yes), Decimal(0))
    area_share = Fraction(yes_area) / Fraction(voted_area) if voted_area else Fraction(0)
    head_share = Fraction(len(yes), len(votes))
    if special:
        return valid, area_share >= Fraction(3, 4) and head_share >= Fraction(3, 4)
    return valid, area_share > Fraction(1, 2) and head_share > Fraction(1, 2)


def oracle_group(units: list[tuple[str, Decimal, str]]) -> dict[str, Decimal]:
    ordered = sorted(units, key=lambda u: u[2])
    return {
        owner: sum((u[1] for u in group), Decimal(0)) for owner, group in groupby(ordered, key=lambda u: u[2])
    }


# --- strategies ----------------------------------------------------------------------------

choices = st.sampled_from([YES, NO, ABSTAIN])
# Small whole areas make the exact boundaries (2/3, 1/2, 3/4) come up often; some get cents.
areas = st.one_of(
    st.integers(1, 6).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
)


@st.composite
def owners_votes(draw):
    n = draw(st.integers(1, 12))
    area_of = {f"o{i}": draw(areas) for i in range(n)}
    voters = draw(st.lists(st.sampled_from(sorted(area_of)), unique=True))
    return area_of, {v: draw(choices) for v in voters}


def cents(area_of: dict[str, Decimal]) -> dict[str, int]:
    return {k: rules.area_cents(v) for k, v in area_of.items()}


# --- party-member assembly -----------------------------------------------------------------


@given(st.integers(0, 40), st.data())
@settings(max_examples=300)
def test_party_assembly_matches_oracle(electorate, data):
    present = data.draw(st.integers(0, electorate))
    ballots = data.draw(st.lists(choices, min_size=present, max_size=present))
    members = [f"m{i}" for i in range(electorate)]
    result = rules.tally_party_assembly(members, dict(zip(members, ballots, strict=False)))
    assert (result.valid, result.passed) == oracle_party(electorate, ballots)
    assert result.present == present and result.yes + result.no + result.abstain == present


@pytest.mark.parametrize(
    ("electorate", "present", "yes", "valid", "passed"),
    [
        (10, 5, 5, True, False),  # exactly half present: valid (以上 includes it); 5 of 10 is not > half
        (10, 4, 4, False, False),
        (10, 6, 6, True, True),
        (11, 6, 6, True, True),  # 6 > 5.5
        (11, 5, 5, False, False),  # 5 < 5.5 present
        (10, 10, 5, True, False),  # yes is measured against the electorate, not those present
        (10, 7, 6, True, True),
        (0, 0, 0, False, False),
    ],
)
def test_party_assembly_boundaries(electorate, present, yes, valid, passed):
    result = rules.decide_party_assembly(electorate=electorate, present=present, yes=yes, no=0)
    assert (result.valid, result.passed) == (valid, passed)


def test_party_assembly_half_of_present_is_not_enough():
    # 6 of 10 present, 4 yes: more than half of those present, but not of the electorate.
    result = rules.decide_party_assembly(electorate=10, present=6, yes=4, no=2)
    assert result.valid and not result.passed


def test_party_electorate_leaves_out_probationary_and_approved_excused_members():
    members = [
        rules.PartyMemberStanding("a", True),
        rules.PartyMemberStanding("b", False),  # probationary: no vote
        rules.PartyMemberStanding("c", True, excused_approval="镇党委 2024-03 批复"),
        rules.PartyMemberStanding("d", True, excused_approval="  "),  # no recorded approval: stays
    ]
    assert rules.party_electorate(members) == {"a", "d"}


def test_party_ballot_from_outside_the_electorate_is_refused():
    with pytest.raises(TallyInputError, match="x"):
        rules.tally_party_assembly(["a"], {"x": YES})


# --- owners' joint decision ----------------------------------------------------------------


D = Decimal


@given(owners_votes(), st.booleans())
@example(({"a": D(1), "b": D(1), "c": D(1)}, {"a": YES, "b": NO}), False)  # exactly 2/3, exactly 1/2
@example(({"a": D(2), "b": D(1), "c": D(1)}, {"a": YES, "b": NO}), False)  # 3/4 of area, 2/3 heads
@example(({f"o{i}": D(1) for i in range(4)}, {"o0": YES, "o1": YES, "o2": YES, "o3": NO}), True)  # 3/4
@example(({"a": D("0.01"), "b": D("0.02")}, {"b": YES}), False)  # 2/3 of area to the cent, 1/2 heads
@example(({"a": D(2), "b": D(1), "c": D(1)}, {"a": NO, "b": YES, "c": YES}), False)  # area exactly 1/2
@settings(max_examples=500)
def test_owners_decision_matches_oracle(case, special):
    area_of, votes = case
    result = rules.tally_owners(cents(area_of), votes, special=special)
    assert (result.valid, result.passed) == oracle_owners(area_of, votes, special)


@given(owners_votes(), st.booleans())
@settings(max_examples=200)
def test_counting_non_voters_never_changes_the_as_cast_tally(case, special):
    area_of, votes = case
    plain = rules.tally_owners(cents(area_of), votes, special=special)
    both = rules.tally_owners(cents(area_of), votes, special=special, count_non_voters=True)
    assert both.as_cast == plain.as_cast
    extra = both.with_non_voters
    assert extra is not None and extra.total_owners == plain.as_cast.total_owners
    if extra.participating_owners > plain.as_cast.participating_owners:
        assert extra.participating_owners == extra.total_owners


def equal_owners(n: int) -> dict[str, int]:
    return {f"o{i}": 100_00 for i in range(n)}


@pytest.mark.parametrize(
    ("n", "voters", "valid"),
    [(3, 2, True), (6, 4, True), (6, 3, False), (9, 5, False), (9, 6, True)],
)
def test_participation_of_exactly_two_thirds_is_enough(n, voters, valid):
    votes = {f"o{i}": YES for i in range(voters)}
    assert rules.tally_owners(equal_owners(n), votes).valid is valid


def test_participation_needs_both_area_and_headcount():
    # 2 of 3 owners vote (2/3 of heads) but hold less than 2/3 of the area.
    owners = {"big": 200_00, "a": 50_00, "b": 50_00}
    assert not rules.tally_owners(owners, {"a": YES, "b": YES}).valid
    # The big owner alone holds 2/3 of the area but is 1/3 of the heads.
    assert not rules.tally_owners(owners, {"big": YES}).valid
    assert rules.tally_owners(owners, {"big": YES, "a": NO}).valid


def test_ordinary_majority_is_strictly_more_than_half():
    owners = equal_owners(4)
    half = {"o0": YES, "o1": YES, "o2": NO, "o3": NO}
    assert not rules.tally_owners(owners, half).passed
    assert rules.tally_owners(owners, half | {"o2": YES}).passed


def test_exactly_half_of_participating_area_is_not_a_majority_even_with_most_heads():
    owners = {"a": 200_00, "b": 100_00, "c": 100_00}
    assert not rules.tally_owners(owners, {"a": NO, "b": YES, "c": YES}).passed


def test_special_majority_of_exactly_three_quarters_passes():
    owners = equal_owners(4)
    assert rules.tally_owners(owners, {"o0": YES, "o1": YES, "o2": YES, "o3": NO}, special=True).passed
    assert not rules.tally_owners(owners, {"o0": YES, "o1": YES, "o2": NO, "o3": NO}, special=True).passed


def test_abstentions_count_as_participating_and_against_the_majority():
    owners = equal_owners(3)
    result = rules.tally_owners(owners, {"o0": YES, "o1": ABSTAIN, "o2": ABSTAIN})
    assert result.valid and not result.passed


def test_majority_is_of_participating_area_and_owners_not_of_all():
    owners = equal_owners(9)
    votes = {f"o{i}": YES for i in range(4)} | {"o4": NO, "o5": NO}  # 6 of 9 take part, 4 yes
    assert rules.tally_owners(owners, votes).passed


@given(st.lists(st.tuples(areas, st.sampled_from(["p1", "p2", "p3", rules.DEVELOPER])), max_size=20))
def test_grouping_matches_oracle(rows):
    units = [(f"u{i}", area, owner) for i, (area, owner) in enumerate(rows)]
    grouped = rules.group_owners(rules.Unit(u, rules.area_cents(a), o) for u, a, o in units)
    assert grouped == {k: rules.area_cents(v) for k, v in oracle_group(units).items()}


def test_buyer_of_several_units_and_developer_each_count_once():
    units = [
        rules.Unit("101", 90_00, "张三"),
        rules.Unit("102", 60_00, "张三"),
        rules.Unit("201", 80_00, rules.DEVELOPER),
        rules.Unit("202", 80_00, rules.DEVELOPER),
        rules.Unit("301", 70_00, "李四"),
    ]
    assert rules.group_owners(units) == {"张三": 150_00, rules.DEVELOPER: 160_00, "李四": 70_00}


def test_non_voters_with_the_majority_shows_both_tallies():
    owners = equal_owners(10)
    votes = {"o0": YES, "o1": YES, "o2": YES, "o3": NO}  # 4 of 10 take part: not valid as cast
    result = rules.tally_owners(owners, votes, count_non_voters=True)
    assert not result.as_cast.participation_met
    assert result.with_non_voters.participating_owners == 10 and result.with_non_voters.yes_owners == 9
    assert result.valid and result.passed
    data = result.as_dict()
    assert data["counts"]["participating_owners"] == 4 and data["counts_with_non_voters"]["yes_owners"] == 9


def test_non_voters_stay_out_when_no_side_leads_on_both_measures():
    owners = {"big": 500_00, "a": 10_00, "b": 10_00, "c": 10_00}
    result = rules.tally_owners(owners, {"big": NO, "a": YES, "b": YES}, count_non_voters=True)
    assert result.with_non_voters == result.as_cast


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234", "NaN", "Infinity"])
def test_bad_areas_are_refused(bad):
    with pytest.raises(TallyInputError):
        rules.area_cents(bad)


def test_malformed_choice_is_refused():
    with pytest.raises(TallyInputError, match="yes/no/abstain"):
        rules.tally_owners({"a": 1}, {"a": "maybe"})


# --- tick-list -----------------------------------------------------------------------------


@st.composite
def tick_lists(draw):
    candidates = [f"c{i}" for i in range(draw(st.integers(1, 6)))]
    k = draw(st.integers(1, len(candidates)))
    ballots = draw(st.lists(st.lists(st.sampled_from(candidates), unique=True, max_size=k), max_size=30))
    return candidates, k, ballots


@given(tick_lists(), st.integers(0, 10))
def test_tick_list_counts_and_ranks(case, threshold):
    candidates, k, ballots = case
    result = rules.tally_tick_list(candidates, ballots, max_ticks=k, electorate=30, threshold=threshold)
    expected = {c: sum(c in b for b in ballots) for c in candidates}
    assert {r.candidate_id: r.ticks for r in result.ranking} == expected
    for r in result.ranking:
        assert r.rank == 1 + sum(1 for v in expected.values() if v > r.ticks)
        assert r.reaches_threshold == (r.ticks >= threshold)


def test_tick_list_share_threshold_includes_the_boundary():
    result = rules.tally_tick_list(
        ["a", "b"], [["a"], ["a", "b"]], max_ticks=2, electorate=4, threshold=Fraction(1, 2)
    )
    assert [(r.candidate_id, r.ticks, r.reaches_threshold) for r in result.ranking] == [
        ("a", 2, True),
        ("b", 1, False),
    ]


@pytest.mark.parametrize(
    ("ballot", "message"),
    [(["a", "a"], "twice"), (["z"], "unknown"), (["a", "b", "c"], "at most 2")],
)
def test_malformed_tick_ballots_are_refused(ballot, message):
    with pytest.raises(TallyInputError, match=message):
        rules.check_ticks(ballot, ["a", "b", "c"], 2)
