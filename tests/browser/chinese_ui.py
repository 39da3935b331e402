"""Finding English in the Chinese UI: visible text of a page, minus an allow-list (people's and
accounts' names, units, file types, acronyms people use in Chinese too), must hold no English word.

Used by tests/browser/test_chinese_everywhere.py, and by hand against a running demo:

    .venv/bin/python -m tests.browser.chinese_ui http://127.0.0.1:8000 secretary [password]
"""

from __future__ import annotations

import re
import sys
import time
from urllib.parse import urljoin, urlparse

# Words that are not English prose in a Chinese page: units, file types, acronyms used in Chinese,
# brand and product names, the language switch's own name.
ALLOWED = {
    # the language switch names the other language in that language
    "english",
    # units and file types
    "m²",
    "km",
    "kg",
    "xlsx",
    "csv",
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "json",
    "zip",
    "geojson",
    # acronyms written in Chinese text too
    "api",
    "sms",
    "kpi",
    "gps",
    "url",
    "qr",
    "id",
    "ip",
    "ok",
    "pm",
    "am",
    "app",
    "wifi",
    "wechat",
    "excel",
    "open311",
    "gb",
    "csp",
    "redoc",
    "swagger",
    "openapi",
    "totp",
    "http",
    "https",
    "www",
    "leaflet",
    "openstreetmap",
    "echarts",
    "mb",
    "utf",
}
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’_-]*[A-Za-z0-9]")
# Links and paths shown as text (a check-in link under its QR code) are addresses, not words.
ADDRESS = re.compile(r"(https?://|/)[\w./?=&%#:-]+")
# Not pages: sign-out, downloads, the Django admin (its own translations), the API and its docs.
SKIP = re.compile(
    r"/(logout|admin|api|static|media|i18n)/|export|download|\.(xlsx|csv|pdf|zip|json)$|/answer/"
)


def english_words(text: str, allowed: set[str]) -> set[str]:
    """English words of visible text that the allow-list does not cover. Codes with digits
    (310113-YX-DEMO-001, B12) are not words here: they are caught by their own checks."""
    found = set()
    text = ADDRESS.sub(" ", text)
    for match in WORD.finditer(text):
        word = match.group(0)
        if any(c.isdigit() for c in word) or not any(c.isalpha() for c in word):
            continue  # a code, a number, a time
        if word.lower() in allowed:
            continue
        if word.isupper() and len(word) <= 5:
            continue  # an acronym as Chinese text writes it (KTV, ETC, ATM in residents' titles)
        found.add(word)
    return found


def pattern_of(path: str) -> str:
    """/concerns/12/ and /concerns/13/ are one page pattern: one instance of each is enough."""
    return re.sub(r"/[0-9a-f-]{6,}(?=/|$)|/\d+(?=/|$)", "/<id>", path)


def visible_text(page) -> str:
    """The page's visible text and title, without stored records' own text (audit summaries are
    written once and hashed: data, not the UI's wording)."""
    text = page.locator("body").inner_text() + " " + page.title()
    for stored in set(page.locator("[data-stored-text]").all_inner_texts()):
        if stored.strip():  # replacing "" would put a space between every character, over and over
            text = text.replace(stored, " ")
    return text


def crawl(
    page,
    base: str,
    *,
    allowed: set[str],
    max_pages: int = 40,
    seconds: float = 60,
    details_seen: set[str] | None = None,
) -> dict[str, set[str]]:
    """Visit the signed-in user's pages breadth-first from the home page (the menu, then links on
    those pages), one page per URL pattern, and return {path: English words} for pages that have any.
    `details_seen`, shared between users, visits each detail pattern (/x/<id>/) once in all."""
    host = urlparse(base).netloc
    details_seen = set() if details_seen is None else details_seen
    queue, seen, found = ["/"], set(), {}
    started = time.monotonic()
    while queue and len(seen) < max_pages and time.monotonic() - started < seconds:
        path = queue.pop(0)
        pattern = pattern_of(path)
        if pattern in seen or pattern in details_seen:
            continue
        seen.add(pattern)
        if "<id>" in pattern:
            details_seen.add(pattern)
        response = page.goto(urljoin(base, path))
        if response is None or response.status >= 400 or urlparse(page.url).netloc != host:
            continue
        words = english_words(visible_text(page), allowed)
        if words:
            found[urlparse(page.url).path] = words
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(page.url, href))
            if target.netloc == host and not SKIP.search(target.path) and pattern_of(target.path) not in seen:
                queue.append(target.path)
    return found


def main(base: str, username: str, password: str = "gongzhi-demo-2026") -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for path, words in crawl(
            page, base, allowed=ALLOWED | {username.lower()}, max_pages=200, seconds=600
        ).items():
            print(f"{path}: {' '.join(sorted(words))}")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
