"""Daily availability windows: parsing and whether a shift fits."""

import pytest

from gongzhi.volunteers.availability import fits, parse


def test_windows_parse_with_chinese_or_latin_separators_and_past_midnight():
    assert parse("08:00-12:00，22:00-06:00; 9:30～10:00") == [(480, 240), (1320, 480), (570, 30)]


def test_blank_means_any_time():
    assert parse("  ") == []
    assert fits([], 3 * 60, 600)


@pytest.mark.parametrize("text", ["早上", "8-12", "25:00-26:00", "08:00-24:30", "08:61-09:00"])
def test_a_piece_that_is_not_a_window_is_named(text):
    with pytest.raises(ValueError) as refused:
        parse(f"08:00-09:00, {text}")
    assert refused.value.args[0] == text


def test_a_shift_fits_only_wholly_inside_one_window():
    evenings = parse("18:00-22:00")
    assert fits(evenings, 18 * 60, 240)
    assert not fits(evenings, 17 * 60, 120)
    assert not fits(evenings, 20 * 60, 180)


def test_night_window_takes_a_shift_across_midnight_and_all_day_takes_any():
    assert fits(parse("22:00-06:00"), 23 * 60, 360)
    assert not fits(parse("22:00-06:00"), 12 * 60, 60)
    assert fits(parse("00:00-24:00"), 5 * 60, 24 * 60)
