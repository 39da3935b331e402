"""A call-up reaches each volunteer once through notifications, with yes/no links that work."""

import json

import pytest
from django.urls import reverse

from gongzhi.notifications.models import Message
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, Volunteer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""
    settings.GONGZHI_PUBLIC_URL = "https://gz.example.org"


def _sms(settings) -> list[dict]:
    path = settings.VAR_DIR / "outbox" / "sms.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_call_up_sends_each_volunteer_links_once_and_the_link_answers(world, settings, client):
    admin = world.users["subdistrict_admin"]
    by_phone = t.volunteer(world, "王五", phone="13700137000")
    with_account = t.volunteer(world, "赵六", with_user=True, phone="")
    with_account.user.email = "zhao@example.org"
    with_account.user.save()
    unreachable = t.volunteer(world, "孙七", phone="")
    opted_out = t.volunteer(world, "周八")
    Volunteer.objects.filter(pk=opted_out.pk).update(call_ups_opt_out=True)
    emergency = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="防汛招募令")

    result = services.call_up(actor=admin, emergency=emergency)
    # called = the people messaged; the others are listed with why, and not counted as called
    assert result.called == 2 and result.unreached == {
        unreachable.pk: "no_contact",
        opted_out.pk: "opted_out",
    }
    assert services.call_up(actor=admin, emergency=emergency).called == 0

    answer = CallUpAnswer.objects.get(emergency=emergency, volunteer=by_phone)
    sms = _sms(settings)
    assert [m["address"] for m in sms] == ["13700137000"]
    yes_link = f"https://gz.example.org/volunteers/answer/{answer.token}/yes/"
    assert sms[0]["link"] == yes_link and yes_link in sms[0]["body"]
    assert f"/volunteers/answer/{answer.token}/no/" in sms[0]["body"]
    keys = set(Message.objects.values_list("key", flat=True))
    other = CallUpAnswer.objects.get(emergency=emergency, volunteer=with_account)
    assert keys == {f"callup:{answer.pk}/sms", f"callup:{other.pk}/inbox", f"callup:{other.pk}/email"}
    assert not Message.objects.filter(status="queued").exists()
    assert not CallUpAnswer.objects.filter(volunteer__in=[unreachable, opted_out]).exists()

    page = client.get(reverse("volunteers:answer_choice", args=[answer.token, "yes"]))
    assert page.status_code == 200 and 'id="answer-no"' not in page.content.decode()
    answer.refresh_from_db()
    assert answer.answer == "pending"  # opening the link alone answers nothing
    client.post(reverse("volunteers:answer_choice", args=[answer.token, "yes"]), {"answer": "yes"})
    answer.refresh_from_db()
    assert answer.answer == "yes"


def test_a_wrong_choice_in_the_link_is_not_found(world, client):
    admin = world.users["subdistrict_admin"]
    t.volunteer(world, "王五", phone="13700137000")
    emergency = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="防汛招募令")
    services.call_up(actor=admin, emergency=emergency)
    answer = CallUpAnswer.objects.get(emergency=emergency)
    assert client.get(f"/volunteers/answer/{answer.token}/maybe/").status_code == 404
    assert client.get("/volunteers/answer/not-a-token/yes/").status_code == 404
