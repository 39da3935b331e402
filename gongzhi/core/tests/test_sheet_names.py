"""Workbooks people download name their sheets in the reader's language (issue 23: a volunteer's
statement came as a sheet "statement"): no sheet title in the source is a bare English literal."""

import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
BARE_TITLE = re.compile(r'(\.title\s*=\s*|create_sheet\(\s*)(f?"[^"]*[A-Za-z][^"]*")')


def test_no_sheet_is_titled_in_bare_english():
    found = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "sheets.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = BARE_TITLE.search(line)
            if match and "{" not in match.group(2):
                found.append(f"{path.relative_to(SOURCE)}:{number}: {match.group(2)}")
    assert not found, "\n".join(found)
