"""Finding English in the Chinese UI: visible text of a page, minus an allow-list (people's and
accounts' names, units, file types, acronyms people use in Chinese too), must hold no English word.

Used by tests/browser/test_chinese_everywhere.py, and by hand against a running demo:

    .venv/bin/python -m tests.browser.chinese_ui http://127.0.0.1:8000 secretary [password]
"""

from __future__ import annotations

import re
import sys
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


# Not the UI's wording: stored records' own text (audit summaries are written once and hashed:
# data) and code (a file format's field names such as `address`, shown as <code>).
NOT_WORDING = "[data-stored-text], code"


def visible_text(page) -> str:
    """The page's visible text and title, without NOT_WORDING. The elements are hidden before the
    text is read (taking their text out of the page's afterwards would miss it wherever a shorter
    stored text stands inside a longer one: 'admin' in 'sysadmin: account linked')."""
    page.evaluate(
        "sel => document.querySelectorAll(sel).forEach(e => { e.style.display = 'none'; })", NOT_WORDING
    )
    return page.locator("body").inner_text() + " " + page.title()


MENU_LINKS = "#mainnav a[href]"


def crawl(
    page,
    base: str,
    *,
    allowed: set[str],
    shared: set[str] | None = None,
    visited: list[str] | None = None,
    depth: int = 1,
) -> dict[str, set[str]]:
    """Walk the signed-in user's pages and return {path: English words} for pages that have any.

    A fixed set, no clock and no page cap (the same demo gives the same pages on any machine): the
    home page and every menu link, in menu order, as this user sees them; then, `depth` links
    further, each URL pattern reached from those pages (/concerns/12/ ~ /concerns/<id>/, in the
    order the links stand) once over all users: `shared` collects the patterns walked by anyone.
    `visited` collects the paths in the order walked."""
    host = urlparse(base).netloc
    shared = set() if shared is None else shared
    visited = [] if visited is None else visited
    found: dict[str, set[str]] = {}
    own: set[str] = set()

    def visit(path: str) -> bool:
        visited.append(path)
        response = page.goto(urljoin(base, path))
        if response is None or response.status >= 400 or urlparse(page.url).netloc != host:
            return False
        words = english_words(visible_text(page), allowed)
        if words:
            found[urlparse(page.url).path] = words
        return True

    def links(selector: str = "a[href]") -> list[str]:
        paths = []
        for href in page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(page.url, href))
            if target.netloc == host and not SKIP.search(target.path):
                paths.append(target.path)
        return paths

    further: list[str] = []
    if visit("/"):
        menu = ["/", *links(MENU_LINKS)]
        further += links()
        for path in menu:
            if pattern_of(path) in own:
                continue
            own.add(pattern_of(path))
            shared.add(pattern_of(path))
            if path != "/" and visit(path):
                further += links()
    for _level in range(depth):
        queue, further = further, []
        for path in queue:
            pattern = pattern_of(path)
            if pattern in own or pattern in shared:
                continue
            own.add(pattern)
            shared.add(pattern)
            if visit(path):
                further += links()
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
        for path, words in crawl(page, base, allowed=ALLOWED | {username.lower()}, depth=3).items():
            print(f"{path}: {' '.join(sorted(words))}")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
