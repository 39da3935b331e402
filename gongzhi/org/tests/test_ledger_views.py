"""Ledger pages: login, upload through the form, the error table, template and export downloads."""

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.org.models import Resident
from gongzhi.org.tests.fixtures.ledger_files import as_upload, make_area, person, sheet_rows, xlsx_file

pytestmark = pytest.mark.django_db
IMPORT = reverse("org:ledger_import")
TEMPLATE = reverse("org:ledger_template")
EXPORT = reverse("org:ledger_export")


@pytest.fixture
def area():
    return make_area()


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [IMPORT, TEMPLATE, EXPORT])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_import_page_shows_the_form(client, area):
    response = signed_in(client, area.users["social_worker"]).get(IMPORT)
    assert response.status_code == 200
    assert b'type="file"' in response.content and TEMPLATE.encode() in response.content


def test_own_area_file_imports_through_the_page(client, area):
    upload = xlsx_file([person(n) for n in range(4)])
    response = signed_in(client, area.users["social_worker"]).post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].residents.created == 4
    assert Resident.objects.count() == 4


def test_bad_file_gets_the_error_table_and_imports_nothing(client, area):
    rows = [person(0), person(1, 手机号="12345"), person(2, 居民区="杨泰二村")]
    response = signed_in(client, area.users["social_worker"]).post(IMPORT, {"file": xlsx_file(rows)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="ledger-errors"' in html
    assert '<td class="n">3</td><td>手机号</td>' in html and '<td class="n">4</td><td>居民区</td>' in html
    assert Resident.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name"), [(b"", "a.csv"), (b"\x89PNG\r\n\x1a\n\x00\x00", "a.png"), (b"PK\x03\x04xx", "a.xlsx")]
)
def test_unreadable_files_are_explained(client, area, data, name):
    response = signed_in(client, area.users["social_worker"]).post(IMPORT, {"file": as_upload(data, name)})
    assert response.status_code == 400
    assert len(response.context["report"].errors) == 1


def test_post_without_a_file_is_explained(client, area):
    response = signed_in(client, area.users["social_worker"]).post(IMPORT, {})
    assert response.status_code == 400 and response.context["report"].errors


def test_role_without_write_scope_is_refused_on_upload(client, area):
    client = signed_in(client, area.users["stairwell_chief"])
    assert b'type="file"' not in client.get(IMPORT).content
    assert client.post(IMPORT, {"file": xlsx_file([person(0)])}).status_code == 403
    assert Resident.objects.count() == 0


def test_template_downloads_as_xlsx(client, area):
    response = signed_in(client, area.users["social_worker"]).get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert sheet_rows(response.content)[1][0] == "杨泰一村"


def test_export_goes_to_the_approval_request(client, area):
    """The file itself comes only after a second person approves (core/tests/test_exports.py)."""
    response = signed_in(client, area.users["neighborhood_secretary"]).post(
        EXPORT, {"neighborhood": area.neighborhood.pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:export_new") + "?kind=org.households")
    assert not AuditRecord.objects.filter(action="export").exists()


def test_export_of_another_neighborhood_is_not_found(client, area):
    response = signed_in(client, area.users["neighborhood_secretary"]).get(
        EXPORT, {"neighborhood": area.other.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["social_worker", "grid_worker", "volunteer_team_chief"])
def test_export_without_the_export_capability_is_forbidden(client, area, role):
    assert signed_in(client, area.users[role]).get(EXPORT).status_code == 403
    assert not AuditRecord.objects.filter(action="export").exists()
