"""Duplicates: a new concern is matched to open ones on text, place and time."""

from datetime import datetime, timedelta

from gongzhi.concerns.intelligence.duplicates import ConcernText, find_duplicates, haversine_m

NOW = datetime(2019, 11, 20, 9, 0)
NOISE = "丽发新城小区附近搅拌站噪音扰民，晚上施工严重影响居民休息"


def _concern(id: str, text: str, **kwargs) -> ConcernText:
    return ConcernText(id=id, text=text, **kwargs)


def test_same_complaint_in_the_same_building_is_offered_first():
    new = _concern("new", "投诉丽发新城附近搅拌站噪音扰民，彻夜施工", time=NOW, building_id="b1")
    open_ones = [
        _concern("same", NOISE, time=NOW - timedelta(days=2), building_id="b1"),
        _concern("other-topic", "小区物业乱收停车费", time=NOW - timedelta(days=1), building_id="b1"),
    ]
    matches = find_duplicates(new, open_ones)
    assert [m.id for m in matches] == ["same"]
    assert matches[0].same_building and 0 < matches[0].score <= 1


def test_nearby_counts_and_far_away_does_not():
    new = _concern("new", NOISE, time=NOW, lon=112.98, lat=28.10)
    near = _concern("near", NOISE, time=NOW, lon=112.981, lat=28.1005)  # about 110 m
    far = _concern("far", NOISE, time=NOW, lon=113.10, lat=28.20)
    assert [m.id for m in find_duplicates(new, [near, far])] == ["near"]


def test_old_concerns_are_not_duplicates():
    new = _concern("new", NOISE, time=NOW, building_id="b1")
    old = _concern("old", NOISE, time=NOW - timedelta(days=90), building_id="b1")
    assert find_duplicates(new, [old]) == []


def test_unknown_place_needs_more_similar_text():
    new = _concern("new", NOISE)
    same_text = _concern("same", NOISE)
    assert (
        find_duplicates(new, [same_text])[0].score
        < find_duplicates(
            _concern("new", NOISE, building_id="b"), [_concern("same", NOISE, building_id="b")]
        )[0].score
    )


def test_a_concern_is_not_its_own_duplicate():
    concern = _concern("x", NOISE, building_id="b1")
    assert find_duplicates(concern, [concern]) == []


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km.
    assert abs(haversine_m(113.0, 28.0, 113.0, 29.0) - 111_195) < 50
