"""A call-up the volunteer can act on: the answer page names the call-up, its place, the post and
the shift; posts are placed on a map (hidden coordinates filled by the click); the page lists who
the call-up could not reach, and why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, EmergencyPost, PostAssignment, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def emergency(world):
    admin = world.users["subdistrict_admin"]
    e = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, title="台风防汛招募令", neighborhood=world.neighborhood_a
    )
    post = services.add_post(
        actor=admin, emergency=e, name="一村北门", latitude=Decimal("31.35"), longitude=Decimal("121.42")
    )
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    shift = services.add_shift(actor=admin, emergency=e, starts_at=start, ends_at=start + timedelta(hours=4))
    services.set_need(actor=admin, post=post, shift=shift, count=1)
    return e


def test_the_answer_page_names_the_call_up_place_post_and_shift(client, world, emergency):
    t.volunteer(world, "应召者")
    services.call_up(actor=world.users["subdistrict_admin"], emergency=emergency)
    answer = CallUpAnswer.objects.get(emergency=emergency)
    page = client.get(reverse("volunteers:answer", args=[answer.token])).content.decode()
    shift = emergency.shifts.get()
    assert "台风防汛招募令" in page and world.neighborhood_a.name in page
    assert "一村北门" in page and str(shift) in page and "应召者" in page

    client.post(reverse("volunteers:answer", args=[answer.token]), {"answer": "yes"})
    services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=emergency)
    assert PostAssignment.objects.filter(volunteer=answer.volunteer).exists()
    page = client.get(reverse("volunteers:answer", args=[answer.token])).content.decode()
    assert 'id="callup-mine"' in page and f"一村北门 · {shift}" in page


def test_the_answer_page_of_an_unknown_token_is_not_found(client, emergency):
    assert client.get(reverse("volunteers:answer", args=["not-a-token"])).status_code == 404


def test_the_board_lists_who_was_not_reached_and_why(client, world, emergency):
    t.volunteer(world, "有电话")
    silent = t.volunteer(world, "无电话", phone="")
    opted = t.volunteer(world, "不打扰")
    Volunteer.objects.filter(pk=opted.pk).update(call_ups_opt_out=True)
    client.force_login(world.users["subdistrict_admin"])
    response = client.post(reverse("volunteers:emergency_edit", args=[emergency.pk, "call-up"]), {})
    assert response.status_code == 302
    page = client.get(reverse("volunteers:emergency", args=[emergency.pk])).content.decode()
    assert "已召集 1 名志愿者，发出 1 条消息" in page
    assert f'data-unreached="{silent.pk}"' in page and "无电话且无账号" in page
    assert f'data-unreached="{opted.pk}"' in page and "本人要求不接收召集消息" in page
    assert CallUpAnswer.objects.filter(emergency=emergency).count() == 1


def test_a_post_is_placed_from_the_map_and_without_a_point_is_refused(client, world, emergency):
    client.force_login(world.users["subdistrict_admin"])
    page = client.get(reverse("volunteers:emergency", args=[emergency.pk])).content.decode()
    assert "data-post-picker" in page and 'type="hidden" name="latitude"' in page
    assert 'name="latitude" step' not in page  # nobody types coordinates
    url = reverse("volunteers:emergency_edit", args=[emergency.pk, "post"])
    refused = client.post(url, {"name": "无点位"})
    assert refused.status_code == 400 and "请在地图上点选岗位位置" in refused.content.decode()
    assert not EmergencyPost.objects.filter(name="无点位").exists()
    client.post(url, {"name": "二村南门", "latitude": "31.351234", "longitude": "121.421234"})
    post = EmergencyPost.objects.get(name="二村南门")
    assert (post.latitude, post.longitude) == (Decimal("31.351234"), Decimal("121.421234"))
