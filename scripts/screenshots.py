"""The screenshots in docs/screenshots/: every demo role's workbench (1366 px) and a demo resident's
home (1366 px and a 420 px phone), taken from a running demo.

    GONGZHI_VAR_DIR=… .venv/bin/gongzhi demo load --households 8000
    GONGZHI_VAR_DIR=… .venv/bin/gongzhi runserver 127.0.0.1:8731 &
    GONGZHI_VAR_DIR=… .venv/bin/python scripts/screenshots.py http://127.0.0.1:8731

It reads the demo's database (same settings as the server) for the resident's SMS sign-in code.
"""

import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    import django

    django.setup()


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")  # the workbench's area figures come as an htmx fragment


def workbenches(browser, base: str, password: str) -> None:
    from gongzhi.org.demo import catalog

    for username, *_rest in catalog.DEMO_ACCOUNTS:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button.btn")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{base}/")
        _settle(page)
        page.screenshot(path=str(OUT / f"workbench-{username}.png"), full_page=True)
        print(f"workbench-{username}.png")
        context.close()
    shutil.copyfile(OUT / "workbench-secretary.png", OUT / "workbench.png")


def resident_home(browser, base: str) -> None:
    from gongzhi.accounts.models import User
    from gongzhi.notifications.models import Message

    resident = (
        User.objects.filter(kind=User.Kind.RESIDENT, is_active=True).exclude(phone="").order_by("pk").first()
    )
    if resident is None:
        print("no demo resident with a phone: resident home not taken")
        return
    for width, name in ((1366, "resident-home.png"), (420, "resident-home-phone.png")):
        phone = width < 720
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="zh-CN", is_mobile=phone, has_touch=phone
        )
        page = context.new_page()
        page.goto(f"{base}/accounts/login/phone/")
        page.fill("#id_phone", resident.phone)
        page.click("#send-code")
        page.wait_for_selector("#id_code")
        sms = [
            m
            for m in Message.objects.filter(channel="sms").order_by("-pk")[:50]
            if m.address == resident.phone
        ]
        page.fill("#id_code", re.search(r"\b(\d{6})\b", sms[0].body).group(1))
        page.click("#verify")
        page.wait_for_url(f"{base}/")
        _settle(page)
        page.screenshot(path=str(OUT / name), full_page=True)
        print(name)
        context.close()


def main(base: str, password: str = "") -> None:
    _django()
    from playwright.sync_api import sync_playwright

    from gongzhi.org.demo.accounts import demo_password

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        workbenches(browser, base.rstrip("/"), password or demo_password())
        resident_home(browser, base.rstrip("/"))
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
