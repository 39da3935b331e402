"""Text fit for the public: what a concern's public feed (Open311) and its progress notices say
of a resident's words, with the people in them taken out."""

import re

from gongzhi.core.logging import mask_text
from gongzhi.core.pii import mask_name

# Digit runs of three or more (rooms, phones, ID and house numbers), ASCII or full-width.
_NUMBERS = re.compile(r"[0-9０-９][0-9０-９\s\-－/]{1,}[0-9０-９Xx]")
# A name before a form of address: 张三家, 王阿姨, 李师傅 … (the family name stays, as on notices).
_ADDRESSED = re.compile(
    r"([\u4e00-\u9fff])[\u4e00-\u9fff]{0,2}?(?=家|先生|女士|阿姨|叔叔|老师|师傅|大爷|大妈|奶奶|爷爷)"
)


def deidentify(text: str, names: tuple[str, ...] = ()) -> str:
    """Text fit for the public feed: known names masked, names before a form of address masked,
    phone and ID numbers masked (core.logging), then every run of three or more digits hidden."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = _ADDRESSED.sub(lambda m: m.group(1) + "*", mask_text(text))
    return _NUMBERS.sub("***", text)
