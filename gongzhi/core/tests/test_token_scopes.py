"""Issue 19, finding 12: API tokens narrower than their user. A read-only token makes only safe
requests; a scoped token reaches only the API sections it names; both show on the token list and
in the audit trail."""

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import ApiToken, AuditRecord

pytestmark = pytest.mark.django_db


def make_token(*args, user="subdistrict_admin") -> str:
    out = io.StringIO()
    call_command("token", "create", "--user", user, "--name", "app", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def call(client, method, path, token, **data):
    send = getattr(client, method.lower())
    return send(path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_read_only_token_reads_but_every_unsafe_request_is_refused_with_a_clear_message(client, world):
    token = make_token("--read-only")
    assert call(client, "GET", "/api/v1/concerns", token).status_code == 200
    assert call(client, "GET", "/api/v1/me", token).status_code == 200
    for method, path in [
        ("POST", "/api/v1/concerns"),
        ("PATCH", f"/api/v1/households/{world.household_a.pk}"),
        ("POST", "/api/v1/accounts/me/requests"),
    ]:
        response = call(client, method, path, token)
        assert response.status_code == 403, (method, path)
        assert "只读" in response.json()["detail"]


def test_a_scoped_token_reaches_only_the_sections_it_names(client, world):
    token = make_token("--scope", "concerns", "--scope", "visits")
    assert call(client, "GET", "/api/v1/concerns", token).status_code == 200
    for path in [
        "/api/v1/residents",
        "/api/v1/me",
        "/api/v1/volunteers/activities",
        "/api/v1/projects/projects",
    ]:
        response = call(client, "GET", path, token)
        assert response.status_code == 403, path
        assert "concerns, visits" in response.json()["detail"]


def test_a_token_without_limits_keeps_its_users_rights(client, world):
    token = make_token()
    assert call(client, "GET", "/api/v1/residents", token).status_code == 200
    assert call(client, "POST", "/api/v1/concerns", token).status_code == 422  # reached, then validated


def test_an_unknown_scope_is_refused_naming_the_option(world):
    with pytest.raises(CommandError, match="--scope: .*parking"):
        make_token("--scope", "parking")
    assert not ApiToken.objects.exists()


def test_read_only_and_scopes_are_stored_listed_and_audited(world):
    make_token("--read-only", "--scope", "volunteers", "--scope", "concerns")
    item = ApiToken.objects.get()
    assert item.read_only and item.scopes == ["concerns", "volunteers"]
    record = AuditRecord.objects.get(object_type="core.apitoken", action="create")
    assert record.changes["read_only"] is True and record.changes["scopes"] == ["concerns", "volunteers"]
    out = io.StringIO()
    call_command("token", "list", stdout=out)
    assert "subdistrict_admin\tapp\tread-only; scopes: concerns, volunteers" in out.getvalue()
