"""Working-day arithmetic on a holiday calendar with make-up days (pure module)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.concerns.workdays import add_working_days, is_working_day, working_days_between

# 2026 National Day: Oct 1–7 off, Sat Oct 10 a make-up working day.
NATIONAL_DAY = {date(2026, 10, 1) + timedelta(days=n): False for n in range(7)} | {date(2026, 10, 10): True}


def test_weekends_are_not_working_days_without_overrides():
    assert is_working_day(date(2026, 11, 23), {})  # Monday
    assert not is_working_day(date(2026, 11, 28), {})  # Saturday


def test_make_up_saturday_is_a_working_day_and_holiday_weekday_is_not():
    assert is_working_day(date(2026, 10, 10), NATIONAL_DAY)
    assert not is_working_day(date(2026, 10, 5), NATIONAL_DAY)


def test_five_working_days_from_friday_before_national_day_skip_the_holiday():
    # Wed Sep 30 + 1 → Thu Oct 8; + 2 → Fri Oct 9; + 3 → Sat Oct 10 (make-up day).
    assert add_working_days(date(2026, 9, 30), 1, NATIONAL_DAY) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3, NATIONAL_DAY) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4, NATIONAL_DAY) == date(2026, 10, 12)


def test_zero_days_on_a_holiday_moves_to_the_next_working_day():
    assert add_working_days(date(2026, 10, 3), 0, NATIONAL_DAY) == date(2026, 10, 8)
    assert add_working_days(date(2026, 11, 23), 0, {}) == date(2026, 11, 23)


def test_negative_days_are_refused():
    import pytest

    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1, {})


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
)
def test_counting_back_the_working_days_gives_the_same_number(start, days):
    due = add_working_days(start, days, NATIONAL_DAY)
    assert is_working_day(due, NATIONAL_DAY)
    first = add_working_days(start, 0, NATIONAL_DAY)
    assert working_days_between(first, due, NATIONAL_DAY) == days
    assert working_days_between(due, first, NATIONAL_DAY) == -days
