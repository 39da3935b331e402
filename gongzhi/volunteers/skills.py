"""The skill taxonomy: skills are stored as short English codes ("medical") so matching, planning
and exports stay stable whatever language a page is in; people read and type them in Chinese.

`clean_skills` (services) turns a typed label or alias into its code; `codes_matching` lets the
talent search find "医疗" and "medical" alike; `label` and `labels` show codes as words.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> label; the Chinese is in the catalogue like every label.
SKILLS = {
    "medical": _("medical care"),
    "first_aid": _("first aid"),
    "driving": _("driving"),
    "electrician": _("electrician"),
    "plumbing": _("plumbing"),
    "counselling": _("counselling"),
    "legal": _("legal advice"),
    "teaching": _("tutoring"),
    "elder_care": _("elder care"),
    "translation": _("translation"),
    "photography": _("photography"),
    "it": _("computers and phones"),
}

# Words people type for a skill besides its label (both languages), lower case.
ALIASES = {
    "medical": ("医疗", "医护", "医生", "护士", "medicine", "nurse", "doctor"),
    "first_aid": ("急救", "firstaid"),
    "driving": ("驾驶", "开车", "司机", "driver"),
    "electrician": ("电工", "水电", "electric"),
    "plumbing": ("水管", "管道", "plumber"),
    "counselling": ("心理疏导", "心理咨询", "心理", "counseling"),
    "legal": ("法律", "律师", "法律咨询", "lawyer"),
    "teaching": ("教学", "辅导", "家教", "tutor"),
    "elder_care": ("助老", "养老", "护理"),
    "translation": ("翻译", "外语"),
    "photography": ("摄影", "拍照"),
    "it": ("电脑", "手机", "computer"),
}


def _words_of(code: str) -> set[str]:
    from django.utils import translation

    words = {code, *ALIASES.get(code, ())}
    with translation.override("en"):
        words.add(str(SKILLS[code]).lower())
    with translation.override("zh-hans"):
        words.add(str(SKILLS[code]))
    return words


def code_for(word: str) -> str:
    """The code of a typed skill (its code, label or an alias, either language); unknown words stay
    as typed, lower-cased, so nothing a person typed is lost."""
    word = (word or "").strip().lower()
    for code in SKILLS:
        if word in _words_of(code):
            return code
    return word


def codes_matching(text: str) -> set[str]:
    """Every code a search text may mean: exact code, or any label or alias holding the text
    ("医" finds medical; "医疗" and "medical" both find it)."""
    text = (text or "").strip().lower()
    if not text:
        return set()
    return {code for code in SKILLS if any(text in word for word in _words_of(code))}


def label(code: str) -> str:
    return str(SKILLS[code]) if code in SKILLS else code


def labels(skills: str) -> str:
    """A stored comma-joined skill list as words: "driving,medical" -> "驾驶、医疗"."""
    return "、".join(label(c.strip()) for c in (skills or "").split(",") if c.strip())


def choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in SKILLS.items()]
