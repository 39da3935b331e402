"""The resident's page: report with photo and place without an account, follow progress, rate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.concerns import services
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category
from gongzhi.core.testing import image_bytes

pytestmark = pytest.mark.django_db
JPEG = image_bytes("JPEG")


def report(client, world, **extra):
    data = {
        "n": world.neighborhood_a.code,
        "category": category().pk,
        "description": "小区东门路灯不亮",
        "place": "东门",
        "lat": "31.3",
        "lng": "121.4",
        "key": "r-1",
    } | extra
    return client.post(reverse("concerns:resident_report"), data)


def test_resident_reports_with_photo_and_follows_progress(client, world):
    photo = SimpleUploadedFile("lamp.jpg", JPEG, content_type="image/jpeg")
    response = report(client, world, photo=photo)
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/r/{concern.public_token}/")
    assert concern.channel == "resident" and concern.neighborhood_id == world.neighborhood_a.pk
    assert (concern.lat, concern.lng, concern.place) == (31.3, 121.4, "东门")
    assert concern.photos.get().content_type == "image/jpeg"
    page = client.get(response.url).content.decode()
    assert "小区东门路灯不亮" in page and 'data-state="accepted"' in page
    assert report(client, world).status_code == 302 and Concern.objects.count() == 1  # double tap


def test_bad_photo_and_missing_text_are_field_errors(client, world):
    fake = SimpleUploadedFile("a.jpg", b"GIF89a-not-really", content_type="image/jpeg")
    response = report(client, world, photo=fake, key="r-2")
    assert response.status_code == 400 and "photo" in response.context["errors"]
    response = report(client, world, description="", key="r-3")
    assert response.status_code == 400 and "description" in response.context["errors"]
    assert Concern.objects.count() == 0


def test_public_intake_is_rate_limited_per_client(client, world, monkeypatch):
    monkeypatch.setattr("gongzhi.concerns.views.RESIDENT_REPORTS_PER_HOUR", 2)
    codes = [report(client, world, key=f"k{i}", dup_checked="1").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    other = client.post(reverse("concerns:resident_report"), {}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 400  # another client still gets in (and is told what is missing)


def test_resident_rates_a_closed_concern_and_may_reopen_once(client, world):
    report(client, world)
    concern = Concern.objects.get()
    actor = world.users["social_worker"]
    for action, note in (
        ("dispatch", ""),
        ("start", ""),
        ("resolve", "小区东门路灯不亮的问题已处理，更换了灯泡"),
        ("close", ""),
    ):
        concern = services.transition(actor=actor, concern=concern, action=action, note=note)
    url = reverse("concerns:resident_progress", args=[concern.public_token])
    page = client.get(url).content.decode()
    assert "更换了灯泡" in page and 'name="rating"' in page and actor.username not in page
    assert client.post(url, {"rating": "dissatisfied", "reopen": "on", "note": "还是不亮"}).status_code == 302
    concern.refresh_from_db()
    assert concern.state == "reopened"
    assert client.post(url, {"rating": "satisfied"}).status_code == 409
    assert client.get(reverse("concerns:resident_progress", args=["nope"])).status_code == 404


def test_building_notice_shows_published_progress_without_personal_data(client, world):
    from gongzhi.concerns.tests.conftest import concern_for

    concern = concern_for(
        world, description="301室张三家楼上漏水", reporter_name="张三", reporter_phone="13800138000"
    )
    hidden = concern_for(world, description="未公开的事")
    notice = reverse("concerns:building_notice", args=[concern.building_id])
    assert "data-notice" not in client.get(notice).content.decode()
    client.force_login(world.users["social_worker"])
    assert client.post(reverse("concerns:publish", args=[concern.pk]), {"published": "1"}).status_code == 302
    actor = world.users["social_worker"]
    for action, note in (("dispatch", ""), ("start", ""), ("resolve", "已修复楼顶防水")):
        concern = services.transition(actor=actor, concern=concern, action=action, note=note)
    client.logout()
    page = client.get(notice).content.decode()
    assert "已修复楼顶防水" in page and 'data-notice="verifying"' in page
    for secret in ("张三", "13800138000", "301", "未公开", hidden.description):
        assert secret not in page
    client.force_login(world.users["property_staff"])
    assert client.post(reverse("concerns:publish", args=[hidden.pk]), {"published": "1"}).status_code == 404


def test_contact_card_qr_places_the_report_on_its_building(client, world):
    building = world.household_a.building
    url = reverse("concerns:resident_report") + f"?n={world.neighborhood_a.code}&b={building.pk}"
    assert str(building) in client.get(url).content.decode()  # the place field is filled in
    response = report(client, world, b=str(building.pk))
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert Concern.objects.get().building_id == building.pk
    # A building of another neighborhood is ignored: the report stays at neighborhood level.
    far = world.household_b.building
    report(client, world, b=str(far.pk), key="r-2", dup_checked="1")  # past the offer to join
    assert Concern.objects.get(idempotency_key__endswith="r-2").building_id is None
