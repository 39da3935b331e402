"""Reply check on real replies: relevant ones pass, moved or empty ones are flagged."""

import csv
from pathlib import Path
from statistics import median

from gongzhi.concerns.intelligence.replies import check_reply
from gongzhi.concerns.intelligence.timestamps import parse_time

FIXTURES = Path(__file__).with_name("fixtures")


def _rows() -> list[dict[str, str]]:
    with (FIXTURES / "replied_messages_sample.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check(row: dict[str, str], reply: str | None = None):
    return check_reply(
        row["title"] + "\n" + row["body"],
        row["reply"] if reply is None else reply,
        asked_at=parse_time(row["time"]),
        replied_at=parse_time(row["reply_time"]),
    )


def test_real_replies_are_more_relevant_than_replies_to_other_messages():
    rows = [r for r in _rows() if len(r["reply"]) > 100]
    real = [_check(r).relevance for r in rows]
    moved = [_check(r, other["reply"]).relevance for r, other in zip(rows, rows[1:] + rows[:1], strict=True)]
    assert median(real) > 3 * median(moved)
    assert sum(
        "unrelated" in _check(r, o["reply"]).flags for r, o in zip(rows, rows[3:], strict=False)
    ) >= 0.8 * (len(rows) - 3)


def test_an_irrelevant_reply_is_flagged():
    row = next(r for r in _rows() if len(r["reply"]) > 100)
    check = _check(
        row, "关于公交线路调整的建议已转市交通运输局，将结合客流情况研究，咨询电话：0731-88888888。"
    )
    assert "unrelated" in check.flags and not check.answered


def test_an_acknowledgement_only_is_not_an_answer():
    row = next(r for r in _rows() if len(r["reply"]) < 30)
    check = _check(row)
    assert "acknowledgement_only" in check.flags and not check.answered


def test_timeliness_counts_days_from_message_to_reply():
    row = _rows()[0]
    check = _check(row)
    days = (parse_time(row["reply_time"]) - parse_time(row["time"])).total_seconds() / 86400
    assert abs(check.days_to_reply - days) < 0.01
    assert 0 <= check.timeliness <= 1 and ("late" in check.flags) == (days > 15)


def test_measures_and_contacts_raise_completeness():
    message = "A市某小区门口垃圾堆积无人清理"
    bare = check_reply(message, "网友您好，您反映的小区门口垃圾堆积问题我们知道了，谢谢关注。")
    acting = check_reply(
        message,
        "网友您好，经核实，小区门口垃圾堆积属实，已责令物业公司清理，现已清理完毕；根据《环境卫生管理条例》"
        "将加强巡查，如有问题请联系电话0731-84000000。",
    )
    assert acting.completeness > bare.completeness
    assert set(acting.markers) == {"measures", "result", "basis", "contact"}
