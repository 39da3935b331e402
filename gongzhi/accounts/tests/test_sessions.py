"""Session limits: idle and absolute expiry, and ending every session on disable or role removal."""

import time

import pytest
from django.urls import reverse

from gongzhi.accounts import services as account_services
from gongzhi.accounts.middleware import SIGNED_IN_AT
from gongzhi.org import services as org_services

pytestmark = pytest.mark.django_db


def test_sessions_idle_out_after_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_session_ends_twelve_hours_after_sign_in(client, world):
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("core:workbench")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    assert client.get(reverse("core:workbench")).status_code == 302


def test_disabling_an_account_ends_its_sessions(client, world):
    user = world.users["social_worker"]
    client.force_login(user)
    assert client.get(reverse("core:workbench")).status_code == 200
    account_services.disable_account(actor=world.users["subdistrict_admin"], user=user, reason="离职")
    assert client.get(reverse("core:workbench")).status_code == 302


def test_removing_a_role_ends_the_holders_sessions(client, world):
    user = world.users["grid_worker"]
    client.force_login(user)
    assert client.get("/api/v1/households").status_code == 200
    org_services.revoke_role(actor=world.users["subdistrict_admin"], assignment=user.role_assignments.get())
    assert client.get("/api/v1/households").status_code == 401


def test_signed_in_pages_are_not_cached_and_carry_security_headers(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    response = client.get(reverse("org:household", args=[world.household_a.pk]))
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_admin_login_form_is_not_a_way_around_lockout_and_second_factor(client):
    response = client.get("/admin/login/?next=/admin/org/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=%2Fadmin%2Forg%2F"
    posted = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert posted.status_code == 302 and posted.url.startswith("/accounts/login/")
