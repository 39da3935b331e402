"""Add translations to the Chinese catalogue from a JSON file {"English msgid": "中文"}, then compile.

Several people (or agents) can run it at once: the catalogue is locked while it is rewritten.
Entries already in the catalogue keep their translation unless --replace is given.
`gongzhi makemessages` later adds source references; this only makes new strings show in Chinese now.

    python scripts/i18n_add.py fragment.json [--replace]
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "gongzhi/locale/zh_Hans/LC_MESSAGES/django.po"


def main(path: str, replace: bool = False) -> None:
    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    with open(PO.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        import polib

        po = polib.pofile(str(PO))
        by_id = {e.msgid: e for e in po if not e.msgctxt}
        added = 0
        for msgid, msgstr in pairs.items():
            if not msgstr:
                sys.exit(f"empty translation for {msgid!r}")
            old = by_id.get(msgid)
            if old is None:
                new = polib.POEntry(msgid=msgid, msgstr=msgstr)
                if "%(" in msgid or "%s" in msgid or "%d" in msgid:
                    new.flags.append("python-format")
                po.append(new)
                by_id[msgid] = new
                added += 1
            elif replace or not old.msgstr or "fuzzy" in old.flags:
                old.msgstr = msgstr
                if "fuzzy" in old.flags:
                    old.flags.remove("fuzzy")
        po.save(str(PO))
        subprocess.run(["msgfmt", "--check", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    print(f"i18n: {added} added, {len(pairs)} in fragment")


if __name__ == "__main__":
    main(sys.argv[1], replace="--replace" in sys.argv)
