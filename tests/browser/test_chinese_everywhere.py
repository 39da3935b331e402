"""No English in the Chinese UI: every demo role signs in and walks a fixed set of pages (its home
page and every link of its menu, then each URL pattern linked from those pages once over all
roles: /concerns/12/ stands for /concerns/<id>/); a page fails on any visible English word outside
the allow-list of tests/browser/chinese_ui.py (units, file types, acronyms, account names).

The set is fixed by the demo and the menus, not by a clock: the same pages on any machine (about
230 pages, ~1.5 min on two cores). Nothing is excused: a finding is fixed where it arises."""

import importlib

import pytest
from django.apps import apps as django_apps

from gongzhi.org.demo import accounts, loader
from gongzhi.org.demo.generator import generate_town
from tests.browser.chinese_ui import ALLOWED, crawl, pattern_of
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The app demos light enough for a test database (visits, property and workforce seed months of
# records for 120,000 households; their pages are walked against `make run`'s demo by hand with
# `python -m tests.browser.chinese_ui`).
DEMOS = [
    "gongzhi.concerns.demo",
    "gongzhi.volunteers.demo",
    "gongzhi.projects.demo",
    "gongzhi.surveys.demo",
    "gongzhi.accounts.demo",
    "gongzhi.core.demo",
]
# Pages every walk must reach (a menu or a demo that lost them would shrink the walk silently).
SEEDED_BY_MIGRATIONS = [
    ("gongzhi.concerns.migrations.0002_seed_taxonomy_and_calendar", "seed"),
    ("gongzhi.concerns.migrations.0007_data_categories_and_2027_calendar", "forward"),
]
MUST_REACH = {
    "/",
    "/audit/",
    "/accounts/requests/",
    "/concerns/",
    "/concerns/<id>/",
    "/volunteers/emergencies/<id>/",
    "/projects/<id>/",
    "/surveys/<id>/",
    "/surveys/<id>/results/",
    "/workforce/rounds/",
    "/grids/subdistricts/<id>/import/",
}


@pytest.fixture
def demo_logins():
    # The concern taxonomy and calendar come from data migrations, which an earlier transactional
    # test's flush wipes in the same test process: without them the demo loads no concerns.
    for name, step in SEEDED_BY_MIGRATIONS:
        getattr(importlib.import_module(name), step)(django_apps, None)
    result = loader.load_town(generate_town(households=2000, seed=5), progress=None)
    for name in DEMOS:
        importlib.import_module(name).load_demo()
    return [login.username for login in result.logins]


def test_every_role_sees_chinese_only(browser, live_server, demo_logins):
    allowed = ALLOWED | {name.lower() for name in demo_logins}  # account names show in the header
    shared: set[str] = set()
    walked: dict[str, list[str]] = {}
    english = {}
    for username in demo_logins:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        sign_in(page, live_server, username, accounts.demo_password())
        walked[username] = []
        found = crawl(page, live_server.url, allowed=allowed, shared=shared, visited=walked[username])
        for path, words in found.items():
            english[f"{username} {path}"] = words
        context.close()
    reached = {pattern_of(path) for paths in walked.values() for path in paths}
    assert MUST_REACH <= reached, sorted(MUST_REACH - reached)
    assert sum(len(p) for p in walked.values()) > 150  # every role's menu, and the pages they link to
    assert not english, "\n".join(
        f"{where}: {' '.join(sorted(words))}" for where, words in sorted(english.items())
    )
