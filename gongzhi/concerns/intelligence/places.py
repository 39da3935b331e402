"""Place names in a message: "A市A5区魅力之城小区", "万家丽南路", "XX街道" and the like.

A regular expression over the text is enough here: the data's places end in a small set of
suffixes (小区, 路, 街道, 村 ...) and the organisers' anonymised prefixes (A市, A5区, K7县) are regular.
"""

import re
from collections import Counter
from collections.abc import Iterable

_SUFFIXES = (
    "小区|花园|家园|公寓|新城|新村|山庄|公馆|苑|湾|滩|城|广场|大厦|大楼|中心|社区|街道|村|镇|乡|大道|路|街|巷|桥"
    "|学院|大学|中学|小学|学校|幼儿园|医院|卫生院|公园|市场|车站|高铁站|地铁站|工业园|园区|园"
)
# Characters that never sit inside a place name here: they end the run before a name.
# "侧" and "穿越" end directions ("开元路北侧穿越东四路" is two roads, not one name); "线" ends a
# line number before its station ("3号线松雅西地省站").
_BREAKS = "的在于和与及是了我们住位到从对把被向给由这那有旁边近个为将请求问关反映投诉建议咨询希望要该欺诈提找搞致告使送每当顾侧穿越线"
_PREFIX = r"(?:[A-Z]市)?(?:[A-Z]\d{0,2}[区县])?"
_NAME = rf"[^\W{_BREAKS}_]{{1,10}}(?:{_SUFFIXES})"
_PLACE = re.compile(rf"({_PREFIX})({_NAME})")
_DISTRICT = re.compile(r"[A-Z]\d{1,2}[区县]")
_GENERIC_END = re.compile(r"(?:道路|马路|公路|跑路|走路|旧城|全城)$")
_ADMIN_ONLY = re.compile(r"^[A-Z]\d{0,2}[市区县]$")
# Generic words that end in a suffix but name no place.
_NOT_PLACES = {
    "政府",
    "家庭",
    "小区",
    "社区",
    "街道",
    "马路",
    "道路",
    "公路",
    "线路",
    "思路",
    "出路",
    "城市",
    "农村",
    "乡村",
    "城乡",
    "全城",
    "进城",
}


def extract_places(text: str) -> list[str]:
    """Place names in order of appearance, each with its anonymised city/district prefix if any."""
    places = []
    for prefix, name in _PLACE.findall(text or ""):
        name = name.lstrip("市区县")
        if len(name) < 2 or name in _NOT_PLACES or _GENERIC_END.search(name) or _ADMIN_ONLY.match(name):
            continue
        places.append(prefix + name)
    return places


def bare(place: str) -> str:
    """The place without its "A市A5区" prefix: how two mentions of one place are matched."""
    return re.sub(rf"^{_PREFIX}", "", place)


def main_place(texts: Iterable[str]) -> str:
    """The place most of the texts mention, shown with the fullest prefix seen for it."""
    counts: Counter[str] = Counter()
    fullest: dict[str, str] = {}
    texts = list(texts)
    for text in texts:
        for place in dict.fromkeys(extract_places(text)):  # once per text
            key = bare(place)
            counts[key] += 1
            if len(place) > len(fullest.get(key, "")):
                fullest[key] = place
    if not counts:
        return _main_district(texts)
    # A run of words that ends in a name mentioned at least as often ("此呼吁政府重视东四路" and
    # "东四路") is a phrase that swallowed the name: the name stands for it.
    names = [
        k for k in counts if not any(o != k and k.endswith(o) and counts[o] >= counts[k] for o in counts)
    ]
    # Most mentioned; among equals the one named first (titles come first, and a message names
    # its site before the roads around it; the longest was often a phrase ending in a suffix).
    first = {k: i for i, k in enumerate(counts)}
    key = max(names, key=lambda k: (counts[k], -first[k]))
    if counts[key] < 2 and len(texts) > 2:
        # Named once among many texts: more likely a stray phrase than the place at issue.
        return _main_district(texts)
    return fullest[key]


def _main_district(texts: list[str]) -> str:
    # No named place: the district ("A7县") still tells staff where to look.
    districts = Counter(m for text in texts for m in set(_DISTRICT.findall(text or "")))
    return districts.most_common(1)[0][0] if districts else ""


_SUFFIX_AT_END = re.compile(rf"(?:{_SUFFIXES})+$")


def core(place: str) -> str:
    """The distinctive part of a place name: "丽发新城小区" and "暮云街道丽发新城" share "丽发"."""
    return _SUFFIX_AT_END.sub("", bare(place)) or bare(place)
