"""Web baseline: CSRF on every state change (pages and session API), cookie flags, and no state
change on GET anywhere in the URL map."""

import json
import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongzhi.org.models import Household, Resident

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-test-pass"


def test_a_page_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("core:workbench")).status_code == 200  # still signed in


def test_a_session_api_write_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["neighborhood_secretary"])
    before = Resident.objects.count()
    payload = {"household_id": world.household_a.pk, "name": "王小明", "id_number": "", "phone": ""}
    response = client.post("/api/v1/residents", json.dumps(payload), content_type="application/json")
    assert response.status_code in (401, 403) and Resident.objects.count() == before


def test_session_and_device_cookies_are_http_only_and_same_site(client, world):
    response = client.post(reverse("accounts:login"), {"username": "grid_worker", "password": PASSWORD})
    assert response.status_code == 302
    for name in ("sessionid", "gongzhi_known_device"):
        cookie = response.cookies[name]
        assert cookie["httponly"] and cookie["samesite"] == "Lax", name
    assert client.get(reverse("accounts:login")).cookies["csrftoken"]["samesite"] == "Lax"


def test_cookies_are_secure_and_hsts_is_on_under_https():
    env = {**os.environ, "GONGZHI_HTTPS": "true", "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "True"]


# --- No state change on GET -------------------------------------------------------------------


def _plain_urls(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the project that takes no argument (the admin aside: Django's own)."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                found += _plain_urls(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            found.append("/" + (prefix + route).lstrip("^").rstrip("$").replace("\\", ""))
    return found


def _counts() -> dict[str, int]:
    # Sessions, throttles and audit `view` records may move on a read; what the user owns may not.
    # The second-factor setup page keeps an unconfirmed secret so the scanned code stays valid
    # across page loads; only the POST that confirms it makes it count.
    from gongzhi.accounts.models import TotpDevice

    skip = {"sessions.session", "accounts.loginthrottle", "core.auditrecord", "accounts.totpdevice"}
    counts = {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in skip and not m._meta.proxy
    }
    return counts | {"confirmed totp devices": TotpDevice.objects.filter(confirmed_at__isnull=False).count()}


def _writes():
    from gongzhi.core.models import AuditRecord

    return AuditRecord.objects.exclude(action__in=["view", "login"]).count()


@pytest.mark.parametrize("code", ["neighborhood_secretary", None])
def test_no_page_changes_anything_on_get(client, world, code):
    urls = _plain_urls()
    assert len(urls) > 40 and "/accounts/logout/" in urls
    if code:
        client.force_login(world.users[code])
    counts, writes = _counts(), _writes()
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert _writes() == writes, f"GET {url} wrote an audit record"
    changed = {k: (v, counts[k]) for k, v in _counts().items() if v != counts[k]}
    assert not changed, changed
    assert Household.objects.filter(pk=world.household_a.pk).exists()
