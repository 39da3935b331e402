"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against the live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# themselves (building data) are plain synchronous work, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright per session (its sync API allows one at a time): the shared browser, and
    the tests that need a browser profile of their own (launch_persistent_context)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live_server, username: str, password: str = "gongzhi-test-pass") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # Staff land on the workbench, residents on their home (the same URL, /).
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/accounts/login/" not in url)


# Issue 15: every journey is walked at a desktop and a phone width.
WIDTHS = [1366, 420]


def context_at(browser, width: int):
    """A browser context at `width` px; below 720 px it is a touch phone."""
    phone = width < 720
    return browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", is_mobile=phone, has_touch=phone
    )


def fits(page, width: int) -> None:
    """Nothing is cut off: the page never scrolls sideways."""
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w).slice(0, 8)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' +
                 Math.round(e.getBoundingClientRect().right))""",
        width,
    )
    raise AssertionError(f"{page.url} scrolls sideways at {width} px: {wide}")


def open_menu(page, group: str, label: str, width: int) -> None:
    """From any staff page, follow the main menu as a person would: on a phone the menu is behind
    the menu button, on a desktop the group opens on hover."""
    if width < 720:
        page.click("#menu-toggle")
    page.locator(f'[data-group="{group}"] .navgroup-title').click()
    link = page.locator(f'[data-group="{group}"] a', has_text=label).first
    assert link.is_visible(), f"{label} hidden in the {group} menu at {width} px"
    link.click()
    page.wait_for_load_state()
