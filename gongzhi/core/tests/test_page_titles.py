"""A page's title is plain text: markup in a title block lands in the browser tab (the meetings
page once carried its whole duties form there)."""

import re
from pathlib import Path

import gongzhi

TITLE = re.compile(r"{% block title %}(.*?){% endblock", re.S)


def test_no_title_block_holds_markup():
    root = Path(gongzhi.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        for title in TITLE.findall(path.read_text(encoding="utf-8"))
        if re.search(r"<[a-zA-Z/]", title)
    ]
    assert offenders == []
