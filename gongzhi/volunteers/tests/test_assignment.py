"""The assignment engine's rules, stated as properties over random towns."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.volunteers.assignment import (
    Need,
    Placement,
    Plan,
    Post,
    Rules,
    Shift,
    Volunteer,
    assign,
    assign_exact,
    most_fillable,
    plan_cost,
    reassign,
    violations,
)

SKILLS = ("medical", "driving")
RULES = Rules(min_rest_minutes=480, extra_shift_penalty_m=3000)
# Three relay shifts plus one that overlaps the first two.
SHIFTS = [Shift(0, 0, 480), Shift(1, 480, 960), Shift(2, 960, 1440), Shift(3, 240, 720)]

coordinate = st.floats(min_value=0, max_value=0.05, allow_nan=False)


@st.composite
def towns(draw, max_volunteers: int = 25):
    n_posts = draw(st.integers(1, 4))
    posts = [Post(i, 31.3 + draw(coordinate), 121.4 + draw(coordinate)) for i in range(n_posts)]
    volunteers = [
        Volunteer(
            i,
            31.3 + draw(coordinate),
            121.4 + draw(coordinate),
            frozenset(draw(st.sets(st.sampled_from(SKILLS)))),
            draw(st.integers(1, 3)),
            draw(st.none() | st.frozensets(st.sampled_from([s.id for s in SHIFTS]))),
        )
        for i in range(draw(st.integers(0, max_volunteers)))
    ]
    needs = [
        Need(p.id, s.id, draw(st.integers(0, 4)), draw(st.sampled_from((None, *SKILLS))))
        for p in posts
        for s in SHIFTS
        if draw(st.booleans())
    ]
    return volunteers, posts, needs


@settings(max_examples=150, deadline=None)
@given(towns())
def test_plan_never_overfills_skips_skills_double_books_or_cuts_rest(town):
    volunteers, posts, needs = town
    plan = assign(volunteers, posts, SHIFTS, needs, RULES)
    assert violations(plan, volunteers, SHIFTS, needs, RULES) == []


@settings(max_examples=150, deadline=None)
@given(towns(), st.data())
def test_reassignment_moves_only_the_dropped_volunteers_places(town, data):
    volunteers, posts, needs = town
    plan = assign(volunteers, posts, SHIFTS, needs, RULES)
    if not plan.placements:
        return
    dropped = data.draw(st.sampled_from(sorted({p.volunteer_id for p in plan.placements})))
    after = reassign(plan, dropped, volunteers, posts, SHIFTS, needs, RULES)
    others_before = [p for p in plan.placements if p.volunteer_id != dropped]
    assert set(others_before) <= set(after.placements)
    assert dropped not in {p.volunteer_id for p in after.placements}
    newcomers = [p for p in after.placements if p not in set(others_before)]
    freed = [p for p in plan.placements if p.volunteer_id == dropped]
    assert len(newcomers) <= len(freed)
    assert violations(after, volunteers, SHIFTS, needs, RULES) == []


@settings(max_examples=40, deadline=None)
@given(towns(max_volunteers=12))
def test_plan_covers_as_much_as_the_exact_optimum_allows_and_costs_no_less(town):
    volunteers, posts, needs = town
    fast = plan_cost(assign(volunteers, posts, SHIFTS, needs, RULES), volunteers, posts, needs)
    exact_plan = assign_exact(volunteers, posts, SHIFTS, needs, RULES)
    assert violations(exact_plan, volunteers, SHIFTS, needs, RULES) == []
    exact = plan_cost(exact_plan, volunteers, posts, needs)
    assert exact.total(RULES) <= fast.total(RULES) + 1e-3


@settings(max_examples=150, deadline=None)
@given(towns(max_volunteers=14))
def test_plan_fills_as_many_places_as_the_exact_optimum_when_people_are_short(town):
    volunteers, posts, needs = town
    fast = plan_cost(assign(volunteers, posts, SHIFTS, needs, RULES), volunteers, posts, needs)
    exact = plan_cost(assign_exact(volunteers, posts, SHIFTS, needs, RULES), volunteers, posts, needs)
    assert fast.uncovered == exact.uncovered


def test_two_shift_volunteer_pairs_early_and_night_so_the_one_shift_volunteer_takes_the_day():
    # Shift by shift, the nearer one-shift volunteer would take the early shift, the two-shift
    # volunteer the day, and the night would stay open.
    post = Post(1, 31.30, 121.40)
    one_shift = Volunteer(1, 31.30, 121.40, max_shifts=1)
    two_shifts = Volunteer(2, 31.32, 121.42, max_shifts=2)
    needs = [Need(1, 0, 1), Need(1, 1, 1), Need(1, 2, 1)]
    plan = assign([one_shift, two_shifts], [post], SHIFTS[:3], needs, RULES)
    assert sorted((p.volunteer_id, p.shift_id) for p in plan.placements) == [(1, 1), (2, 0), (2, 2)]


def test_volunteer_is_placed_only_in_shifts_they_are_available_for():
    post = Post(1, 31.30, 121.40)
    nights_only = Volunteer(1, 31.30, 121.40, available=frozenset({2}))
    plan = assign([nights_only], [post], SHIFTS[:3], [Need(1, 0, 1), Need(1, 2, 1)], RULES)
    assert plan.placements == [Placement(1, 1, 2, None)]
    wrong = Plan([Placement(1, 1, 0, None)])
    assert violations(wrong, [nights_only], SHIFTS, [Need(1, 0, 1)], RULES) == [
        "volunteer 1 is not available for shift 0"
    ]


def test_skilled_place_goes_to_the_volunteer_with_the_skill_even_if_farther():
    post = Post(1, 31.30, 121.40)
    near = Volunteer(1, 31.30, 121.40)
    far_doctor = Volunteer(2, 31.33, 121.43, frozenset({"medical"}))
    plan = assign([near, far_doctor], [post], [SHIFTS[0]], [Need(1, 0, 1, "medical")], RULES)
    assert plan.placements == [Placement(2, 1, 0, "medical")]


def test_nearest_volunteer_takes_the_place():
    post = Post(1, 31.30, 121.40)
    volunteers = [Volunteer(1, 31.35, 121.45), Volunteer(2, 31.301, 121.401)]
    plan = assign(volunteers, [post], [SHIFTS[0]], [Need(1, 0, 1)], RULES)
    assert [p.volunteer_id for p in plan.placements] == [2]


def test_load_is_spread_before_anyone_works_a_second_shift():
    post = Post(1, 31.30, 121.40)
    volunteers = [Volunteer(1, 31.30, 121.40, max_shifts=2), Volunteer(2, 31.305, 121.405, max_shifts=2)]
    needs = [Need(1, 0, 1), Need(1, 2, 1)]
    plan = assign(volunteers, [post], SHIFTS, needs, RULES)
    assert sorted(p.volunteer_id for p in plan.placements) == [1, 2]


def test_relay_needs_rest_so_back_to_back_shifts_stay_open_with_one_volunteer():
    plan = assign(
        [Volunteer(1, 31.3, 121.4, max_shifts=3)],
        [Post(1, 31.3, 121.4)],
        SHIFTS,
        [Need(1, 0, 1), Need(1, 1, 1)],
        RULES,
    )
    assert len(plan.placements) == 1


def test_need_for_an_unknown_post_is_refused():
    with pytest.raises(ValueError, match="unknown post"):
        assign([], [], SHIFTS, [Need(9, 0, 1)], RULES)


def test_empty_plan_violates_nothing():
    assert violations(Plan(), [], SHIFTS, [], RULES) == []


@settings(max_examples=60, deadline=None)
@given(towns(max_volunteers=12))
def test_most_fillable_is_what_the_exact_optimum_fills(town):
    volunteers, posts, needs = town
    exact = assign_exact(volunteers, posts, SHIFTS, needs, RULES)
    assert most_fillable(volunteers, posts, SHIFTS, needs, RULES) == len(exact.placements)
