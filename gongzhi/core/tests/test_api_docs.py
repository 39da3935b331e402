"""The API docs work offline and inside the site's CSP: Swagger UI comes from the site's own static files."""

import re

from django.contrib.staticfiles import finders


def test_api_docs_load_swagger_from_this_site_not_a_cdn(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts, page
    assert all(src.startswith("/static/") for src in scripts), scripts
    # nothing the page loads comes from another host (a random CSRF token may spell "cdn")
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert not [u for u in links if u.startswith(("http:", "https:", "//"))], links
    for src in scripts:
        assert finders.find(src.removeprefix("/static/")), f"{src} is not a static file of this site"


def test_every_script_the_docs_need_is_allowed_by_the_csp(client, db):
    response = client.get("/api/v1/docs")
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    # No inline script runs: the settings travel as JSON, which the CSP does not execute.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert all('type="application/json"' in attrs for attrs in inline), inline


def test_staff_find_the_api_docs_in_the_menu_and_the_page_fits_a_phone(client, world):
    client.force_login(world.users["subdistrict_admin"])
    home = client.get("/").content.decode()
    assert 'href="/api/v1/docs" data-nav="api-docs"' in home
    docs = client.get("/api/v1/docs").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in docs
