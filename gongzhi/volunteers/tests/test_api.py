"""API of activities and call-up answers, driven through ninja's test client on the router.
(The project mounts the router at /api/v1/volunteers/ with the platform's auth and error handlers.)"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.testing import TestClient

from gongzhi.core.errors import NotInScope
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.api import router
from gongzhi.volunteers.models import CallUpAnswer, SignUp

pytestmark = pytest.mark.django_db
api = TestClient(router)


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def test_a_volunteer_signs_up_checks_in_and_out_through_the_api(world):
    activity = t.activity(world, started=True, capacity=1)
    me = t.volunteer(world, "李四", with_user=True)
    listed = api.get("/activities", user=me.user).json()
    assert [a["title"] for a in listed] == [activity.title]
    first = api.post(f"/activities/{activity.pk}/sign-up", json={}, user=me.user).json()
    again = api.post(f"/activities/{activity.pk}/sign-up", json={}, user=me.user).json()
    assert first["id"] == again["id"] and first["status"] == "confirmed"
    checked_in = api.post("/check-in", json={"token": activity.check_in_token}, user=me.user).json()
    assert checked_in["checked_in_at"] and not checked_in["checked_out_at"]
    SignUp.objects.filter(pk=first["id"]).update(checked_in_at=timezone.now() - timedelta(minutes=30))
    assert api.post("/check-in", json={"token": activity.check_in_token}, user=me.user).json()[
        "checked_out_at"
    ]


def test_staff_cannot_sign_up_someone_outside_their_area(world):
    activity = t.activity(world)
    far = t.volunteer(world, "远方", neighborhood=world.neighborhood_far)
    answer = api.post(
        f"/activities/{activity.pk}/sign-up", json={"volunteer_id": far.pk}, user=world.users["social_worker"]
    )
    assert answer.status_code == 404


def test_call_up_answer_by_token_without_sign_in(world):
    admin = world.users["subdistrict_admin"]
    person = t.volunteer(world, "王五", phone="13700137000")
    emergency = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="防汛")
    services.call_up(actor=admin, emergency=emergency)
    token = CallUpAnswer.objects.get(volunteer=person).token
    anonymous = AnonymousUser()
    assert api.get(f"/call-up/{token}", user=anonymous).json()["answer"] == "pending"
    assert api.post(f"/call-up/{token}", json={"accept": True}, user=anonymous).json()["answer"] == "yes"
    assert api.get("/call-up/wrong-token", user=anonymous).status_code == 404
    with pytest.raises(NotInScope):
        api.post("/call-up/wrong-token", json={"accept": True}, user=anonymous)
