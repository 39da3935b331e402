"""Reply check: does an official reply answer the message, completely, in time?

- relevance: TF-IDF cosine of message and reply words, courtesy formulas left out ("网友您好，
  留言已收悉，感谢您的关心") since every reply has them;
- completeness: share of the message's key words the reply takes up, plus markers of an answer
  that acts: measures taken or planned, a result, the rule relied on, a contact to follow up;
- timeliness: days from message to reply.
A reply is flagged when it is unrelated, empty of substance (acknowledgement only), or late.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .segmentation import segment
from .similarity import cosine, weighted_bag

# Set on replied_messages.csv: real pairs score a median of about 0.23; a reply moved to another
# message about 0.01, and 95% of those stay under 0.05 (docs/concern-intelligence.md).
RELEVANCE_FLOOR = 0.05
MIN_SUBSTANCE_CHARS = 40
LATE_DAYS = 15
KEY_WORDS = 8

_COURTESY = frozenset(
    "网友 您好 你好 留言 收悉 已收悉 感谢 关心 支持 监督 理解 回复 如下 现将 有关 情况 反映 问题 来信 平台 栏目 问政 "
    "西地省 书记 市长 此致 敬礼 谢谢 特此 您的 欢迎".split()
)
_MARKERS = {
    "measures": re.compile(
        r"已(?:安排|责令|要求|督促|组织|协调|派|对|将|完成|整改|处理|清理|拆除|修复|查处)|将(?:于|在|尽快|进一步|加快|督促|协调)|责令|整改|督促|安排|调查|核实|查处|落实|协调|处理"
    ),
    "result": re.compile(
        r"已(?:经)?(?:解决|完成|恢复|办结|整改到位|到位|拆除|清理|修复|开通|发放|退还)|现已|目前已"
    ),
    "basis": re.compile(r"根据|依据|按照|规定|条例|办法|政策|文件|《"),
    "contact": re.compile(r"电话|联系|咨询|热线|\d{3,4}-?\d{7,8}|\d{11}"),
}


@dataclass(frozen=True)
class ReplyCheck:
    relevance: float
    completeness: float
    days_to_reply: float | None
    timeliness: float | None
    score: float
    answered: bool
    flags: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)


def check_reply(
    message: str,
    reply: str,
    *,
    asked_at: datetime | None = None,
    replied_at: datetime | None = None,
    idf: Mapping[str, float] | None = None,
) -> ReplyCheck:
    """Scores in 0..1 (timeliness None when a time is missing) and the reasons for any flag."""
    message_words = _content_words(message)
    reply_words = _content_words(reply)
    relevance = cosine(weighted_bag(message_words, idf), weighted_bag(reply_words, idf))
    markers = [name for name, pattern in _MARKERS.items() if pattern.search(reply or "")]
    coverage = _key_word_coverage(message_words, set(reply_words), idf)
    completeness = 0.5 * coverage + 0.5 * len(markers) / len(_MARKERS)
    days = _days(asked_at, replied_at)
    timeliness = None if days is None else _timeliness(days)
    flags = _flags(relevance, reply, markers, days)
    parts = [relevance, completeness] + ([timeliness] if timeliness is not None else [])
    return ReplyCheck(
        relevance=round(relevance, 4),
        completeness=round(completeness, 4),
        days_to_reply=None if days is None else round(days, 2),
        timeliness=None if timeliness is None else round(timeliness, 4),
        score=round(sum(parts) / len(parts), 4),
        answered=not ({"unrelated", "acknowledgement_only"} & set(flags)),
        flags=flags,
        markers=markers,
    )


def _content_words(text: str) -> list[str]:
    return [w for w in segment(text or "") if w not in _COURTESY]


def _key_word_coverage(
    message_words: list[str], reply_words: set[str], idf: Mapping[str, float] | None
) -> float:
    # The message's most specific words (highest weight) stand for the points it raises.
    bag = weighted_bag(message_words, idf)
    keys = sorted(bag, key=lambda w: (-bag[w], w))[:KEY_WORDS]
    return sum(w in reply_words for w in keys) / len(keys) if keys else 0.0


def _days(asked_at: datetime | None, replied_at: datetime | None) -> float | None:
    if not asked_at or not replied_at:
        return None
    return max((replied_at - asked_at).total_seconds() / 86400, 0.0)


def _timeliness(days: float) -> float:
    # Full marks within a week, half at about a month, near nothing after a quarter.
    if days <= 7:
        return 1.0
    return max(0.0, 1.0 - (days - 7) / 46)


def _flags(relevance: float, reply: str, markers: list[str], days: float | None) -> list[str]:
    substance = re.sub(r"\s", "", reply or "")
    flags = []
    if len(substance) < MIN_SUBSTANCE_CHARS:
        flags.append("acknowledgement_only")
    if relevance < RELEVANCE_FLOOR:
        flags.append("unrelated")
    if not markers and len(substance) >= MIN_SUBSTANCE_CHARS:
        flags.append("no_measures")
    if days is not None and days > LATE_DAYS:
        flags.append("late")
    return flags
