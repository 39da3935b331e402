"""楼内事、群内议: a concern's progress published to its building as a notice, with no name, room
number or phone number in it; one notice per concern however often the button is pressed."""

import pytest
from django.urls import reverse

from gongzhi.concerns import services as concern_services
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core.models import AuditRecord
from gongzhi.insights import selectors, services
from gongzhi.insights.models import Notice


def _handled_concern(world):
    world.resident_a.name = "王建国"
    world.resident_a.save(update_fields=["name"])
    concern = concern_for(
        world,
        description="5号楼301室张三家楼上漏水，电话13800138000",
        reporter_name="张三",
        reporter_phone="13800138000",
    )
    actor = world.users["social_worker"]
    actor.display_name = "李晓红"
    actor.save(update_fields=["display_name"])
    note = "已联系5号楼301王建国（13800138000），李晓红上门，物业电话021-66781234，楼顶防水已修复"
    for action, text in (("dispatch", ""), ("start", ""), ("resolve", note)):
        concern = concern_services.transition(actor=actor, concern=concern, action=action, note=text)
    return concern


@pytest.mark.django_db
def test_the_progress_notice_holds_no_name_room_or_phone(world):
    concern = _handled_concern(world)
    notice = services.concern_progress_publish(actor=world.users["social_worker"], concern=concern)
    text = notice.title + notice.body
    assert notice.level == "building" and notice.building_id == concern.building_id
    assert notice.state == "published" and "楼顶防水已修复" in text
    for secret in ("张三", "王建国", "李晓红", "301", "13800138000", "66781234"):
        assert secret not in text, secret
    assert services.personal_data_in("5号楼301室张三", ("张三",)) and not services.personal_data_in(
        "5号楼***室"
    )
    assert notice.title in {n.title for n in selectors.notices_for_resident(world.resident_a)}


@pytest.mark.django_db
def test_pressing_again_refreshes_the_one_notice(world):
    concern = _handled_concern(world)
    first = services.concern_progress_publish(actor=world.users["social_worker"], concern=concern)
    services.notice_withdraw(actor=world.users["social_worker"], notice=first)
    again = services.concern_progress_publish(actor=world.users["neighborhood_secretary"], concern=concern)
    assert first.pk == again.pk and Notice.objects.count() == 1 and again.state == "published"
    assert AuditRecord.objects.filter(object_type="insights.notice", action="publish").count() == 2


@pytest.mark.django_db
def test_the_concern_pages_button_by_role_and_area(client, world):
    concern = _handled_concern(world)
    url = reverse("insights:concern_progress", args=[concern.pk])
    client.force_login(world.users["grid_worker"])  # works the concern, writes no notice
    response = client.post(url)
    assert response.status_code == 302 and Notice.objects.count() == 0
    client.force_login(world.users["department_handler"])  # not routed to it: absent
    assert client.post(url).status_code == 404
    client.force_login(world.users["social_worker"])
    assert (
        "data-progress-notice" in client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    )
    response = client.post(url)
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "insights:notice", args=[notice.pk]
    )
    client.logout()
    assert client.post(url).status_code == 302 and Notice.objects.count() == 1
