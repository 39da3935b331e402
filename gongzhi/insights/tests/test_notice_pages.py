"""Every notice page by role and area: the area's staff read and write, staff outside it get 404,
roles that keep no notices 403, residents read only the notices of their own places, anonymous
visitors sign in first (the public page behind the board's QR code excepted)."""

import pytest
from django.urls import reverse

from gongzhi.deliberation.testing import resident_account
from gongzhi.insights import services
from gongzhi.insights.models import Notice, NoticeRead
from gongzhi.insights.tests.notice_cast import second_stairwell_resident
from gongzhi.org.testing import far_admin


@pytest.fixture
def notice(world):
    secretary = world.users["neighborhood_secretary"]
    made = services.notice_create(
        actor=secretary,
        level="stairwell",
        place=world.household_a.stairwell,
        title="楼道堆物清理",
        body="本周六上午清理楼道堆物，请各户配合。",
    )
    return services.notice_publish(actor=secretary, notice=made)


def _staff_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("insights:notice", args=[pk])),
        ("get", reverse("insights:notice_edit", args=[pk])),
        ("get", reverse("insights:notice_print", args=[pk])),
        ("post", reverse("insights:notice_publish", args=[pk])),
        ("post", reverse("insights:notice_withdraw", args=[pk])),
    ]


@pytest.mark.django_db
def test_anonymous_visitors_sign_in_first(client, notice):
    urls = _staff_urls(notice.pk) + [
        ("get", reverse("insights:notices")),
        ("get", reverse("insights:notice_new")),
        ("get", reverse("insights:my_notices")),
        ("get", reverse("insights:my_notice", args=[notice.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
def test_staff_outside_the_area_find_nothing(client, world, notice):
    for user in (far_admin(world), world.users["social_worker"]):
        if user == world.users["social_worker"]:  # same neighborhood: reads it
            continue
        client.force_login(user)
        for method, url in _staff_urls(notice.pk):
            assert getattr(client, method)(url).status_code == 404, url
        assert "楼道堆物清理" not in client.get(reverse("insights:notices")).content.decode()
    notice.refresh_from_db()
    assert notice.state == "published"


@pytest.mark.django_db
def test_roles_without_notices_are_refused(client, world, notice):
    for code in ("grid_worker", "property_staff", "department_handler", "auditor"):
        client.force_login(world.users[code])
        for url in (
            reverse("insights:notices"),
            reverse("insights:notice_new"),
            reverse("insights:notice", args=[notice.pk]),
        ):
            assert client.get(url).status_code == 403, (code, url)
    resident = resident_account(world.resident_a, "resident-own")
    client.force_login(resident)
    # Residents' sessions reach no staff page (answered as absent).
    assert client.get(reverse("insights:notices")).status_code in (403, 404)
    assert client.get(reverse("insights:notice_print", args=[notice.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_the_secretary_writes_publishes_lists_prints_and_withdraws(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    listing = client.get(reverse("insights:notices"))
    assert listing.status_code == 200 and "新建公告" in listing.content.decode()
    form = client.get(reverse("insights:notice_new")).content.decode()
    stairwell = world.household_a.stairwell
    assert f'value="stairwell:{stairwell.pk}"' in form
    assert f'value="building:{world.household_b.building_id}"' not in form
    fields = {
        "place": f"stairwell:{stairwell.pk}",
        "title": "电梯检修",
        "body": "周一电梯检修",
        "publish": "1",
    }
    response = client.post(reverse("insights:notice_new"), fields)
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.state == "published" and notice.stairwell == stairwell
    page = client.get(reverse("insights:notice", args=[notice.pk])).content.decode()
    assert 'data-readers="0"' in page and 'data-households="1"' in page
    sheet = client.get(reverse("insights:notice_print", args=[notice.pk])).content.decode()
    assert "<svg" in sheet and "电梯检修" in sheet and "@page" in sheet
    client.post(reverse("insights:notice_withdraw", args=[notice.pk]), {"reason": "改期"})
    notice.refresh_from_db()
    assert notice.state == "withdrawn"
    outside = {"place": f"building:{world.household_b.building_id}", "title": "t", "body": "x"}
    assert client.post(reverse("insights:notice_new"), outside).status_code == 200
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_is_edited_then_published(client, world):
    secretary = world.users["neighborhood_secretary"]
    draft = services.notice_create(
        actor=secretary, level="neighborhood", place=world.neighborhood_a, title="草稿", body="x"
    )
    client.force_login(secretary)
    url = reverse("insights:notice_edit", args=[draft.pk])
    assert client.post(url, {"title": "", "body": "x"}).status_code == 200
    client.post(url, {"title": "议事会通知", "body": "周三晚七点议事", "publish": "1"})
    draft.refresh_from_db()
    assert (draft.title, draft.state, draft.level) == ("议事会通知", "published", "neighborhood")


@pytest.mark.django_db
def test_residents_read_only_the_notices_of_their_own_places(client, world, notice):
    own = resident_account(world.resident_a, "resident-own")
    client.force_login(own)
    home = client.get(reverse("core:workbench")).content.decode()
    assert f'data-notice="{notice.pk}"' in home and "楼道堆物清理" in home
    url = reverse("insights:my_notice", args=[notice.pk])
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    for who, resident in (
        ("neighbour", second_stairwell_resident(world)),
        ("other-building", world.resident_a2),
        ("far", world.resident_far),
    ):
        client.force_login(resident_account(resident, who))
        assert client.get(url).status_code == 404, who
        assert "楼道堆物清理" not in client.get(reverse("core:workbench")).content.decode(), who
        assert "楼道堆物清理" not in client.get(reverse("insights:my_notices")).content.decode(), who
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    client.force_login(world.users["neighborhood_secretary"])
    assert client.get(reverse("insights:my_notices")).status_code == 403


@pytest.mark.django_db
def test_the_public_page_shows_a_live_notice_and_counts_only_its_residents(client, world, notice):
    url = reverse("insights:notice_public", args=[notice.token])
    assert "楼道堆物清理" in client.get(url).content.decode()
    client.force_login(resident_account(world.resident_a2, "other-building"))
    assert client.get(url).status_code == 200 and NoticeRead.objects.count() == 0
    client.force_login(resident_account(world.resident_a, "resident-own"))
    client.get(url)
    assert NoticeRead.objects.get().resident == world.resident_a
    services.notice_withdraw(actor=world.users["neighborhood_secretary"], notice=notice)
    assert client.get(url).status_code == 404
    assert client.get(reverse("insights:notice_public", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_the_menu_has_notices_for_those_who_keep_them(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("insights:notices")).content.decode()
    assert 'data-nav="notices"' in page and ">公告<" in page
    client.force_login(world.users["grid_worker"])
    assert 'data-nav="notices"' not in client.get(reverse("core:workbench")).content.decode()
