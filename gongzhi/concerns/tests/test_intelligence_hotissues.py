"""Hot issues on a slice of the real hot-issue file."""

import csv
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gongzhi.concerns.intelligence.hotissues import (
    Message,
    find_hot_issues,
    growth,
    heat_score,
    messages_from_rows,
)
from gongzhi.concerns.intelligence.places import extract_places, main_place

FIXTURES = Path(__file__).with_name("fixtures")


def _messages() -> list[Message]:
    with (FIXTURES / "hot_issue_messages_sample.csv").open(encoding="utf-8", newline="") as fh:
        return messages_from_rows(csv.DictReader(fh))


def test_the_known_hot_issues_come_out_on_top():
    messages = _messages()
    by_id = {m.id: m for m in messages}
    top = find_hot_issues(messages, top=3)
    texts = [" ".join(by_id[i].title for i in issue.member_ids) for issue in top]
    assert any("搅拌" in t and "丽发" in t for t in texts)
    assert any("滨河苑" in t or "伊景园" in t for t in texts)
    assert [issue.rank for issue in top] == [1, 2, 3]
    assert top[0].heat >= top[1].heat >= top[2].heat


def test_a_hot_issue_groups_the_obvious_duplicates_with_place_and_span():
    messages = _messages()
    mixing_plant = {m.id for m in messages if "丽发新城" in m.title and "搅拌" in m.title}
    issue = next(i for i in find_hot_issues(messages, top=5) if mixing_plant & set(i.member_ids))
    assert len(mixing_plant & set(issue.member_ids)) >= 0.8 * len(mixing_plant)
    assert "丽发新城" in issue.place
    assert issue.start <= issue.end and issue.users >= 5


def test_unrelated_messages_stay_apart():
    messages = _messages()
    by_id = {m.id: m for m in messages}
    topics = ("丽发", "滨河苑", "58车")
    for issue in find_hot_issues(messages, top=3):
        texts = [by_id[i].title + by_id[i].body for i in issue.member_ids]
        assert sum(any(t in text for t in topics) for text in texts) >= len(texts) - 1
        assert len({t for t in topics for text in texts if t in text}) == 1


def test_more_people_and_support_mean_more_heat():
    quiet = heat_score(messages=3, users=1, supports=0, opposes=0, per_week=1, age_days=0)
    loud = heat_score(messages=3, users=3, supports=20, opposes=0, per_week=1, age_days=0)
    stale = heat_score(messages=3, users=3, supports=20, opposes=0, per_week=1, age_days=365)
    assert quiet < loud and stale < loud


def test_a_growing_issue_is_hotter_than_a_steady_one():
    steady = dict(messages=6, users=6, supports=0, opposes=0, per_week=1, age_days=0)
    assert heat_score(**steady, recent=3, previous=3) == heat_score(**steady)
    assert heat_score(**steady, recent=5, previous=1) > heat_score(**steady)
    # Cooling costs nothing here: the recency factor already takes care of it.
    assert heat_score(**steady, recent=0, previous=6) == heat_score(**steady)
    assert growth(3, 0) == pytest.approx(math.log(4)) and growth(1, 5) == 0.0


def test_growth_counts_members_in_the_last_window_and_the_one_before():
    now = datetime(2020, 1, 31)
    texts = ("凉塘路旧城改造何时动工", "凉塘路旧城改造拖了多久", "凉塘路旧城改造请尽快动工")
    days = (2, 5, 40)
    messages = [
        Message(id=str(i), user=f"u{i}", title=t, body=t, time=now - timedelta(days=d))
        for i, (t, d) in enumerate(zip(texts, days, strict=True))
    ]
    [issue] = find_hot_issues(messages, now=now)
    assert (issue.recent, issue.previous) == (2, 1)


def test_one_persons_message_is_no_group_issue_when_asked():
    messages = [
        Message(
            id="1", user="u1", title="汇金路五矿万境存在一系列问题", time=datetime(2019, 8, 19), supports=2097
        ),
        Message(id="2", user="u2", title="丽发新城搅拌站噪音扰民", time=datetime(2019, 11, 2)),
        Message(id="3", user="u3", title="丽发新城搅拌站噪音太大扰民", time=datetime(2019, 11, 3)),
    ]
    assert [i.member_ids for i in find_hot_issues(messages, min_users=2)] == [["2", "3"]]
    assert len(find_hot_issues(messages)) == 2


def test_empty_and_single_inputs():
    assert find_hot_issues([]) == []
    [only] = find_hot_issues([Message(id="1", title="路灯坏了", time=datetime(2019, 1, 1))])
    assert only.member_ids == ["1"] and only.rank == 1


def test_places_are_found_with_their_district():
    assert extract_places("A市A2区丽发新城小区附近搅拌站扰民") == ["A市A2区丽发新城小区"]
    assert "A6区月亮岛路" in extract_places("关于A6区月亮岛路沿线架设高压线的投诉")
    assert main_place(["丽发新城小区太吵", "A2区丽发新城小区搅拌站", "暮云街道"]) == "A2区丽发新城小区"


def test_a_phrase_running_into_a_place_name_is_not_the_place():
    # Directions end a name: these are two roads, not one.
    assert extract_places("开元路北侧穿越东四路") == ["开元路", "东四路"]
    # A run that ends in a name mentioned as often is that name; among equals the first named.
    body = "在此呼吁政府重视东四路，东四路与开元路交口"
    assert main_place([body, body, body]) == "东四路"
