"""`gongzhi concerns classify|hot|replies|train` on files."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.concerns.intelligence.routing import department_for

FIXTURES = Path(__file__).with_name("fixtures")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_classify_writes_a_category_for_every_row(tmp_path):
    rows = [r for r in _read(FIXTURES / "labeled_messages_sample.csv") if r["body"]][:30]
    lines = ["\ufeffid,text,extra"] + [f'{r["message_id"]},"{r["title"]} {r["body"]}",x' for r in rows]
    lines.append("empty,,x")
    source = _write(tmp_path / "in.csv", "\n".join(lines) + "\n")
    call_command("concerns", "classify", "--input", str(source), "--out", str(tmp_path / "out.csv"))
    out = _read(tmp_path / "out.csv")
    assert list(out[0]) == ["id", "category"]
    assert [r["id"] for r in out] == [r["message_id"] for r in rows] + ["empty"]
    assert all(r["category"] for r in out)
    assert sum(o["category"] == r["category"] for o, r in zip(out, rows, strict=False)) >= 25


def test_classify_names_the_missing_column_and_writes_nothing(tmp_path):
    source = _write(tmp_path / "in.csv", "id,body\n1,噪音扰民\n")
    with pytest.raises(CommandError, match="'text'"):
        call_command("concerns", "classify", "--input", str(source), "--out", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_classify_of_an_empty_file_with_a_header_writes_only_the_header(tmp_path):
    source = _write(tmp_path / "in.csv", "id,text\n")
    call_command("concerns", "classify", "--input", str(source), "--out", str(tmp_path / "out.csv"))
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").strip() == "id,category"


def test_hot_ranks_issues_from_the_datas_columns(tmp_path):
    out = tmp_path / "hot.csv"
    call_command(
        "concerns",
        "hot",
        "--input",
        str(FIXTURES / "hot_issue_messages_sample.csv"),
        "--out",
        str(out),
        "--top",
        "3",
    )
    rows = _read(out)
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    # The issue's six columns first, in its order; the counts behind the heat after them.
    with out.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[:6] == ["rank", "heat", "title", "place", "time_span", "member_ids"]
    assert {"messages", "users", "supports", "recent", "previous", "start", "end"} <= set(header[6:])
    assert len(rows[0]["member_ids"].split()) >= 5
    start, end = rows[0]["time_span"].split(" 至 ")
    assert start == rows[0]["start"][:10] and end == rows[0]["end"][:10] and start <= end
    assert all(int(r["users"]) >= 2 for r in rows)


def test_hot_leaves_out_one_persons_message_unless_asked(tmp_path):
    source = tmp_path / "one.csv"
    source.write_text(
        "message_id,user,title,time,body,supports,opposes\n"
        "1,u1,A5区汇金路路灯坏了,2019-08-19 10:00:00,汇金路路灯坏了一个月,2097,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "hot.csv"
    call_command("concerns", "hot", "--input", str(source), "--out", str(out))
    assert _read(out) == []
    call_command("concerns", "hot", "--input", str(source), "--out", str(out), "--min-users", "1")
    assert [r["member_ids"] for r in _read(out)] == ["1"]
    with pytest.raises(CommandError, match="--min-users"):
        call_command("concerns", "hot", "--input", str(source), "--out", str(out), "--min-users", "0")


def test_hot_without_ids_is_refused(tmp_path):
    source = _write(tmp_path / "in.csv", "title,body\n噪音,太吵\n")
    with pytest.raises(CommandError, match="message_id"):
        call_command("concerns", "hot", "--input", str(source), "--out", str(tmp_path / "hot.csv"))


def test_replies_flags_acknowledgements(tmp_path):
    out = tmp_path / "checked.csv"
    call_command(
        "concerns", "replies", "--input", str(FIXTURES / "replied_messages_sample.csv"), "--out", str(out)
    )
    rows = _read(out)
    assert len(rows) == 40
    assert sum(r["answered"] == "no" for r in rows) >= 5


def test_train_writes_a_loadable_model(tmp_path):
    out = tmp_path / "model.npz"
    call_command(
        "concerns", "train", "--data", str(FIXTURES / "labeled_messages_sample.csv"), "--out", str(out)
    )
    source = _write(tmp_path / "in.csv", "id,text\n1,孩子上小学的学位问题\n")
    call_command(
        "concerns", "classify", "--input", str(source), "--out", str(tmp_path / "o.csv"), "--model", str(out)
    )
    assert _read(tmp_path / "o.csv")[0]["category"]


def test_train_reads_unlabeled_messages_next_to_the_data_for_vocabulary(tmp_path):
    rows = _read(FIXTURES / "labeled_messages_sample.csv")
    data = _write(tmp_path / "labeled.csv", (FIXTURES / "labeled_messages_sample.csv").read_text("utf-8"))
    with (tmp_path / "unlabeled_messages.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["message_id", "title", "body"])
        writer.writerows([r["message_id"], r["title"], r["body"]] for r in rows if r["body"])
    out = io.StringIO()
    call_command("concerns", "train", "--data", str(data), "--out", str(tmp_path / "m.npz"), stdout=out)
    assert "+ 140 unlabeled" in out.getvalue()
    out = io.StringIO()
    args = ["--data", str(data), "--out", str(tmp_path / "n.npz"), "--unlabeled", ""]
    call_command("concerns", "train", *args, stdout=out)
    assert "for vocabulary" not in out.getvalue()


def test_train_names_the_missing_category_column(tmp_path):
    source = _write(tmp_path / "in.csv", "title,body\n噪音,太吵\n")
    with pytest.raises(CommandError, match="'category'"):
        call_command("concerns", "train", "--data", str(source), "--out", str(tmp_path / "m.npz"))
    assert not (tmp_path / "m.npz").exists()


def test_every_category_has_a_default_department():
    for category in [
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    ]:
        assert department_for(category).department
