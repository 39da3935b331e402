"""The data-subject API, mounted on a test NinjaAPI exactly as gongzhi/api.py mounts routers (the
project's API wires it with one add_router line)."""

import pytest
from django.core.exceptions import PermissionDenied
from ninja.testing import TestClient

from gongzhi.accounts.api import router
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.accounts.tests.residents import sign_in_by_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


def test_a_resident_reads_their_data_and_files_a_request_once(api, client, world):
    sign_in_by_phone(client, world.resident_a.phone)
    user = User.objects.get(kind="resident")
    sections = api.get("/me", user=user).json()
    account = next(s for s in sections if s["key"] == "account")
    assert [world.resident_a.id_number_masked] in [r[1:] for r in account["rows"]]
    body = {"kind": "correction", "field": "name", "new_value": "王建国", "reason": "写错了", "key": "a1"}
    first = api.post("/me/requests", json=body, user=user)
    again = api.post("/me/requests", json=body, user=user)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert DataSubjectRequest.objects.count() == 1


def test_staff_decide_only_in_scope_and_residents_cannot_use_the_queue(api, client, world):
    sign_in_by_phone(client, world.resident_a.phone)
    user = User.objects.get(kind="resident")
    item = api.post("/me/requests", json={"kind": "deletion", "reason": "不用了"}, user=user).json()
    with pytest.raises(PermissionDenied):  # gongzhi.api turns it into 403
        api.get("/me", user=world.users["neighborhood_secretary"])
    assert api.get("/requests", user=user).json() == []
    assert api.get("/requests", user=world.users["social_worker"]).json() == []
    queue = api.get("/requests", user=world.users["neighborhood_secretary"]).json()
    assert [r["id"] for r in queue] == [item["id"]]
    refused = api.post(
        f"/requests/{item['id']}/decision",
        json={"approve": False, "reason": "依法保留"},
        user=world.users["neighborhood_secretary"],
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
